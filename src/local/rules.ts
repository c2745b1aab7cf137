/**
 * The stream rules core: what a Kinesis or DynamoDB Streams event source mapping does with the
 * records of one shard, as data in, decisions out. It knows nothing of clocks or I/O: the
 * simulator drives it on a virtual clock, the local runner on the real one with records read from
 * a server. Its tests name, for each rule, the fact of the repository's `docs/lambda-semantics.md`.
 *
 * A shard is split into lanes: with `ParallelizationFactor` N, records go to one of N lanes by
 * partition key, so order is kept per key. Each lane runs one batch at a time.
 */

/** A record as the rules see it: the Lambda-shaped record plus what the rules need of it. */
export interface StreamItem<R = unknown> {
  /** The record exactly as it goes into the event. */
  readonly record: R
  /** The identifier `batchItemFailures` carries: the sequence number. */
  readonly id: string
  /** The sequence number as a big integer (never compare as text). */
  readonly seq: bigint
  /** The ordering key: the partition key (Kinesis) or the item's keys (DynamoDB). */
  readonly key: string
  readonly shardId: string
  /** Arrival in the stream, epoch ms. */
  readonly arrivalMs: number
  /** The record's size in the event's JSON, for the 6 MB invoke payload limit. */
  readonly bytes: number
}

/** The settings the rules use, checked and in milliseconds. */
export interface StreamSettings {
  readonly batchSize: number
  readonly windowMs: number
  readonly parallelization: number
  readonly bisect: boolean
  /** -1: retry until the records expire. */
  readonly maxRetries: number
  /** -1: no age limit. */
  readonly maxAgeMs: number
  readonly reportBatchItemFailures: boolean
  /** How long the stream keeps a record (24 h by default for Kinesis and DynamoDB). */
  readonly retentionMs: number
  /** The wait before retry `n` (1-based) of a failed batch. */
  readonly retryDelayMs: (retry: number) => number
  /** Kafka: the batching window opens when a record arrives, not when the previous invocation ends. */
  readonly windowOpensAtFirstRecord?: boolean
  /** `TumblingWindowInSeconds` in ms; 0: no windows. */
  readonly tumblingMs: number
  /** How long after a window's end the mapping waits for more of its records before closing it. */
  readonly windowGraceMs: number
}

// Fact 62.
/** A tumbling window's state limit per shard, 1 MB, counted as the bytes of its JSON. */
export const WINDOW_STATE_LIMIT_BYTES = 1024 * 1024
/** Lambda's synchronous invoke payload limit, which a batch cannot exceed. */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024
/** What the event adds around the records: `{"Records":[...]}` and the commas. */
export const EVENT_OVERHEAD_BYTES = 14

/** Why a batch is being invoked; `window-end`: the final invocation of a tumbling window, without records. */
export type Trigger = 'batch' | 'retry' | 'bisect' | 'remainder' | 'window-end'

/** A batch on its way through the rules: its records and how many times it was invoked. */
export interface Batch<R = unknown> {
  readonly items: readonly StreamItem<R>[]
  /** Invocations of exactly these records so far (`approximateInvokeCount` after the next one). */
  invokes: number
  readyAt: number
  trigger: Trigger
}

/** One lane of a shard: records read and not yet taken, and batches waiting to run again. */
export interface Lane<R = unknown> {
  readonly shardId: string
  readonly index: number
  readonly buffer: StreamItem<R>[]
  /** Batches that must run before anything new is read: a retry, bisected halves, a remainder. */
  readonly pending: Batch<R>[]
  /** When the lane's last invocation ended; the next batching window opens then. */
  freeAt: number
  busy: boolean
  /** The tumbling window open on this lane: its start (epoch ms), the state so far, the stream's ARN. */
  window?:
    | {
        readonly start: number
        state: Record<string, unknown>
        readonly streamArn: string
        /** The state passed the 1 MB limit: the window's next invocation is its final one. */
        terminatedEarly?: boolean
      }
    | undefined
  /**
   * Set by a runner on real I/O when its reader has not yet caught up with the shard: records of the
   * open window may still be on their way, so the window must not close by time.
   */
  readerBehind?: boolean
}

