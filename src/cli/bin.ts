#!/usr/bin/env node
// The `lambda-stream-handlers` command (package.json `bin`).
import { run } from './index.js'

void run(process.argv.slice(2)).then(({ code, exit }) => {
  process.exitCode = code
  // The user's code may have left timers or sockets open (or a handler that never settled):
  // once what was written is out, the command is done.
  if (exit) process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
})
