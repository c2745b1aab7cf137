import { configDefaults, defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

// The vitest configuration `npm run mutate` runs (stryker.config.json): the in-process suites.
// Left out: tests that spawn processes (the CLI) or start servers (kinesalite, dynalite, the
// local runner), whose child processes and sockets do not see Stryker's active mutant, and the
// type tests (Stryker checks no types). And the Kafka simulator's tests, whose record nested 10,000
// deep must overflow the stack, which it does not in Stryker's test process (its initial run fails).
export default mergeConfig(
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
