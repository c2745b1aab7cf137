// npm run bench: the canonical method of issue 19, written to bench/RESULTS.md. Throughput by
// separate processes, paired (bench/paired.ts): one process per contender per source per size, at
// least 9 rounds, CPU time of the timed section, the median of paired ratios to the floor with
// min–max; then the targets, the I/O-bound row (bench/io.ts), memory (bench/memory.ts) and cold
// start with bundle sizes (bench/coldstart.ts). The library is measured from dist/ (built first).
//   npm run bench -- [--sources kinesis,sqs] [--sizes 100,1000] [--contenders floor,middy] [--pairs 9]
//                    [--warmup-ms 400] [--timed-ms 500] [--lib-dist DIR] [--note TEXT]
//                    [--no-io] [--no-memory] [--no-cold] [--out FILE]
//   npm run bench -- --quick [...]   the in-process interleaved harness, for iteration only: every
//                    contender in one process, so they share JIT feedback and a cell moves by up to
//                    0.5x between runs. Prints; writes a file only with --out.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gc, median, throughput, type ThroughputOptions } from './harness.js'
import { ioRow } from './io.js'
import { describeMachine, loadAverage } from './machine.js'
import { bundleScript, lead, pairedCell, spread, type Entry, type PairedResult } from './paired.js'
import { workloads } from './workloads.js'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const list = (name: string): string[] | undefined => flag(name)?.split(',').filter(Boolean)
const quick = args.includes('--quick')
const sizes = (list('--sizes') ?? ['100', '1000', '10000']).map(Number)
/** The sources measured by default: the three of the issue's targets. `sqs-fifo` on request. */
const sources = list('--sources') ?? list('--source') ?? ['kinesis', 'dynamodb', 'sqs']
/** The contenders measured by default; the others (floor-noschema, c10, powertools-parser) on request. */
const CANONICAL = ['floor', 'lambda-stream-handlers', 'powertools', 'middy', 'middy-partial']
const picked = list('--contenders') ?? CANONICAL
const pairs = Number(flag('--pairs') ?? 9)
const warmupMs = Number(flag('--warmup-ms') ?? 400)
const timedMs = Number(flag('--timed-ms') ?? 500)
const libDist = flag('--lib-dist')
const out = flag('--out') ?? (quick ? undefined : fileURLToPath(new URL('./RESULTS.md', import.meta.url)))
const LIB = 'lambda-stream-handlers'

for (const s of sources)
  if (!workloads.some((w) => w.source === s)) throw new Error(`--sources: no source ${s} (${workloads.map((w) => w.source).join(', ')})`)
if (!(pairs >= 1)) throw new Error('--pairs must be a whole number of 1 or more (the method asks for at least 9)')
const selected = workloads
  .filter((w) => sources.includes(w.source))
  // The floor always runs: every ratio is to it.
  .map((w) => ({ ...w, contenders: w.contenders.filter((c, i) => i === 0 || picked.includes(c.name)) }))

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
const lines: string[] = []
const say = (line = ''): void => {
  lines.push(line)
  console.log(line)
}
const started = Date.now()
const progress = (what: string): void => console.error(`[${((Date.now() - started) / 60_000).toFixed(1)} min] ${what}`)

say('# Benchmark results')
say()
say(
  `Written by \`npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}\` (bench/run.ts). The method is issue 19's: separate processes, paired.`,
)
say()
say(describeMachine())
if (flag('--note') !== undefined) say(`- note: ${flag('--note')}`)

