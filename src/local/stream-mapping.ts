/**
 * One stream event source mapping at work: lanes per shard, the rules of `rules.ts`, and the
 * bookkeeping that becomes the report. The simulator and the local runner both drive this; they
 * differ only in the clock and in where records come from.
 */
import type { Context } from 'aws-lambda'
import { lambdaContext } from '../testing/context.js'
import type { InvocationReport, MappingReport, RecordReport, ShardReport } from './report.js'
import { createLanes, interpret, laneOf, nextStart, settle, takeBatch, windowClosesAt, windowOf, type Batch, type Lane, type StreamItem, type StreamSettings, type Verdict } from './rules.js'
import { failureRecord, type FailureDestinationRecord, type StreamSource } from './stream-rows.js'

/** What calling the function produced. */
export interface CallResult {
  readonly response?: unknown
  readonly error?: unknown
  readonly timedOut?: boolean
  readonly durationMs: number
}

/** Calls the function with an event and a context whose clock reads `now`. */
export type Caller = (event: unknown, context: Context) => Promise<CallResult>

interface Entry {
  id: string
  shardId: string
  key: string
  deliveries: number
  fate?: RecordReport['fate']
  expiredBy?: RecordReport['expiredBy']
  failureRecord?: FailureDestinationRecord
  discardedBehindFailure?: boolean
  reportedButIgnored?: boolean
  filteredBecause?: string
}

export const STREAM_ASSUMPTIONS: readonly string[] = [
  'BisectBatchOnFunctionError: a failed batch of more than one record is split in two halves (the first half gets the extra record), down to single records; each half starts with a fresh retry count, and the split itself is not a retry (AWS documents the split, not how deep it goes nor how retries count per half).',
  'A malformed partial batch response (functionError null) fails the whole batch but is not bisected: only function errors are.',
  'After a partial failure that moves the checkpoint, the retried batch is exactly the rest of the failed batch, from the lowest reported record on, with a fresh retry count, as AWS was seen to do; no new records join it.',
  'Retries wait 1 s, then 2 s, 4 s… up to 60 s (Lambda does not document its backoff).',
  'With ParallelizationFactor N, a record goes to lane hash(partitionKey) mod N; each lane runs one batch at a time, so order holds per partition key.',
  'Records past MaximumRecordAgeInSeconds at the head of a batch are discarded in one RecordAgeExceeded failure record; the fresh ones are delivered, as AWS was seen to do.',
  'A response object without `batchItemFailures` counts as success, like `{}`, as AWS was seen to do.',
]

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function hasState(response: unknown): boolean {
  const state = (response as { state?: unknown } | null | undefined)?.state
  return typeof state === 'object' && state !== null && !Array.isArray(state)
}

const WINDOW_ASSUMPTION =
'Tumbling windows: windows are aligned to multiples of TumblingWindowInSeconds by arrival time; each parallelization lane keeps its own window and state; a window whose last records were delivered in a non-final invocation closes with a final invocation without records (AWS does not document whether it sends one) once a record of a later window arrives or windowGraceSeconds after its end; a partial response keeps the state it returned; a discarded batch leaves the state as it was; isWindowTerminatedEarly is never set (the 1 MB state limit is not simulated).'

function errorInfo(e: unknown): { name: string; message: string } {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) }
}