/** What the handler's answer means to the mapping. */
export type Verdict =
  | { readonly kind: 'success'; readonly ignored: readonly string[] }
  | { readonly kind: 'partial'; readonly index: number; readonly reported: readonly string[] }
  | { readonly kind: 'failure'; readonly functionError: 'Unhandled' | null; readonly reason: string }

/** What the rules decided after an invocation. */
export interface Decision<R = unknown> {
  readonly succeeded: readonly StreamItem<R>[]
  /** Discarded after the retries ran out, with the invocation count and the error kind. */
  readonly discarded?: { readonly items: readonly StreamItem<R>[]; readonly invokes: number; readonly functionError: 'Unhandled' | null }
  /** What happens next to the rest: nothing, a retry, two halves, or the remainder after a partial failure. */
  readonly next: 'none' | 'retry' | 'bisect' | 'remainder'
}

/** Creates the lanes of one shard. */
export function createLanes<R>(shardId: string, parallelization: number): Lane<R>[] {
  return Array.from({ length: parallelization }, (_, index) => ({
    shardId,
    index,
    buffer: [],
    pending: [],
    freeAt: -Infinity,
    busy: false,
  }))
}

/**
 * The lane a key goes to. Lambda does not say how it spreads keys under a parallelization factor,
 * only that order per key holds; a stable hash of the key does that.
 */
export function laneOf(key: string, parallelization: number): number {
  let h = 2166136261 // FNV-1a
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619)
  return (h >>> 0) % parallelization
}

/** The start of the tumbling window a record belongs to: windows are aligned to multiples of their length. */
export const windowOf = (item: StreamItem, s: StreamSettings): number => Math.floor(item.arrivalMs / s.tumblingMs) * s.tumblingMs

/**
 * When the lane's open window is over, or `Infinity`: as soon as a record of a later window has
 * arrived, or when no record came for `windowGraceMs` after its end and the reader has
 * read everything the shard holds.
 */
export function windowClosesAt(lane: Lane, s: StreamSettings): number {
  if (lane.window === undefined || lane.pending.length > 0) return Infinity
  if (lane.window.terminatedEarly === true) return -Infinity
  const head = lane.buffer[0]
  const byTime = lane.window.start + s.tumblingMs + s.windowGraceMs
  if (head === undefined) return lane.readerBehind === true ? Infinity : byTime
  return windowOf(head, s) === lane.window.start ? Infinity : Math.min(head.arrivalMs, byTime)
}

/**
 * When the lane's next invocation can start, given the records it holds, or `Infinity`.
 * A batch goes when BatchSize records have gathered, when the batching window closes, or when the
 * next record would pass the 6 MB payload limit; with a window of 0, as soon as a record is there
 * The window opens when the previous invocation ends.
 */
export function nextStart(lane: Lane, s: StreamSettings): number {
  if (lane.busy) return Infinity
  const retry = lane.pending[0]
  if (retry !== undefined) return Math.max(lane.freeAt, retry.readyAt)
  // A window whose records were all delivered closes with a final invocation of its own (fact 63).
  const closes = windowClosesAt(lane, s)
  if (closes !== Infinity) return Math.max(lane.freeAt, closes)
  const first = lane.buffer[0]
  if (first === undefined) return Infinity
  // Fact 104: a Kafka mapping's window opens when the first record arrives.
  const open =
    s.windowOpensAtFirstRecord === true ? Math.max(lane.freeAt, first.arrivalMs) : windowOpensAt(lane.freeAt, first.arrivalMs, s.windowMs)
  return batchReadyAt(open, lane.buffer, s.batchSize, s.windowMs)
}

/**
 * When the batching window for a record arriving at `arrivalMs` opened: for Kinesis,
 * DynamoDB Streams and SQS the next window opens as soon as the previous invocation ends
 * (`previousEnd`), not when the next record arrives. A window that ended with no record in it
 * leaves the next record to open its own (the mapping's first window too).
 */
// Fact 23.
export function windowOpensAt(previousEnd: number, arrivalMs: number, windowMs: number): number {
  if (windowMs === 0 || previousEnd + windowMs <= arrivalMs) return Math.max(previousEnd, arrivalMs)
  return previousEnd
}

