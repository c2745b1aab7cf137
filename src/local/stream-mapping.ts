/**
 * One stream event source mapping at work: lanes per shard, the rules of `rules.ts`, and the
 * bookkeeping that becomes the report. The simulator and the local runner both drive this; they
 * differ only in the clock and in where records come from.
 */
import { lambdaContext } from '../testing/context.js'
import type { InvocationReport, MappingReport, RecordReport, ShardReport } from './report.js'
import { answerReport, callVerdict, type CallResult, type Caller } from './invocation.js'
import {
  createLanes,
  interpret,
  laneOf,
  nextStart,
  settle,
  takeBatch,
  WINDOW_STATE_LIMIT_BYTES,
  windowClosesAt,
  windowOf,
  type Batch,
  type Lane,
  type StreamItem,
  type StreamSettings,
  type Verdict,
} from './rules.js'
import {
  bucketOf,
  failureObjectKey,
  failureRecord,
  withPayload,
  type FailureContext,
  type FailureDestinationRecord,
  type S3FailureObject,
  type StreamSource,
} from './stream-rows.js'

export type { FailureContext } from './stream-rows.js'

// Where the tests of the extension points have always found it.
export { requestIds } from './invocation.js'

interface Entry {
  id: string
  shardId: string
  key: string
  deliveries: number
  arrivalMs: number
  fate?: RecordReport['fate']
  expiredBy?: RecordReport['expiredBy']
  failureRecord?: FailureDestinationRecord
  discardedBehindFailure?: boolean
  reportedButIgnored?: boolean
  filteredBecause?: string
  /** The last invocation that delivered the record: its index and request id. */
  last?: { index: number; requestId: string }
}

// Where AWS is silent (facts 37, 128 and 131 among them), what the rules chose, said as a user acts on it.
export const STREAM_ASSUMPTIONS: readonly string[] = [
  'BisectBatchOnFunctionError: a failed batch of more than one record is split in two halves (the first half gets the extra record), down to single records; each half starts with a fresh retry count, and the split itself is not a retry (AWS documents the split, not how deep it goes nor how retries count per half). So the failure record of a discarded record counts in approximateInvokeCount only the invocations of its last single-record piece, not those of the larger batches it was in before the splits.',
  'A malformed partial batch response (functionError null) fails the whole batch but is not bisected: only function errors are.',
  'After a partial failure that moves the checkpoint, the retried batch is exactly the rest of the failed batch, from the lowest reported record on, with a fresh retry count, as AWS was seen to do; no new records join it.',
  'Retries wait 1 s, then 2 s, 4 s… up to 60 s (Lambda does not document its backoff).',
  'With ParallelizationFactor N, a record goes to lane hash(partitionKey) mod N (for DynamoDB, of the item key); each lane runs one batch at a time, so order holds per key. AWS does not say how it spreads keys. With this choice a failing batch also holds back every other key of its lane while the other lanes go on, and a few keys may leave lanes unused (with a factor of 3, the keys a to f use only two lanes): run with many keys to see every lane busy.',
  "The failure record's requestContext.requestId is the request id of the discarded records' last invocation (the context's awsRequestId, which the function's logs carry); records that expire before any invocation get a fresh id. AWS does not say which id it writes.",
  'Records past MaximumRecordAgeInSeconds at the head of a batch are discarded in one RecordAgeExceeded failure record; the fresh ones are delivered, as AWS was seen to do.',
  'A response object without `batchItemFailures` counts as success, like `{}`, as AWS was seen to do.',
]

const S3_ASSUMPTION =
  "An S3 bucket destination receives each failure record with payload, the event of the discarded records as JSON: their last invocation's event holding only them (a window's fields kept), or, for records that expired before any invocation, an event of their own. AWS documents the payload as the whole invocation event, not which records it holds after a partial response. The time in each object's key (report.failureObjects) is the record's timestamp, and the mapping's UUID in it is made from the function's and the stream's ARNs."

const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z')

function hasState(response: unknown): boolean {
  const state = (response as { state?: unknown } | null | undefined)?.state
  return typeof state === 'object' && state !== null && !Array.isArray(state)
}