/** A deterministic source of request ids (UUID-shaped) from a seed. */
export function requestIds(seed: number): () => string {
  let s = seed >>> 0 || 1
  const word = (): string => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0).toString(16).padStart(8, '0')
  }
  return () => {
    const a = word() + word() + word() + word()
    return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-8${a.slice(17, 20)}-${a.slice(20, 32)}`
  }
}

export interface StreamMapping<R> {
  /** Adds records read from the stream (in shard order). */
  add(items: readonly StreamItem<R>[]): void
  /** Marks records the mapping will never read (before its starting position). */
  skip(items: readonly StreamItem<R>[]): void
  /** The lane that can start next and when, or undefined when nothing is waiting. */
  next(): { lane: Lane<R>; at: number } | undefined
  /** Takes the lane's batch at `now` and runs it through `call`; `end` says when the call ended. */
  run(lane: Lane<R>, now: number, call: Caller, end: (started: number, result: CallResult) => number): Promise<InvocationReport | undefined>
  /** The lanes that can start at `now`, and when the next one after them can. */
  due(now: number): { lanes: Lane<R>[]; wake: number }
  /** Whether every record added so far is settled. */
  settled(): boolean
  /** How many records are settled. */
  settledCount(): number
  /** The report; records not settled yet are `pending` when `stopped` (a local run that was stopped), an error otherwise. */
  report(now: number, stopped?: boolean): MappingReport
}

/** Creates the mapping for one stream. */
export function createStreamMapping<R>(
  source: StreamSource<R>,
  s: StreamSettings,
  o: {
    functionArn: string
    timeoutMs: number
    nextRequestId: () => string
    assumptions?: readonly string[]
    /**
     * Extension point for FilterCriteria: records it refuses never reach a batch and end `filtered`
     * (the iterator moves past them, nothing is invoked); a string says why, for the report.
     */
    accept?: (record: R) => boolean | string
    /**
     * For runners on real I/O: whether the shard's reader has read everything the shard holds. A
     * window closes by time only then, so a reader that lags behind the stream (a slow machine,
     * a long retry) does not end a window whose records are still unread. Default: always.
     */
    readerCaughtUp?: (shardId: string) => boolean
  },
): StreamMapping<R> {
  const lanes = new Map<string, Lane<R>[]>()
  const entries = new Map<string, Entry>()
  const order: string[] = []
  const byShard = new Map<string, { items: StreamItem<R>[] }>()
  const invocations: InvocationReport[] = []
  const failures: FailureDestinationRecord[] = []
  const ignored: { invocation: number; ids: string[] }[] = []
  let lastTime = -Infinity
  let settledN = 0
  const uid = (shardId: string, id: string): string => `${shardId}:${id}`

  function lanesOf(shardId: string): Lane<R>[] {
    let l = lanes.get(shardId)
    if (l === undefined) lanes.set(shardId, (l = createLanes<R>(shardId, s.parallelization)))
    return l
  }

  function register(item: StreamItem<R>): Entry {
    const key = uid(item.shardId, item.id)
    const entry: Entry = { id: item.id, shardId: item.shardId, key: item.key, deliveries: 0 }
    entries.set(key, entry)
    order.push(key)
    let shard = byShard.get(item.shardId)
    if (shard === undefined) byShard.set(item.shardId, (shard = { items: [] }))
    shard.items.push(item)
    return entry
  }

  // The lane's open window, opened by the first batch of records of a new window (state `{}`, fact 59).
  function openWindow(lane: Lane<R>, batch: Batch<R>): NonNullable<Lane<R>['window']> {
    const first = batch.items[0]
    if (lane.window === undefined) {
      if (first === undefined) throw new Error('internal: a window-end batch without an open window')
      lane.window = { start: windowOf(first, s), state: {}, streamArn: source.stream.streamArn(first.record) }
    }
    return lane.window
  }

  const entryOf = (item: StreamItem<R>): Entry => entries.get(uid(item.shardId, item.id)) as Entry

  function fate(item: StreamItem<R>, f: NonNullable<Entry['fate']>, extra: Partial<Entry> = {}): void {
    const e = entryOf(item)
    if (e.fate !== undefined) throw new Error(`internal: record ${e.id} settled twice (${e.fate}, then ${f})`)
    Object.assign(e, extra, { fate: f })
    settledN++
  }

  function discard(
    items: readonly StreamItem<R>[],
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
    invokes: number,
    functionError: 'Unhandled' | null,
    now: number,
    behind: (item: StreamItem<R>) => boolean,
  ): void {
    const record = failureRecord(source, items, { condition, invokes, functionError, requestId: o.nextRequestId(), functionArn: o.functionArn, now })
    failures.push(record)
    for (const item of items) {
      if (condition === 'RecordAgeExceeded') fate(item, 'expired', { expiredBy: 'MaximumRecordAgeInSeconds', failureRecord: record })
      else fate(item, 'discarded', { failureRecord: record, ...(behind(item) ? { discardedBehindFailure: true } : {}) })
    }
  }

  // Which records of a failed batch were collateral: after the lowest reported one, or marked
  // unstarted by this library's AllRecordsFailedError.
  function collateral(batch: Batch<R>, verdict: Verdict, error: unknown): (item: StreamItem<R>) => boolean {
    if (verdict.kind === 'partial') {
      const first = batch.items[verdict.index] as StreamItem<R>
      return (item) => item.seq > first.seq
    }
    const outcomes = (error as { outcomes?: unknown } | null | undefined)?.outcomes
    if (Array.isArray(outcomes)) {
      const skipped = new Set(
        outcomes.filter((x: { status?: unknown; reason?: { kind?: unknown } }) => x?.status === 'skipped' && x.reason?.kind === 'after-failure').map((x: { id?: unknown }) => x.id),
      )
      return (item) => skipped.has(item.id)
    }
    return () => false
  }

  return {
    add(items) {
      for (const item of items) {
        const entry = register(item)
        const verdict = o.accept?.(item.record) ?? true
        if (verdict !== true) {
          entry.fate = 'filtered'
          if (typeof verdict === 'string') entry.filteredBecause = verdict
          settledN++
          continue
        }
        const shardLanes = lanesOf(item.shardId)
        ;(shardLanes[laneOf(item.key, s.parallelization)] as Lane<R>).buffer.push(item)
      }
    },
    skip(items) {
      for (const item of items) register(item).fate = 'before-start'
      settledN += items.length
    },
    next() {
      let best: { lane: Lane<R>; at: number } | undefined
      for (const shardLanes of lanes.values()) {
        for (const lane of shardLanes) {
          lane.readerBehind = o.readerCaughtUp?.(lane.shardId) === false
          const at = nextStart(lane, s)
          if (at !== Infinity && (best === undefined || at < best.at)) best = { lane, at }
        }
      }
      return best
    },
    async run(lane, now, call, end) {
      lane.readerBehind = o.readerCaughtUp?.(lane.shardId) === false
      const { batch, aged, trimmed } = takeBatch(lane, now, s)
      lastTime = Math.max(lastTime, now)
      for (const item of trimmed) fate(item, 'expired', { expiredBy: 'retention' })
      if (aged !== undefined) discard(aged.items, 'RecordAgeExceeded', aged.invokes, null, now, () => false)
      if (batch === undefined) {
        lane.freeAt = Math.max(lane.freeAt, now)
        return undefined
      }
      lane.busy = true
      batch.invokes++
      const ids = batch.items.map((i) => i.id)
      for (const item of batch.items) entryOf(item).deliveries++
      const win = s.tumblingMs > 0 ? openWindow(lane, batch) : undefined
      // Final when nothing of the window is left to deliver and the window is over (fact 63).
      const final = win !== undefined && lane.pending.length === 0 && (batch.items.length === 0 || windowClosesAt(lane, s) <= now)
      const records = batch.items.map((i) => i.record)
      const event =
        win === undefined
          ? { Records: records }
          : {
              Records: records,
              // Fact 59: the window's bounds, the state so far, and the window flags.
              window: { start: isoSeconds(win.start), end: isoSeconds(win.start + s.tumblingMs) },
              state: win.state,
              shardId: lane.shardId,
              eventSourceARN: win.streamArn,
              isFinalInvokeForWindow: final,
              isWindowTerminatedEarly: false,
            }
      const requestId = o.nextRequestId()
      const context = lambdaContext({ timeoutMs: o.timeoutMs, now: () => now, awsRequestId: requestId, functionName: o.functionArn.slice(o.functionArn.lastIndexOf(':') + 1) })
      const index = invocations.length
      const placeholder = {} as InvocationReport
      invocations.push(placeholder)
      const result = await call(event, context)
      const finished = end(now, result)
      lastTime = Math.max(lastTime, finished)
      let verdict: Verdict
      if (result.timedOut === true) verdict = { kind: 'failure', functionError: 'Unhandled', reason: 'timeout' }
      else if (result.error !== undefined) verdict = { kind: 'failure', functionError: 'Unhandled', reason: errorInfo(result.error).message }
      else if (win !== undefined && !hasState(result.response)) {
        // Fact 61: a window invocation must return an object with a `state`; without one it failed.
        verdict = { kind: 'failure', functionError: null, reason: 'A tumbling-window response must be an object with a `state` object; Lambda counts any other answer as a failure.' }
      } else verdict = interpret(result.response, ids, s.reportBatchItemFailures)
      const resultKind: InvocationReport['result'] =
        result.timedOut === true ? 'timeout' : result.error !== undefined ? 'error' : verdict.kind === 'success' ? 'success' : verdict.kind === 'partial' ? 'partial' : 'malformed-response'
      const ignoredIds = verdict.kind === 'success' ? verdict.ignored : []
      Object.assign(placeholder, {
        index,
        at: new Date(now).toISOString(),
        shardId: lane.shardId,
        lane: lane.index,
        trigger: batch.trigger,
        attempt: batch.invokes,
        records: ids,
        event,
        ...(result.error === undefined && result.timedOut !== true ? { response: result.response } : {}),
        ...(result.timedOut === true
          ? { error: { name: 'TimeoutError', message: `Task timed out after ${(o.timeoutMs / 1000).toFixed(2)} seconds` } }
          : result.error !== undefined
            ? { error: errorInfo(result.error) }
            : {}),
        durationMs: result.durationMs,
        result: resultKind,
        ...(ignoredIds.length > 0 ? { ignoredBatchItemFailures: ignoredIds } : {}),
      } satisfies InvocationReport)
      if (ignoredIds.length > 0) {
        ignored.push({ invocation: index, ids: [...ignoredIds] })
        const set = new Set(ignoredIds)
        for (const item of batch.items) if (set.has(item.id)) entryOf(item).reportedButIgnored = true
      }
      const decision = settle(lane, batch, verdict, finished, s)
      for (const item of decision.succeeded) fate(item, 'succeeded')
      if (decision.discarded !== undefined) {
        const d = decision.discarded
        if (d.items.length > 0) discard(d.items, 'RetryAttemptsExhausted', d.invokes, d.functionError, finished, collateral(batch, verdict, result.error))
      }
      if (win !== undefined) {
        // The returned state goes into the window's next invocation; a failed one leaves it as it was.
        if (verdict.kind !== 'failure') win.state = (result.response as { state: Record<string, unknown> }).state
        // The window ends with its final invocation's success, or when that invocation is discarded.
        if (final && (verdict.kind === 'success' || decision.discarded !== undefined)) lane.window = undefined
      }
      return placeholder
    },
    due(now) {
      const ready: Lane<R>[] = []
      let wake = Infinity
      for (const shardLanes of lanes.values()) {
        for (const lane of shardLanes) {
          lane.readerBehind = o.readerCaughtUp?.(lane.shardId) === false
          const at = nextStart(lane, s)
          if (at <= now) ready.push(lane)
          else wake = Math.min(wake, at)
        }
      }
      return { lanes: ready, wake }
    },
    settledCount: () => settledN,
    // Every record settled, and no tumbling window waiting for its final invocation.
    settled: () => settledN === entries.size && [...lanes.values()].every((l) => l.every((lane) => lane.window === undefined)),
    report(now, stopped = false) {
      const shards: ShardReport[] = []
      for (const [shardId, shard] of [...byShard.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const sorted = [...shard.items].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))
        let checkpoint: string | null = null
        for (const item of sorted) {
          const f = entryOf(item).fate
          if (f === undefined || f === 'pending') break
          if (f !== 'before-start') checkpoint = item.id // filtered records move the checkpoint too (fact 81)
        }
        shards.push({ shardId, checkpoint })
      }
      const outcomes: RecordReport[] = order.map((k) => {
        const e = entries.get(k) as Entry
        if (e.fate === undefined && !stopped) throw new Error(`internal: record ${e.id} has no fate`)
        return {
          id: e.id,
          shardId: e.shardId,
          key: e.key,
          deliveries: e.deliveries,
          fate: e.fate ?? 'pending',
          ...(e.expiredBy === undefined ? {} : { expiredBy: e.expiredBy }),
          ...(e.failureRecord === undefined ? {} : { failureRecord: e.failureRecord }),
          ...(e.discardedBehindFailure === true ? { discardedBehindFailure: true } : {}),
          ...(e.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
          ...(e.filteredBecause === undefined ? {} : { filteredBecause: e.filteredBecause }),
        }
      })
      return {
        invocations,
        outcomes,
        shards,
        failureDestination: failures,
        costly: {
          discardedBehindFailure: outcomes.filter((r) => r.discardedBehindFailure === true).map((r) => r.id),
          ignoredPartialResponses: ignored,
          duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
        },
        assumptions: [...(o.assumptions ?? STREAM_ASSUMPTIONS), ...(s.tumblingMs > 0 ? [WINDOW_ASSUMPTION] : [])],
        endedAt: new Date(Math.max(now, lastTime === -Infinity ? now : lastTime)).toISOString(),
      }
    },
  }
}
