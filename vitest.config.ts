import { availableParallelism } from 'node:os'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

const src = (path: string): string => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

const root = fileURLToPath(new URL('.', import.meta.url))

// The files that wait in real time (a JVM or another server starting, the local runners' polls,
// the demo, timeouts) or run long start first, so that their waits overlap the rest of the run
// instead of ending it: on a fresh clone vitest knows no durations and starts the largest files.
const START_FIRST = [
  /^test\/local\/run-local/,
  /^test\/cli\/(demo|limits)\.test/,
  /^test\/servers\//,
  /\.(local|integration)\.test\.ts$/,
  /^examples\/local\/run-local/,
  /^test\/types\/messages/,
]

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const first = (f: TestSpecification): boolean => START_FIRST.some((p) => p.test(relative(root, f.moduleId)))
    return [...sorted.filter(first), ...sorted.filter((f) => !first(f))]
  }
}

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
    // The type tests (`*.test-d.ts`) run with `npm run test:types` (.ci/run runs it): their tsc pass
    // was about a seventh of `npm test`'s CPU, on two cores shared with the test files.
    typecheck: { enabled: false, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
    // A worker process runs file after file without reloading the modules they share (zod, the AWS
    // SDK, the sources): loading them once per file was most of the run's CPU (test/engine,
    // middleware, parsers, windows, filtering and testing: 33 s of CPU isolated, 8 s not). A test
    // file leaves nothing behind: spies restored, env stubs undone, real timers back.
    isolate: false,
    // One worker more than the cores, three on two (vitest's default is one fewer than the cores):
    // while one waits (a server starting, the real-time waits of the local runners, a timeout),
    // the others keep the cores busy.
    maxWorkers: availableParallelism() + 1,
    // A shared machine can make a CPU-heavy test (a fast-check property, a walk over src) take many
    // times its usual second or two: a hang still fails, after 20 s.
    testTimeout: 20_000,
    sequence: { sequencer: LongFirst },
  },
})