// Facts 67, 129 and 130.
const WINDOW_ASSUMPTIONS: readonly string[] = [
  'Tumbling windows: windows are aligned to multiples of TumblingWindowInSeconds by arrival time; a window whose last records were delivered in a non-final invocation closes with a final invocation without records (AWS does not document whether it sends one) once a record of a later window arrives or windowGraceSeconds after its end; a state over 1 MB (1,048,576 bytes of JSON) returned by a non-final invocation ends the window early: its next invocation is the final one (isWindowTerminatedEarly true, no records, that state), and the later records of the window start again from an empty state, as aws-lambda-go describes.',
  "Tumbling windows with ParallelizationFactor above 1: each lane keeps its own window and state, so a shard gets one final invocation per lane and window, each with the aggregate of its lane's keys only. Combine the parts downstream (by window and shard), or keep the factor at 1 for one aggregate per shard.",
  "A window's final invocation that runs out of retries (MaximumRetryAttempts) is dropped without a failure record, and the window's records still show succeeded: the aggregate is lost. The report lists each such window in costly.lostWindows; retry final invocations generously, or save the state before acting on it.",
  'A retried window batch gets the state of the last successful invocation (a failed one changes nothing). After a partial response (batchItemFailures) the state it returned is kept, and the records from the first reported one on are delivered again with that state, which may already count them: make the aggregate idempotent (keyed by sequence number, say), or do not report failures from a window handler.',
]

/** The mapping of one stream, as the simulator and the local runner drive it. */
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

/** What the mapping is told when it is created, besides the stream's rows and settings. */
export interface MappingOptions<R> {
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
  /** Extension point for a source whose event is not `{ Records }` (Kafka): the event of a batch's records. */
  eventOf?: (records: readonly R[]) => unknown
  /** Extension point for a source whose `itemIdentifier` is not a string (Kafka): the reported identifier as a record's `id`. */
  identify?: (itemIdentifier: unknown) => string | undefined
  /**
   * Extension point for a source with its own on-failure records (Kafka): what the destination
   * receives for discarded records, each with the records it stands for. Default: one record for
   * them all, by the stream's `batchInfoKey`.
   */
  failureRecords?: (items: readonly StreamItem<R>[], o: FailureContext) => readonly FailureSent<R>[]
  /**
   * The mapping's `DestinationConfig.OnFailure.Destination`. An S3 bucket's ARN gives the default
   * failure records their S3 form: the event in `payload`, and each object's key in the report.
   */
  destination?: string | undefined
}

/** One record sent to the on-failure destination, and the records it stands for. */
export interface FailureSent<R> {
  readonly sent: FailureDestinationRecord
  readonly items: readonly StreamItem<R>[]
}

/** The mapping's state: its lanes, every record's entry, and what the report gathers. */
interface MappingState<R> {
  readonly source: StreamSource<R>
  readonly s: StreamSettings
  readonly o: MappingOptions<R>
  readonly lanes: Map<string, Lane<R>[]>
  readonly entries: Map<string, Entry>
  /** The entries' keys in the order the records were read. */
  readonly order: string[]
  readonly byShard: Map<string, { items: StreamItem<R>[] }>
  readonly invocations: InvocationReport[]
  readonly failures: FailureDestinationRecord[]
  readonly ignored: { invocation: number; ids: string[] }[]
  /** The S3 bucket the failure records go to, if the destination is one. */
  readonly bucket: string | undefined
  readonly objects: S3FailureObject[]
  /** Each lane's final invocations of its open window, while it is open. */
  readonly finals: Map<Lane<R>, number[]>
  readonly lostWindows: MappingReport['costly']['lostWindows'][number][]
  lastTime: number
  settledN: number
}

