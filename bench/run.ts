// npm run bench: every contender side by side in one process, per source and batch size, then
// memory (one process per contender), written to bench/RESULTS.md. Method: shared/spec/perf-baselines.md.
//   npm run bench -- [--quick] [--source kinesis] [--sizes 100,1000] [--contenders floor,middy] [--no-memory] [--no-cold] [--out FILE]
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gc, median, throughput, type CellResult, type ThroughputOptions } from './harness.js'
import { describeMachine, loadAverage } from './machine.js'
import { workloads } from './workloads.js'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const quick = args.includes('--quick')
const sizes = (flag('--sizes') ?? '100,1000,10000').split(',').map(Number)
const only = flag('--source')
const picked = flag('--contenders')?.split(',')
const out = flag('--out') ?? fileURLToPath(new URL('./RESULTS.md', import.meta.url))
const options: ThroughputOptions = quick ? { rounds: 5, warmupMs: 300, sampleMs: 50 } : { rounds: 15, warmupMs: 1000, sampleMs: 100 }
gc()

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const lines: string[] = []
const say = (line = ''): void => {
  lines.push(line)
  console.log(line)
}

say('# Benchmark results')
say()
say('Written by `npm run bench` (bench/run.ts); the method is shared/spec/perf-baselines.md. The machine is shared and')
say('noisy: the ratios to the floor, measured in the same rounds, are the figures that count, not the absolute rates.')
say()
say(describeMachine())
say()
say(
  `Throughput: ${options.rounds} interleaved rounds per source and size in one process, after ${options.warmupMs} ms of warm-up per contender; ` +
    `each sample runs ~${options.sampleMs} ms of back-to-back invocations on fresh event copies (JSON.parse of the event's JSON text, as Lambda's runtime makes them, before the clock starts), ` +
    'with a forced GC before each sample. Rates are records per second of the process\'s CPU time (user + system, GC threads included): ' +
    'the machine is shared, and wall time would count the moments another process had the core (wall-time medians are given too). ' +
    '"x floor" is the median of the per-round ratios to the floor (higher is faster). ' +
    'Before timing, every contender runs once and must report exactly the floor\'s failures and feed the record function the same records. ' +
    '1% of the records are invalid: half truncated JSON, half a schema mismatch.',
)

const summary: { source: string; cells: CellResult[] }[] = []
for (const all of workloads) {
  if (only !== undefined && all.source !== only) continue
  // The floor always runs: every ratio is to it.
  const workload = { ...all, contenders: all.contenders.filter((c, i) => i === 0 || picked === undefined || picked.includes(c.name)) }
  say()
  say(`## ${workload.source}`)
  say()
  say('| contender | what it is |')
  say('| --- | --- |')
  for (const c of workload.contenders) say(`| ${c.name} | ${c.what} |`)
  say()
  say('| contender | N | records/s (median) | min–max | x floor | min–max x floor | µs/record | wall records/s (median) |')
  say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  const cells: CellResult[] = []
  for (const n of sizes) {
    const results = await throughput(workload, n, options)
    cells.push(...results)
    for (const r of results) {
      const rate = median(r.rates)
      say(
        `| ${r.name} | ${fmt(n)} | ${fmt(rate)} | ${fmt(Math.min(...r.rates))}–${fmt(Math.max(...r.rates))} | ${median(r.ratios).toFixed(2)} | ` +
          `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)} | ${(1e6 / rate).toFixed(2)} | ${fmt(median(r.wallRates))} |`,
      )
    }
  }
  summary.push({ source: workload.source, cells })
}

say()
say('## Summary: x floor (median of per-round ratios)')
say()
say(`Load average (1 / 5 / 15 min) when the throughput rounds ended: ${loadAverage()}. Two runs of the same commit on this machine have differed by more than 0.5x in one cell (bench/PROFILE.md, fifth pass): read a single cell as ±0.1x at best.`)
for (const { source, cells } of summary) {
  const names = [...new Set(cells.map((c) => c.name))]
  say()
  say(`${source}:`)
  say()
  say(`| contender | ${sizes.map((n) => `N = ${fmt(n)}`).join(' | ')} |`)
  say(`| --- | ${sizes.map(() => '---:').join(' | ')} |`)
  for (const name of names) {
    say(`| ${name} | ${sizes.map((n) => median(cells.find((c) => c.name === name && c.n === n)!.ratios).toFixed(2)).join(' | ')} |`)
  }
}

if (!args.includes('--no-memory')) {
  const n = sizes.includes(10_000) ? 10_000 : Math.max(...sizes)
  say()
  say('## Memory')
  say()
  say(
    `One fresh process per contender (node --expose-gc), a batch of ${fmt(n)} records. Peak RSS is the process's maxRSS after 3 warm-up and 5 measured ` +
      'batches (event template and copies included, so compare with "noop", which only holds the events). Allocated is the heap growth over one batch ' +
      'plus what every GC during it freed (v8 GCProfiler), median of 5. Retained is the heap left after 300 batches of 100 records between two full GCs, per batch: ~0 means no leak.',
  )
  for (const workload of workloads) {
    if (only !== undefined && workload.source !== only) continue
    say()
    say(`### ${workload.source}`)
    say()
    say('| contender | peak RSS MB | + vs noop MB | allocated MB/batch | allocated B/record | retained B/batch |')
    say('| --- | ---: | ---: | ---: | ---: | ---: |')
    let noop = 0
    for (const name of ['noop', ...workload.contenders.map((c) => c.name).filter((c, i) => i === 0 || picked === undefined || picked.includes(c))]) {
      const script = fileURLToPath(new URL('./memory.ts', import.meta.url))
      const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, workload.source, name, String(n)], { encoding: 'utf8' })
      const m = JSON.parse(output.trim().split('\n').at(-1)!) as { peakRssMb: number; allocatedPerBatch: number; allocatedPerRecord: number; retainedPerBatch: number }
      if (name === 'noop') noop = m.peakRssMb
      say(
        `| ${name} | ${m.peakRssMb.toFixed(1)} | ${(m.peakRssMb - noop).toFixed(1)} | ${(m.allocatedPerBatch / 1e6).toFixed(2)} | ${fmt(m.allocatedPerRecord)} | ${fmt(m.retainedPerBatch)} |`,
      )
    }
  }
}

if (!args.includes('--no-cold')) {
  // Cold start bundles the built package: build it from this checkout first, so it measures the same code.
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  execFileSync(npm, ['run', 'build'], { stdio: 'ignore' })
  const script = fileURLToPath(new URL('./coldstart.ts', import.meta.url))
  const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--runs', quick ? '7' : '25'], { encoding: 'utf8' })
  say()
  say('## Cold start and bundle size (bench/coldstart.ts)')
  for (const line of output.trim().split('\n')) say(line)
}

writeFileSync(out, `${lines.join('\n')}\n`)
console.log(`\nwritten to ${out}`)