if (quick) {
  gc()
  const options: ThroughputOptions = { rounds: 5, warmupMs: 300, sampleMs: 50 }
  say()
  say(
    '`--quick`: the in-process interleaved harness (every contender in one process, 5 rounds of ~50 ms after 300 ms of warm-up). For iteration only: ',
  )
  say('contenders share JIT feedback and a cell moves by up to 0.5x between runs; the figures that count come from the full run.')
  for (const workload of selected) {
    say()
    say(`## ${workload.source}`)
    say()
    say('| contender | N | records/s (CPU, median) | x floor (median of per-round ratios) | min–max |')
    say('| --- | ---: | ---: | ---: | ---: |')
    for (const n of sizes) {
      for (const r of await throughput(workload, n, options)) {
        say(
          `| ${r.name} | ${fmt(n)} | ${fmt(median(r.rates))} | ${median(r.ratios).toFixed(2)} | ${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)} |`,
        )
      }
    }
  }
  finish()
  process.exit(0)
}

say()
say(
  `Throughput: one process per contender per source per batch size (bench/cell.ts, bundled to plain node; the library loaded from ${libDist ?? 'dist/'}), as Lambda runs one ` +
    `handler per process, so no JIT feedback is shared between contenders. ${pairs} rounds per cell; each round runs every contender's process once, in an order rotated ` +
    "from round to round, and pairs each with the floor's process of the same round. In each process: the first invocation is checked (it must report exactly the " +
    `floor's failures and feed the record function the same records), then ${warmupMs} ms of CPU time of warm-up, then the timed section: invocations on fresh event copies ` +
    "(JSON.parse of the event's text, as Lambda's runtime makes them) with a fresh Lambda-like context each (its getRemainingTimeInMillis reads the clock), each made " +
    `off the clock just before its invocation, no forced GC (a forced full GC between invocations throws away optimized code: bench/PROFILE.md, seventh pass), until ${timedMs} ms of CPU time. ` +
    'The figure is the CPU time (user + system, GC threads included) of the handler calls per record. "x floor" is the median of the paired ratios floor µs / contender µs (above 1: faster than the floor), with their min–max; ' +
    '"over floor" the median of the paired differences in µs per record. 1% of the records are invalid: half truncated JSON (DynamoDB: an attribute of no type), half a schema mismatch.',
)

const results = new Map<string, PairedResult[]>() // by source and size: `${source} ${n}`
const script = await bundleScript('cell', libDist === undefined ? undefined : resolve(libDist))
for (const workload of selected) {
  say()
  say(`## ${workload.source}`)
  say()
  say('| contender | what it is |')
  say('| --- | --- |')
  for (const c of workload.contenders) say(`| ${c.name} | ${c.what} |`)
  say()
  say('| contender | N | µs/record (CPU), median (min–max) | x floor, median (min–max) | over floor µs/record, median (min–max) |')
  say('| --- | ---: | ---: | ---: | ---: |')
  for (const n of sizes) {
    const entries: Entry[] = workload.contenders.map((c) => ({ label: c.name, contender: c.name, script }))
    const cell = pairedCell(workload.source, n, entries, { pairs, warmupMs, timedMs })
    results.set(`${workload.source} ${n}`, cell)
    for (const r of cell) say(`| ${r.label} | ${fmt(n)} | ${spread(r.us)} | ${spread(r.ratios)} | ${spread(r.overFloor)} |`)
    progress(`${workload.source} N = ${n} done`)
  }
}
say()
say(`Load average (1 / 5 / 15 min) when the throughput rounds ended: ${loadAverage()}.`)