/** Creates the mapping for one stream. */
export function createStreamMapping<R>(source: StreamSource<R>, s: StreamSettings, o: MappingOptions<R>): StreamMapping<R> {
  const st: MappingState<R> = {
    source,
    s,
    o,
    lanes: new Map(),
    entries: new Map(),
    order: [],
    byShard: new Map(),
    invocations: [],
    failures: [],
    ignored: [],
    bucket: o.failureRecords === undefined ? bucketOf(o.destination) : undefined,
    objects: [],
    finals: new Map(),
    lostWindows: [],
    lastTime: -Infinity,
    settledN: 0,
  }
  return {
    add(items) {
      for (const item of items) {
        const entry = register(st, item)
        const verdict = o.accept?.(item.record) ?? true
        if (verdict !== true) {
          entry.fate = 'filtered'
          if (typeof verdict === 'string') entry.filteredBecause = verdict
          st.settledN++
          continue
        }
        ;(lanesOf(st, item.shardId)[laneOf(item.key, s.parallelization)] as Lane<R>).buffer.push(item)
      }
    },
    skip(items) {
      for (const item of items) register(st, item).fate = 'before-start'
      st.settledN += items.length
    },
    next() {
      let best: { lane: Lane<R>; at: number } | undefined
      for (const lane of allLanes(st)) {
        const at = nextStart(lane, s)
        if (at !== Infinity && (best === undefined || at < best.at)) best = { lane, at }
      }
      return best
    },
    run: (lane, now, call, end) => runBatch(st, lane, now, call, end),
    due(now) {
      const ready: Lane<R>[] = []
      let wake = Infinity
      for (const lane of allLanes(st)) {
        const at = nextStart(lane, s)
        if (at <= now) ready.push(lane)
        else wake = Math.min(wake, at)
      }
      return { lanes: ready, wake }
    },
    settledCount: () => st.settledN,
    // Every record settled, and no tumbling window waiting for its final invocation.
    settled: () => st.settledN === st.entries.size && [...st.lanes.values()].every((l) => l.every((lane) => lane.window === undefined)),
    report: (now, stopped = false) => mappingReport(st, now, stopped),
  }
}

const uid = (shardId: string, id: string): string => `${shardId}:${id}`

function lanesOf<R>(st: MappingState<R>, shardId: string): Lane<R>[] {
  let l = st.lanes.get(shardId)
  if (l === undefined) st.lanes.set(shardId, (l = createLanes<R>(shardId, st.s.parallelization)))
  return l
}

/** Every lane, each told whether its shard's reader is behind. */
function* allLanes<R>(st: MappingState<R>): Generator<Lane<R>> {
  for (const shardLanes of st.lanes.values()) {
    for (const lane of shardLanes) {
      lane.readerBehind = st.o.readerCaughtUp?.(lane.shardId) === false
      yield lane
    }
  }
}

function register<R>(st: MappingState<R>, item: StreamItem<R>): Entry {
  const key = uid(item.shardId, item.id)
  const entry: Entry = { id: item.id, shardId: item.shardId, key: item.key, deliveries: 0, arrivalMs: item.arrivalMs }
  st.entries.set(key, entry)
  st.order.push(key)
  let shard = st.byShard.get(item.shardId)
  if (shard === undefined) st.byShard.set(item.shardId, (shard = { items: [] }))
  shard.items.push(item)
  return entry
}

// The lane's open window, opened by the first batch of records of a new window (state `{}`, fact 59); one per lane (fact 130).
function openWindow<R>(st: MappingState<R>, lane: Lane<R>, batch: Batch<R>): NonNullable<Lane<R>['window']> {
  const { source, s } = st
  const first = batch.items[0]
  if (lane.window === undefined) {
    if (first === undefined) throw new Error('internal: a window-end batch without an open window')
    lane.window = { start: windowOf(first, s), state: {}, streamArn: source.stream.streamArn(first.record) }
  }
  return lane.window
}

const entryOf = <R>(st: MappingState<R>, item: StreamItem<R>): Entry => st.entries.get(uid(item.shardId, item.id)) as Entry

function fate<R>(st: MappingState<R>, item: StreamItem<R>, f: NonNullable<Entry['fate']>, extra: Partial<Entry> = {}): void {
  const e = entryOf(st, item)
  if (e.fate !== undefined) throw new Error(`internal: record ${e.id} settled twice (${e.fate}, then ${f})`)
  Object.assign(e, extra, { fate: f })
  st.settledN++
}

