// Mutation testing: `npm run mutate` (not in CI; all five files take about 35 minutes on two cores).
// On a shared machine, mutate one file at a time: `npm run mutate -- --mutate src/engine/outcome.ts`.
// Surviving mutants that change nothing observable are listed, one line each, in stryker-equivalent.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/engine/engine.ts',
    'src/engine/outcome.ts',
    'src/sources/decode.ts',
    'src/sources/kinesis/index.ts',
    'src/sources/kinesis/kpl.ts',
  ],
  concurrency: 1,
  timeoutMS: 10_000,
  // The initial run of the whole in-process suite takes over Stryker's default 5 minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
}
