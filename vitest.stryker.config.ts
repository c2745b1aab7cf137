import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// The vitest configuration `npm run mutate` runs (stryker.config.json): the in-process suites.
// Left out: tests that spawn processes (the CLI) or start servers (kinesalite, dynalite, the
// local runner), whose child processes and sockets do not see Stryker's active mutant, and the
// type tests (Stryker checks no types). And the Kafka simulator's tests, whose record nested 10,000
// deep must overflow the stack, which it does not in Stryker's test process (its initial run fails).
const config = mergeConfig(
  base,
  defineConfig({
    test: {
      typecheck: { enabled: false },
      // Each test file in a fresh module registry, as Stryker's runner has always been given.
      isolate: true,
      exclude: [
        ...configDefaults.exclude,
        'test/cli/**',
        'test/docs.test.ts',
        'test/local/run-local*.test.ts',
        'test/local/filtering.test.ts',
        'test/local/packaging.test.ts',
        'test/local/simulate-kafka.test.ts',
        'test/middleware/idempotent.test.ts',
        'test/sources/*.local.test.ts',
        'test/sources/*.integration.test.ts',
        'examples/middleware/idempotent.test.ts',
      ],
    },
  }),
)

// STRYKER_TESTS=a,b narrows the run to those test files or folders (a file's own tests), which runs
// far faster on a shared machine than every suite: each mutant reruns the files whose tests reach it.
const only = process.env.STRYKER_TESTS
if (only !== undefined) config.test!.include = only.split(',').map((p) => (p.endsWith('.ts') ? p : `${p}/**/*.test.ts`))

export default config