function discard<R>(
  st: MappingState<R>,
  items: readonly StreamItem<R>[],
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded',
  invokes: number,
  functionError: 'Unhandled' | null,
  now: number,
  behind: (item: StreamItem<R>) => boolean,
): void {
  const { o } = st
  // Fact 128: the records' last invocation's request id goes in the record; its event in an S3 payload (fact 127).
  let last: Entry['last']
  for (const item of items) {
    const l = entryOf(st, item).last
    if (l !== undefined && (last === undefined || l.index > last.index)) last = l
  }
  const requestId = last?.requestId ?? o.nextRequestId()
  const context: FailureContext = { condition, invokes, functionError, requestId, functionArn: o.functionArn, now }
  const sent = o.failureRecords?.(items, context) ?? [{ sent: defaultFailureRecord(st, items, context, last), items }]
  for (const { sent: record, items: theirs } of sent) {
    st.failures.push(record)
    for (const item of theirs) {
      if (condition === 'RecordAgeExceeded') fate(st, item, 'expired', { expiredBy: 'MaximumRecordAgeInSeconds', failureRecord: record })
      else fate(st, item, 'discarded', { failureRecord: record, ...(behind(item) ? { discardedBehindFailure: true } : {}) })
    }
  }
}

/** The stream's failure record for discarded records; its S3 form (and the object) when the destination is a bucket. */
function defaultFailureRecord<R>(
  st: MappingState<R>,
  items: readonly StreamItem<R>[],
  c: FailureContext,
  last: Entry['last'],
): FailureDestinationRecord {
  const { source, o, bucket } = st
  const record = failureRecord(source, items, c)
  if (bucket === undefined) return record
  const records = items.map((i) => i.record)
  const lastEvent = last === undefined ? undefined : (st.invocations[last.index]?.event as object | undefined)
  // Fact 127: the payload is the event, narrowed to the discarded records.
  const event = lastEvent === undefined ? (o.eventOf?.(records) ?? { Records: records }) : { ...lastEvent, Records: records }
  const s3 = withPayload(record, event)
  const first = items[0] as StreamItem<R>
  st.objects.push({ bucket, key: failureObjectKey(o.functionArn, source.stream.streamArn(first.record), first.shardId, s3), record: s3 })
  return s3
}

// Which records of a failed batch were collateral: after the lowest reported one, or marked
// unstarted by this library's AllRecordsFailedError.
function collateral<R>(batch: Batch<R>, verdict: Verdict, error: unknown): (item: StreamItem<R>) => boolean {
  if (verdict.kind === 'partial') {
    const first = batch.items[verdict.index] as StreamItem<R>
    return (item) => item.seq > first.seq
  }
  const outcomes = (error as { outcomes?: unknown } | null | undefined)?.outcomes
  if (Array.isArray(outcomes)) {
    const skipped = new Set(
      outcomes
        .filter((x: { status?: unknown; reason?: { kind?: unknown } }) => x?.status === 'skipped' && x.reason?.kind === 'after-failure')
        .map((x: { id?: unknown }) => x.id),
    )
    return (item) => skipped.has(item.id)
  }
  return () => false
}

// Fact 59.
/** The event of a batch: its records, and under a tumbling window the window's bounds, state and flags. */
function eventOf<R>(
  lane: Lane<R>,
  batch: Batch<R>,
  win: Lane<R>['window'],
  final: boolean,
  s: StreamSettings,
  o: MappingOptions<R>,
): unknown {
  const records = batch.items.map((i) => i.record)
  if (win === undefined) return o.eventOf?.(records) ?? { Records: records }
  return {
    Records: records,
    window: { start: isoSeconds(win.start), end: isoSeconds(win.start + s.tumblingMs) },
    state: win.state,
    shardId: lane.shardId,
    eventSourceARN: win.streamArn,
    isFinalInvokeForWindow: final,
    isWindowTerminatedEarly: win.terminatedEarly === true,
  }
}

/** What the call means to the mapping: a function error, a window answer without state, or the response read by `interpret`. */
function verdictOf(
  result: CallResult,
  windowed: boolean,
  ids: readonly string[],
  s: StreamSettings,
  identify: MappingOptions<unknown>['identify'],
): Verdict {
  const failed = callVerdict(result)
  if (failed !== undefined) return failed
  // Fact 61: a window invocation must return an object with a `state`; without one it failed.
  if (windowed && !hasState(result.response)) {
    return {
      kind: 'failure',
      functionError: null,
      reason: 'A tumbling-window response must be an object with a `state` object; Lambda counts any other answer as a failure.',
    }
  }
  return interpret(result.response, ids, s.reportBatchItemFailures, identify)
}

