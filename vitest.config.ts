import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests and examples import the package by its public name, as users do.
    alias: [
      { find: /^lambda-stream-handlers\/(.*)$/, replacement: src('$1/index.ts') },
      { find: /^lambda-stream-handlers$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // This repository's own run is quiet: handlers built without a logger write nothing (a test
    // that checks the default logger sets LOG_LEVEL itself). Powertools' Logger reads
    // POWERTOOLS_LOG_LEVEL before LOG_LEVEL: keep its default, the tests that read its lines need it.
    env: { LOG_LEVEL: 'SILENT', POWERTOOLS_LOG_LEVEL: 'INFO' },
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
