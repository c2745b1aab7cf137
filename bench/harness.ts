// What every source's benchmark shares: the contender and workload types, fresh event copies as
// Lambda's runtime makes them, the outcome check, and the in-process interleaved harness of
// `npm run bench -- --quick` (for iteration only; the canonical method is bench/paired.ts).
import type { Context } from 'aws-lambda'
import { lambdaContext } from 'lambda-stream-handlers/testing'

/** What every contender returns: Lambda's partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[]
}

/**
 * One contender: `make` builds the handler once (as a Lambda module does at init) around the
 * record function `work`, which every contender must call once per valid record.
 */
export interface Contender<E> {
  readonly name: string
  /** One line for RESULTS.md: what this contender is. */
  readonly what: string
  make(work: Work): Handler<E>
}

/** A built contender, called as Lambda calls a handler: the event and a fresh context. */
export type Handler<E> = (event: E, context: Context) => Promise<BatchResponse>

/**
 * The context of one invocation, as the runtime gives one: `getRemainingTimeInMillis` reads the
 * clock (Lambda's does too), so a handler that checks its deadline per record pays for it here.
 */
export const invocationContext = (): Context => lambdaContext({ timeoutMs: 900_000 })

/** The record function every contender feeds. Async, as real record functions are. */
export type Work = (payload: { readonly amount: number }) => Promise<void>

/**
 * A source's benchmark: an event maker and its contenders, the floor first. Adding a source is a
 * file like `kinesis.ts` and a row in `workloads.ts`.
 */
export interface Workload<E> {
  readonly source: string
  /** An event of `n` records, 1% of them invalid (half bad encoding, half failing the schema). */
  makeEvent(n: number): E
  readonly contenders: readonly Contender<E>[]
}

export interface CellResult {
  readonly name: string
  readonly n: number
  /** Records per second of this process's CPU time (user + system), one per round. */
  readonly rates: number[]
  /** Records per second of wall time, one per round. */
  readonly wallRates: number[]
  /** This contender's rate over the floor's, one per round (same round, so same machine weather). */
  readonly ratios: number[]
}

export const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('Run with node --expose-gc (npm run bench does).')
  })

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Fed records: each contender must feed the same ones as the floor. */
export interface Feed {
  count: number
  sum: number
}

export function feedingWork(feed: Feed): Work {
  return async (payload) => {
    feed.count++
    feed.sum += payload.amount
  }
}

/**
 * Runs every contender once on a fresh copy and checks that each reports exactly the floor's
 * failures and feeds the same records; returns the number of failures.
 */
export async function checkSameOutcome<E>(workload: Workload<E>, event: E): Promise<number> {
  let expected: string | undefined
  let expectedFeed: string | undefined
  for (const c of workload.contenders) {
    const feed: Feed = { count: 0, sum: 0 }
    const response = await c.make(feedingWork(feed))(eventCopier(event)(), invocationContext())
    const ids = response.batchItemFailures.map((f) => f.itemIdentifier).sort()
    const got = JSON.stringify(ids)
    const fed = `${feed.count} records, amounts summing to ${feed.sum}`
    if (expected === undefined) {
      expected = got
      expectedFeed = fed
      if (ids.length === 0) throw new Error(`${workload.source}: the floor reports no failures; the event has no invalid records`)
    } else {
      if (got !== expected) throw new Error(`${workload.source}: ${c.name} reports different failures than the floor:\n${got}\n${expected}`)
      if (fed !== expectedFeed) throw new Error(`${workload.source}: ${c.name} fed ${fed}; the floor fed ${expectedFeed}`)
    }
  }
  return JSON.parse(expected!).length as number
}

export interface ThroughputOptions {
  readonly rounds: number
  readonly warmupMs: number
  /** Each sample runs back-to-back invocations for about this long (at least one). */
  readonly sampleMs: number
}

/**
 * A fresh copy of an event as Lambda's Node runtime makes one: `JSON.parse` of the invocation's
 * JSON text (the template, or its text). (A `structuredClone` copy is not the same to V8: its
 * strings are not internalized and its objects are built differently, and it made some
 * contenders 2-3x slower than with real events.)
 */
export function eventCopier<E>(template: E | string): () => E {
  const text = typeof template === 'string' ? template : JSON.stringify(template)
  return () => JSON.parse(text) as E
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6
/**
 * CPU time of this process in ms. The machine is shared: wall time counts the moments another
 * process had the core, CPU time does not (GC helper threads do count, as they should).
 */
export const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Measures one source at one batch size; returns one result per contender, the floor first. */
export async function throughput<E>(workload: Workload<E>, n: number, options: ThroughputOptions): Promise<CellResult[]> {
  const template = workload.makeEvent(n)
  await checkSameOutcome(workload, template)
  const copy = eventCopier(template)
  const sink: Feed = { count: 0, sum: 0 }
  const work = feedingWork(sink)
  const handlers = workload.contenders.map((c) => c.make(work))

  // Warm-up: run each contender for warmupMs and learn how many invocations fill a sample.
  const perSample: number[] = []
  for (const handler of handlers) {
    const t0 = now()
    let runs = 0
    let busy = 0
    while (now() - t0 < options.warmupMs || runs < 2) {
      const event = copy()
      const s = now()
      await handler(event, invocationContext())
      busy += now() - s
      runs++
    }
    perSample.push(Math.max(1, Math.round(options.sampleMs / (busy / runs))))
  }

  const rates: number[][] = handlers.map(() => [])
  const wallRates: number[][] = handlers.map(() => [])
  for (let r = 0; r < options.rounds; r++) {
    // Rotate who goes first, so drift on a shared machine hits everyone alike.
    for (let k = 0; k < handlers.length; k++) {
      const c = (k + r) % handlers.length
      const events = Array.from({ length: perSample[c]! }, copy)
      const contexts = events.map(invocationContext)
      gc()
      const c0 = cpuNow()
      const t0 = now()
      for (let i = 0; i < events.length; i++) await handlers[c]!(events[i]!, contexts[i]!)
      const ms = now() - t0
      const cpuMs = cpuNow() - c0
      rates[c]!.push((n * events.length * 1000) / cpuMs)
      wallRates[c]!.push((n * events.length * 1000) / ms)
    }
  }
  return workload.contenders.map((c, i) => ({
    name: c.name,
    n,
    rates: rates[i]!,
    wallRates: wallRates[i]!,
    ratios: rates[i]!.map((rate, round) => rate / rates[0]![round]!),
  }))
}