/** Takes the lane's batch at `now`, invokes the function with it, and settles it by the answer. */
async function runBatch<R>(
  st: MappingState<R>,
  lane: Lane<R>,
  now: number,
  call: Caller,
  end: (started: number, result: CallResult) => number,
): Promise<InvocationReport | undefined> {
  const { s, o } = st
  lane.readerBehind = o.readerCaughtUp?.(lane.shardId) === false
  const { batch, aged, trimmed } = takeBatch(lane, now, s)
  st.lastTime = Math.max(st.lastTime, now)
  for (const item of trimmed) fate(st, item, 'expired', { expiredBy: 'retention' })
  if (aged !== undefined) discard(st, aged.items, 'RecordAgeExceeded', aged.invokes, null, now, () => false)
  if (batch === undefined) {
    lane.freeAt = Math.max(lane.freeAt, now)
    return undefined
  }
  lane.busy = true
  batch.invokes++
  const ids = batch.items.map((i) => i.id)
  for (const item of batch.items) entryOf(st, item).deliveries++
  const win = s.tumblingMs > 0 ? openWindow(st, lane, batch) : undefined
  // Final when nothing of the window is left to deliver and the window is over (fact 63).
  const final = win !== undefined && lane.pending.length === 0 && (batch.items.length === 0 || windowClosesAt(lane, s) <= now)
  const event = eventOf(lane, batch, win, final, s, o)
  const requestId = o.nextRequestId()
  const delivered = { index: st.invocations.length, requestId }
  for (const item of batch.items) entryOf(st, item).last = delivered
  const context = lambdaContext({
    timeoutMs: o.timeoutMs,
    now: () => now,
    awsRequestId: requestId,
    functionName: o.functionArn.slice(o.functionArn.lastIndexOf(':') + 1),
  })
  const index = st.invocations.length
  const placeholder = {} as InvocationReport
  st.invocations.push(placeholder)
  const result = await call(event, context)
  const finished = end(now, result)
  st.lastTime = Math.max(st.lastTime, finished)
  const verdict = verdictOf(result, win !== undefined, ids, s, o.identify)
  const answer = answerReport(result, verdict, o.timeoutMs)
  Object.assign(placeholder, {
    index,
    at: new Date(now).toISOString(),
    shardId: lane.shardId,
    lane: lane.index,
    trigger: batch.trigger,
    attempt: batch.invokes,
    records: ids,
    event,
    ...answer,
  } satisfies InvocationReport)
  const ignoredIds = answer.ignoredBatchItemFailures ?? []
  if (ignoredIds.length > 0) {
    st.ignored.push({ invocation: index, ids: [...ignoredIds] })
    const set = new Set(ignoredIds)
    for (const item of batch.items) if (set.has(item.id)) entryOf(st, item).reportedButIgnored = true
  }
  const decision = settle(lane, batch, verdict, finished, s)
  for (const item of decision.succeeded) fate(st, item, 'succeeded')
  if (decision.discarded !== undefined) {
    const d = decision.discarded
    if (d.items.length > 0)
      discard(st, d.items, 'RetryAttemptsExhausted', d.invokes, d.functionError, finished, collateral(batch, verdict, result.error))
  }
  if (win !== undefined) {
    // The returned state goes into the window's next invocation; a failed one leaves it as it was.
    if (verdict.kind !== 'failure') win.state = (result.response as { state: Record<string, unknown> }).state
    // Fact 62: a state past 1 MB ends the window early; its next invocation is the final one.
    if (!final && verdict.kind !== 'failure' && Buffer.byteLength(JSON.stringify(win.state), 'utf8') > WINDOW_STATE_LIMIT_BYTES)
      win.terminatedEarly = true
    if (final) st.finals.set(lane, [...(st.finals.get(lane) ?? []), index])
    // Fact 129: a final invocation discarded loses the window's aggregate, with no failure record when it held no records.
    if (final && decision.discarded !== undefined)
      st.lostWindows.push({
        shardId: lane.shardId,
        lane: lane.index,
        start: isoSeconds(win.start),
        end: isoSeconds(win.start + s.tumblingMs),
        invocations: st.finals.get(lane) ?? [],
      })
    // The window ends with its final invocation's success, or when that invocation is discarded.
    if (final && (verdict.kind === 'success' || decision.discarded !== undefined)) {
      lane.window = undefined
      st.finals.delete(lane)
    }
  }
  return placeholder
}