// The issue's targets, cell by cell.
say()
say('## Against the targets (issue 19)')
say()
say(
  'Ahead of Powertools batch and of Middy in every cell (the lead is the median of paired ratios peer µs / library µs, same round: above 1 is ahead); ' +
    'per-record cost over the floor ≤ 0.4 µs on Kinesis and SQS; DynamoDB ≥ 1.3x the floor. Where a target is missed, the newest pass of bench/PROFILE.md has the ablation table ' +
    '(`npm run bench:ablate`, measured the same way): what each feature costs.',
)
say()
say('| source | N | x floor | over floor µs/record | lead over powertools | lead over middy | lead over middy-partial | met | missed |')
say('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
for (const workload of selected) {
  for (const n of sizes) {
    const cell = results.get(`${workload.source} ${n}`)!
    const lib = cell.find((r) => r.label === LIB)
    if (lib === undefined) continue
    const met: string[] = []
    const missed: string[] = []
    const check = (ok: boolean, what: string): void => void (ok ? met : missed).push(what)
    const leads = ['powertools', 'middy', 'middy-partial'].map((peer) => {
      const p = cell.find((r) => r.label === peer)
      if (p === undefined) return '–'
      const l = lead(lib, p)
      check(median(l) > 1, `ahead of ${peer}`)
      return spread(l)
    })
    if (workload.source === 'dynamodb') check(median(lib.ratios) >= 1.3, '≥ 1.3x floor')
    else if (workload.source !== 'sqs-fifo') check(median(lib.overFloor) <= 0.4, '≤ 0.4 µs over floor')
    say(
      `| ${workload.source} | ${fmt(n)} | ${spread(lib.ratios)} | ${spread(lib.overFloor)} | ${leads.join(' | ')} | ${met.join(', ') || '–'} | ${missed.join(', ') || '–'} |`,
    )
  }
}

if (!args.includes('--no-io')) {
  progress('I/O row')
  say()
  say('## I/O-bound records (bench/io.ts)')
  say()
  for (const line of ioRow(await bundleScript('io', libDist === undefined ? undefined : resolve(libDist)))) say(line)
}

if (!args.includes('--no-memory')) {
  progress('memory')
  const n = sizes.includes(10_000) ? 10_000 : Math.max(...sizes)
  say()
  say('## Memory')
  say()
  say(
    `One fresh process per contender (node --expose-gc), a batch of ${fmt(n)} records. Peak RSS is the process's maxRSS after 3 warm-up and 5 measured ` +
      'batches (event template and copies included, so compare with "noop", which only holds the events). Allocated is the heap growth over one batch ' +
      'plus what every GC during it freed (v8 GCProfiler), median of 5. Retained is the heap left after 300 batches of 100 records between two full GCs, per batch: ~0 means no leak.',
  )
  for (const workload of selected) {
    say()
    say(`### ${workload.source}`)
    say()
    say('| contender | peak RSS MB | + vs noop MB | allocated MB/batch | allocated B/record | retained B/batch |')
    say('| --- | ---: | ---: | ---: | ---: | ---: |')
    let noop = 0
    for (const name of ['noop', ...workload.contenders.map((c) => c.name)]) {
      const memory = fileURLToPath(new URL('./memory.ts', import.meta.url))
      const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', memory, workload.source, name, String(n)], {
        encoding: 'utf8',
      })
      const m = JSON.parse(output.trim().split('\n').at(-1)!) as {
        peakRssMb: number
        allocatedPerBatch: number
        allocatedPerRecord: number
        retainedPerBatch: number
      }
      if (name === 'noop') noop = m.peakRssMb
      say(
        `| ${name} | ${m.peakRssMb.toFixed(1)} | ${(m.peakRssMb - noop).toFixed(1)} | ${(m.allocatedPerBatch / 1e6).toFixed(2)} | ${fmt(m.allocatedPerRecord)} | ${fmt(m.retainedPerBatch)} |`,
      )
    }
  }
}

if (!args.includes('--no-cold')) {
  progress('cold start')
  const cold = fileURLToPath(new URL('./coldstart.ts', import.meta.url))
  const output = execFileSync(process.execPath, ['--import', 'tsx', cold, '--runs', '25'], { encoding: 'utf8' })
  say()
  say('## Cold start and bundle size (bench/coldstart.ts)')
  for (const line of output.trim().split('\n')) say(line)
}

finish()

function finish(): void {
  say()
  say(`Load average (1 / 5 / 15 min) at the end: ${loadAverage()}; the run took ${((Date.now() - started) / 60_000).toFixed(1)} min.`)
  if (out === undefined) return
  writeFileSync(out, `${lines.join('\n')}\n`)
  console.log(`\nwritten to ${out}`)
}