/**
 * When a batching window that opened at `open` closes, for records in arrival order (streams and
 * SQS alike): at once without a window; otherwise when `batchSize` records have arrived, when the
 * next record would pass the 6 MB payload limit (for records that give their `bytes`), or when the
 * window ends.
 */
export function batchReadyAt(
  open: number,
  records: readonly { readonly arrivalMs: number; readonly bytes?: number }[],
  batchSize: number,
  windowMs: number,
): number {
  if (windowMs === 0) return open
  let bytes = EVENT_OVERHEAD_BYTES
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as { readonly arrivalMs: number; readonly bytes?: number }
    bytes += (record.bytes ?? 0) + 1
    if (bytes > PAYLOAD_LIMIT_BYTES || i + 1 === batchSize) return Math.max(open, Math.min(open + windowMs, record.arrivalMs))
  }
  return open + windowMs
}

/**
 * Takes the lane's next batch at `now`, and the records that must leave it without an invocation:
 * those past `MaximumRecordAgeInSeconds` (discarded as `RecordAgeExceeded`; an
 * expired head is split off, the fresh records are still delivered) and those the stream no longer
 * keeps (retention).
 */
export function takeBatch<R>(
  lane: Lane<R>,
  now: number,
  s: StreamSettings,
): { batch: Batch<R> | undefined; aged: { items: StreamItem<R>[]; invokes: number } | undefined; trimmed: StreamItem<R>[] } {
  let batch = lane.pending.shift()
  if (batch === undefined && windowClosesAt(lane, s) <= now) {
    return { batch: { items: [], invokes: 0, readyAt: now, trigger: 'window-end' }, aged: undefined, trimmed: [] }
  }
  if (batch === undefined) {
    const items: StreamItem<R>[] = []
    // With tumbling windows a batch holds one window's records (facts 60-61).
    const window = s.tumblingMs > 0 && lane.buffer[0] !== undefined ? windowOf(lane.buffer[0], s) : undefined
    let bytes = EVENT_OVERHEAD_BYTES
    while (items.length < s.batchSize) {
      const next = lane.buffer[0]
      if (next === undefined || next.arrivalMs > now) break
      if (window !== undefined && windowOf(next, s) !== window) break
      if (items.length > 0 && bytes + next.bytes + 1 > PAYLOAD_LIMIT_BYTES) break
      bytes += next.bytes + 1
      items.push(next)
      lane.buffer.shift()
    }
    batch = { items, invokes: 0, readyAt: now, trigger: 'batch' }
  }
  const trimmed: StreamItem<R>[] = []
  const aged: StreamItem<R>[] = []
  let i = 0
  // Records arrive in order within a lane, so the old ones are a prefix.
  for (; i < batch.items.length; i++) {
    const age = now - (batch.items[i] as StreamItem<R>).arrivalMs
    if (age > s.retentionMs) trimmed.push(batch.items[i] as StreamItem<R>)
    else if (s.maxAgeMs >= 0 && age > s.maxAgeMs) aged.push(batch.items[i] as StreamItem<R>)
    else break
  }
  const rest = batch.items.slice(i)
  return {
    batch: rest.length === 0 && batch.items.length > 0 ? undefined : { ...batch, items: rest },
    aged: aged.length === 0 ? undefined : { items: aged, invokes: batch.invokes },
    trimmed,
  }
}

/** The identifier of a Kinesis, DynamoDB or SQS record in a response: a non-empty string. */
export const stringIdentifier = (raw: unknown): string | undefined => (typeof raw === 'string' && raw !== '' ? raw : undefined)

/**
 * A response is a success form, a partial failure, or malformed (which fails the whole batch).
 * `identify` reads a reported `itemIdentifier` as the text of `ids` (`undefined`: not of the source's form).
 */