/** Each shard's checkpoint: the last record before which every record is settled. */
function shardReports<R>(st: MappingState<R>): ShardReport[] {
  const shards: ShardReport[] = []
  for (const [shardId, shard] of [...st.byShard.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...shard.items].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))
    let checkpoint: string | null = null
    for (const item of sorted) {
      const f = entryOf(st, item).fate
      if (f === undefined || f === 'pending') break
      if (f !== 'before-start') checkpoint = item.id // filtered records move the checkpoint too (fact 81)
    }
    shards.push({ shardId, checkpoint })
  }
  return shards
}

/** The report; records not settled yet are `pending` when `stopped` (a local run that was stopped), an error otherwise. */
function mappingReport<R>(st: MappingState<R>, now: number, stopped: boolean): MappingReport {
  const outcomes: RecordReport[] = st.order.map((k) => {
    const e = st.entries.get(k) as Entry
    if (e.fate === undefined && !stopped) throw new Error(`internal: record ${e.id} has no fate`)
    return {
      id: e.id,
      shardId: e.shardId,
      key: e.key,
      deliveries: e.deliveries,
      ...(Math.abs(e.arrivalMs) <= 8.64e15 ? { arrivedAt: new Date(e.arrivalMs).toISOString() } : {}), // a Date's range
      fate: e.fate ?? 'pending',
      ...(e.expiredBy === undefined ? {} : { expiredBy: e.expiredBy }),
      ...(e.failureRecord === undefined ? {} : { failureRecord: e.failureRecord }),
      ...(e.discardedBehindFailure === true ? { discardedBehindFailure: true } : {}),
      ...(e.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
      ...(e.filteredBecause === undefined ? {} : { filteredBecause: e.filteredBecause }),
    }
  })
  return {
    invocations: st.invocations,
    outcomes,
    shards: shardReports(st),
    failureDestination: st.failures,
    ...(st.bucket === undefined ? {} : { failureObjects: st.objects }),
    costly: {
      discardedBehindFailure: outcomes.filter((r) => r.discardedBehindFailure === true).map((r) => r.id),
      ignoredPartialResponses: st.ignored,
      duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
      lostWindows: st.lostWindows,
    },
    assumptions: [
      ...(st.o.assumptions ?? STREAM_ASSUMPTIONS),
      ...(st.s.tumblingMs > 0 ? WINDOW_ASSUMPTIONS : []),
      ...(st.bucket === undefined ? [] : [S3_ASSUMPTION]),
    ],
    endedAt: new Date(Math.max(now, st.lastTime === -Infinity ? now : st.lastTime)).toISOString(),
  }
}

// Fact 132.
const LATEST_ASSUMPTION =
  "StartingPosition LATEST reads the records that arrive at or after the simulation's start: `start`, or without it the earliest record's arrival. So records put at time 0 (no `at`) with no `start` are all read, as with TRIM_HORIZON; to see LATEST skip records, give a `start` after them."

/** What a simulation's report says of where its mapping starts reading: LATEST's reading of the simulated clock. */
export const startAssumptions = (position: { readonly StartingPosition?: string | undefined }): string[] =>
  position.StartingPosition === 'LATEST' ? [LATEST_ASSUMPTION] : []

/**
 * Where a mapping starts reading: records that arrived before its starting position are skipped
 * (reported as never delivered), the rest are put on the stream. Streams and Kafka share it.
 */
export function startAt<R>(
  mapping: StreamMapping<R>,
  items: readonly StreamItem<R>[],
  position: { readonly StartingPosition?: string | undefined; readonly StartingPositionTimestamp?: number | undefined },
  startMs: number,
): void {
  const from =
    position.StartingPosition === 'LATEST'
      ? startMs
      : position.StartingPosition === 'AT_TIMESTAMP'
        ? (position.StartingPositionTimestamp as number) * 1000
        : Number.NEGATIVE_INFINITY
  mapping.skip(items.filter((i) => i.arrivalMs < from))
  mapping.add(items.filter((i) => i.arrivalMs >= from))
}
