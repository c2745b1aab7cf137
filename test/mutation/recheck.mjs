// Checks Stryker's survivors by hand, one at a time: applies each surviving (or uncovered) mutant
// of a file to the source, runs the given test files (by default those whose tests cover it in the
// report, and test/mutation for a static mutant), and puts the source back. Stryker 9.6 with vitest 4.1 reports
// some killed mutants as survivors in long runs (stryker-equivalent.md); this says which really are.
//
//   node test/mutation/recheck.mjs <mutation.json> <src/file.ts> [test files or folders...]
//
// Prints one line per mutant, `killed` or `SURVIVED`, with its place and replacement.
import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'

const [report, file, ...extra] = process.argv.slice(2)
const json = JSON.parse(readFileSync(report, 'utf8'))
const testFileOf = new Map()
for (const [path, { tests }] of Object.entries(json.testFiles ?? {})) for (const t of tests) testFileOf.set(t.id, path)
const original = readFileSync(file, 'utf8')
const lines = original.split('\n')
const offset = ({ line, column }) => lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1

const survivors = json.files[file].mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
process.on('SIGINT', () => {
  writeFileSync(file, original)
  process.exit(130)
})
try {
  for (const m of survivors) {
    const { start, end } = m.location
    const mutated = original.slice(0, offset(start)) + m.replacement + original.slice(offset(end))
    const covering = [...new Set((m.coveredBy ?? []).map((id) => testFileOf.get(id)).filter(Boolean))]
    const tests = extra.length > 0 ? extra : m.static || covering.length === 0 ? ['test/mutation'] : covering
    writeFileSync(file, mutated)
    let verdict = 'SURVIVED'
    try {
      execFileSync('npx', ['vitest', 'run', '--config', 'vitest.stryker.config.ts', '--bail', '1', ...tests], { stdio: 'ignore' })
    } catch {
      verdict = 'killed'
    }
    writeFileSync(file, original)
    const where = `${start.line}:${start.column}`
    console.log(`${verdict}\t${where}\t${m.mutatorName}\t${m.static ? 'static ' : ''}${JSON.stringify(m.replacement).slice(0, 100)}`)
  }
} finally {
  writeFileSync(file, original)
}