export function interpret(
  response: unknown,
  ids: readonly string[],
  reportBatchItemFailures: boolean,
  identify: (itemIdentifier: unknown) => string | undefined = stringIdentifier,
): Verdict {
  const listed = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  if (!reportBatchItemFailures) {
    // Fact 43: without ReportBatchItemFailures any return is a success, and the list is ignored.
    const ignored = Array.isArray(listed)
      ? listed.map((f) => {
          const raw = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier
          return identify(raw) ?? String(JSON.stringify(raw))
        })
      : []
    return { kind: 'success', ignored }
  }
  const malformed = (why: string): Verdict => ({
    kind: 'failure',
    functionError: null,
    reason: `The response is not a valid partial batch response: ${why}`,
  })
  if (response === null || response === undefined) return { kind: 'success', ignored: [] } // fact 46
  if (Array.isArray(response)) return response.length === 0 ? { kind: 'success', ignored: [] } : malformed('a non-empty array.') // §11.4
  if (typeof response !== 'object') return malformed(`a ${typeof response}.`)
  if (listed === undefined || listed === null) return { kind: 'success', ignored: [] } // `{}`, `{batchItemFailures: null}`
  if (!Array.isArray(listed)) return malformed('`batchItemFailures` is not an array.')
  if (listed.length === 0) return { kind: 'success', ignored: [] }
  let lowest = Infinity
  const reported: string[] = []
  for (const entry of listed) {
    const raw = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier
    // Fact 47, §11.3: "", null, a wrong key, or an identifier not in the batch fail the whole batch.
    const id = identify(raw)
    if (id === undefined)
      return malformed(
        identify === stringIdentifier
          ? 'an entry without a non-empty string `itemIdentifier`.'
          : `an entry whose \`itemIdentifier\` is not of this source's form: ${String(JSON.stringify(raw))}.`,
      )
    const index = ids.indexOf(id)
    if (index < 0) return malformed(`\`itemIdentifier\` ${String(JSON.stringify(raw))} is not in the batch.`)
    reported.push(id)
    lowest = Math.min(lowest, index)
  }
  return { kind: 'partial', index: lowest, reported }
}

/**
 * Applies an invocation's verdict to its batch. The lane is free again at `now`.
 *
 * - Success: every record succeeded; the checkpoint moves past the batch.
 * - Partial failure at a record after the first: the records before it succeeded; the batch from it
 *   on runs again as a new batch with a fresh retry count, as AWS was seen to do.
 * - A function error with `BisectBatchOnFunctionError` and more than one record: the batch is split
 *   in two halves and each runs with a fresh retry count; splitting uses no retries.
 *   AWS does not say how deep bisection goes or how retries count per half; the
 *   rules split down to single records, and a half's count starts at zero.
 * - Otherwise the same batch is retried after a backoff until `MaximumRetryAttempts` retries were
 *   made (R retries, R+1 invocations), then discarded. The lane is blocked
 *   meanwhile.
 */
export function settle<R>(lane: Lane<R>, batch: Batch<R>, verdict: Verdict, now: number, s: StreamSettings): Decision<R> {
  lane.freeAt = now
  lane.busy = false
  if (verdict.kind === 'success') return { succeeded: batch.items, next: 'none' }
  if (verdict.kind === 'partial' && verdict.index > 0) {
    lane.pending.unshift({ items: batch.items.slice(verdict.index), invokes: 0, readyAt: now, trigger: 'remainder' })
    return { succeeded: batch.items.slice(0, verdict.index), next: 'remainder' }
  }
  const functionError = verdict.kind === 'failure' ? verdict.functionError : null
  // A malformed response is not a function error (functionError null, §11.3), so it is not bisected.
  if (s.bisect && functionError === 'Unhandled' && batch.items.length > 1) {
    const mid = Math.ceil(batch.items.length / 2)
    lane.pending.unshift(
      { items: batch.items.slice(0, mid), invokes: 0, readyAt: now, trigger: 'bisect' },
      { items: batch.items.slice(mid), invokes: 0, readyAt: now, trigger: 'bisect' },
    )
    return { succeeded: [], next: 'bisect' }
  }
  if (s.maxRetries >= 0 && batch.invokes >= s.maxRetries + 1) {
    return { succeeded: [], discarded: { items: batch.items, invokes: batch.invokes, functionError }, next: 'none' }
  }
  lane.pending.unshift({ items: batch.items, invokes: batch.invokes, readyAt: now + s.retryDelayMs(batch.invokes), trigger: 'retry' })
  return { succeeded: [], next: 'retry' }
}

/** Lambda's stream retry backoff is not documented: doubling from 1 s, capped at 60 s. */
export const defaultRetryDelayMs = (retry: number): number => Math.min(60_000, 1000 * 2 ** (retry - 1))
