#!/usr/bin/env node
// The `lambda-stream-handlers` command (package.json `bin`).
import { main } from './index.js'

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
