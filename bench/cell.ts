// One process of the canonical method (bench/paired.ts): one contender, one source, one batch
// size, as Lambda runs one handler per process. bench/paired.ts bundles this file to plain node
// (the library stays external: node loads it from dist/, or from the build --lib-dist names).
//   node --expose-gc .bench-out/bench/cell.mjs <source> <contender> <n> <event file> <warm-up ms> <timed ms>
// The event comes as JSON text from the parent, so this process never runs the test kit: the
// library's modules get no type feedback from building events (the test kit shares them).
// Prints one JSON line (CellRun): CPU µs per record of the timed section only, and the failures
// and records of the first invocation, which the parent checks against the floor's.
import { readFileSync } from 'node:fs'
import { cpuNow, eventCopier, invocationContext, type Feed } from './harness.js'
import { workloads } from './workloads.js'

/** What one process reports. */
export interface CellRun {
  /** CPU time (user + system) of the timed section over the records it ran, in µs per record. */
  readonly usPerRecord: number
  readonly invocations: number
  /** The first invocation's failures (sorted ids) and what it fed the record function. */
  readonly outcome: string
}

const [source, name, nText, eventFile, warmupText, timedText] = process.argv.slice(2)
const workload = workloads.find((w) => w.source === source)
const contender = workload?.contenders.find((c) => c.name === name)
if (workload === undefined || contender === undefined) throw new Error(`bench/cell.ts: no contender ${name} for source ${source}`)
const n = Number(nText)
const warmupMs = Number(warmupText ?? 400)
const timedMs = Number(timedText ?? 500)

const feed: Feed = { count: 0, sum: 0 }
const handler = contender.make(async (payload) => {
  feed.count++
  feed.sum += payload.amount
})
const copy = eventCopier(readFileSync(eventFile!, 'utf8'))

// The first invocation: its outcome, for the parent's check.
const first = await handler(copy(), invocationContext())
const ids = first.batchItemFailures.map((f) => f.itemIdentifier).sort()
const outcome = `${JSON.stringify(ids)}; fed ${feed.count} records, amounts summing to ${feed.sum}`

// Warm-up: the JIT settles.
let runs = 0
let busy = 0
while (busy < warmupMs || runs < 3) {
  const event = copy()
  const context = invocationContext()
  const c0 = cpuNow()
  await handler(event, context)
  busy += cpuNow() - c0
  runs++
}

// The timed section, as Lambda runs a warm handler: each invocation gets a fresh copy of the event
// (JSON.parse of its text, as Lambda's runtime makes it) and a fresh context, made off the clock;
// only the handler call is on it. No forced GC: a forced full GC between invocations, when no
// payload is alive, lets V8 collect the payloads' hidden classes and throw away the optimized code
// that depends on them, so every sample re-warmed the contender (bench/PROFILE.md, seventh pass);
// on Lambda a full GC runs when allocation triggers it, inside an invocation, and each contender's
// own GC cost, scavenges of the live event included, falls inside its timed calls.
let cpuMs = 0
let invocations = 0
while (cpuMs < timedMs || invocations < 3) {
  const event = copy()
  const context = invocationContext()
  const c0 = cpuNow()
  await handler(event, context)
  cpuMs += cpuNow() - c0
  invocations++
}

const run: CellRun = { usPerRecord: (cpuMs * 1000) / (invocations * n), invocations, outcome }
console.log(JSON.stringify(run))
