// The canonical method (issue 19): separate processes, paired. Each process runs one contender on
// one source at one batch size (bench/cell.ts), as Lambda runs one handler per process, so no JIT
// feedback is shared between contenders. A round runs every contender once, in an order rotated
// each round (A B C, B C A, ...), and each contender's ratio is taken to the floor's process of
// the same round: the median of those paired ratios, with their min–max, is the figure.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build, type Plugin } from 'esbuild'
import type { CellRun } from './cell.js'
import { median } from './harness.js'
import { workloads } from './workloads.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Bundles a bench script (bench/cell.ts, bench/io.ts) to plain JavaScript in .bench-out/bench/ (a
 * process starts in ~0.2 s instead of ~0.7 s under tsx), every package external: zod, Powertools
 * and Middy load as published, and the library from `libDist` (a build directory, default dist/),
 * never from src/. `as` names the output, one per library build.
 */
export async function bundleScript(script: 'cell' | 'io', libDist = `${root}dist`, as: string = script): Promise<string> {
  const outfile = `${root}.bench-out/bench/${as}.mjs`
  mkdirSync(`${root}.bench-out/bench`, { recursive: true })
  const library: Plugin = {
    name: 'library-from',
    setup(b) {
      // Only the root entry: the test kit (events, contexts) always comes from dist/, so every build is fed the same events.
      b.onResolve({ filter: /^lambda-stream-handlers$/ }, () => ({ path: pathToFileURL(`${libDist}/esm/index.js`).href, external: true }))
    },
  }
  await build({
    entryPoints: [`${root}bench/${script}.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    plugins: [library],
    logLevel: 'error',
  })
  return outfile
}

/** One column of a cell: a contender of the workload, run by a bundled cell script (one per library build). */
export interface Entry {
  readonly label: string
  readonly contender: string
  readonly script: string
}

export interface PairedOptions {
  /** Rounds; each gives one pair (the floor's process and this entry's) per entry. */
  readonly pairs: number
  readonly warmupMs: number
  readonly timedMs: number
  /** Called after each process, for progress. */
  readonly onRun?: (label: string, round: number, run: CellRun) => void
}

export interface PairedResult {
  readonly label: string
  readonly n: number
  /** CPU µs per record, one per round. */
  readonly us: number[]
  /** The floor's µs/record over this entry's, one per round (higher is faster; the floor's own are 1). */
  readonly ratios: number[]
  /** This entry's µs/record minus the floor's, one per round. */
  readonly overFloor: number[]
}

function runCell(entry: Entry, source: string, n: number, eventFile: string, options: PairedOptions): CellRun {
  const args = [source, entry.contender, String(n), eventFile, String(options.warmupMs), String(options.timedMs)]
  const out = execFileSync(process.execPath, ['--expose-gc', entry.script, ...args], {
    encoding: 'utf8',
    cwd: root,
    maxBuffer: 1 << 24,
  })
  return JSON.parse(out.trim().split('\n').at(-1)!) as CellRun
}

/**
 * One source at one batch size: `pairs` rounds of one process per entry, the floor (entries[0])
 * included, all on one event. Every process must report the floor's failures and feed the same records, or this
 * throws: a faster contender that does less work is no result.
 */
export function pairedCell(source: string, n: number, entries: readonly Entry[], options: PairedOptions): PairedResult[] {
  // The event, made here once: every process parses the same text.
  const workload = workloads.find((w) => w.source === source)
  if (workload === undefined) throw new Error(`bench/paired.ts: no source ${source}`)
  const eventFile = `${root}.bench-out/bench/event-${source}-${n}.json`
  writeFileSync(eventFile, JSON.stringify(workload.makeEvent(n)))
  const us: number[][] = entries.map(() => [])
  let expected: string | undefined
  for (let r = 0; r < options.pairs; r++) {
    for (let k = 0; k < entries.length; k++) {
      const i = (k + r) % entries.length
      const entry = entries[i]!
      const run = runCell(entry, source, n, eventFile, options)
      if (expected === undefined) expected = run.outcome
      else if (run.outcome !== expected)
        throw new Error(
          `${source} N = ${n}: ${entry.label} reports a different outcome than ${entries[0]!.label}:\n${run.outcome}\n${expected}`,
        )
      us[i]!.push(run.usPerRecord)
      options.onRun?.(entry.label, r, run)
    }
  }
  return entries.map((e, i) => ({
    label: e.label,
    n,
    us: us[i]!,
    ratios: us[i]!.map((x, r) => us[0]![r]! / x),
    overFloor: us[i]!.map((x, r) => x - us[0]![r]!),
  }))
}

/** `a`'s lead over `b`, round by round: b's µs/record over a's (above 1: a is faster). */
export function lead(a: PairedResult, b: PairedResult): number[] {
  return a.us.map((x, r) => b.us[r]! / x)
}

/** "median (min–max)" of a list, with `digits` decimals. */
export function spread(xs: readonly number[], digits = 2): string {
  return `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`
}
