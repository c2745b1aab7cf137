/**
 * The engine: a source definition, options and a record function become a batch
 * processor. Read this file first; everything else is a source definition, a decoder or a wrapper.
 *
 *   event ─► source.records ─► per record: parse (decode + schema) ─► record function ─► outcome
 *         ─► batchItemFailures (or a throw when every record failed)
 */
import type { Context } from 'aws-lambda'
import { AllRecordsFailedError, MalformedEventError } from './errors.js'
import type { RecordLogger } from './logger.js'
import { describeValue, type InvalidRecordInfo, type OptionRule, type Ordering } from './options.js'
import { isReported, serialisable, summarize, toError, type RecordFailure, type RecordOutcome } from './outcome.js'
import { InvalidRecord } from './schema.js'

/** What every source gives the record function, whatever else its `meta` holds. */
export interface BaseMeta {
  /** The Lambda context, when the handler was given one (Lambda always gives one). */
  readonly context: Context | undefined
  /** The handler's logger. */
  readonly logger: RecordLogger
}

/** The user's function for one record. What it returns is ignored; what it throws fails the record. */
export type RecordFunction<P, M> = (payload: P, meta: M) => unknown

/**
 * One event source, defined once: how Kinesis, DynamoDB Streams, SQS and Kafka differ, and nothing else.
 * The handler builder, the window handlers and the local simulator and runner all read this one
 * definition, so a record's identifier, key and arrival time are the same wherever it is read.
 * `O` is the options type its parser reads; `Id` is the type of the identifier `batchItemFailures`
 * carries (a string, or Kafka's `{ partition, offset }` object).
 */
export interface Source<Rec, Meta, O = object, Id = string> {
  /** The public function's name, used in error messages. */
  readonly name: string
  /**
   * The records of an event, after checking its shape. Throws `MalformedEventError`. `options`
   * are the handler's, for a source whose records depend on them (Kinesis: `maxUserRecords`).
   */
  records(event: unknown, options?: O): readonly Rec[]
  /**
   * The identifier Lambda expects in `batchItemFailures`: the sequence number on streams, the
   * `messageId` on SQS, `{ partition, offset }` on Kafka.
   */
  id(record: Rec): Id
  /**
   * The identifier as text, for outcomes and log lines (and to tell two identifiers apart); needed
   * when `Id` is not a string, such as Kafka's `mytopic-0:15`. Default: the identifier itself.
   */
  idText?(id: Id): string
  /** Records with the same key keep their order under `'per-key'`. */
  key(record: Rec): string
  /**
   * The record function's second argument, built before the record is parsed (the parser may add
   * what only decoding finds, such as an envelope's metadata). What it throws fails the record.
   */
  meta(record: Rec, base: BaseMeta): Meta
  /**
   * The same `meta` with its costly fields computed when first read (getters), which the builder
   * uses as `meta` for a record function without middleware (middleware spreads `meta`, which
   * copies no getter). A broken field throws `InvalidRecord` when read, and the engine records the
   * record as invalid, as if `meta` had thrown.
   */
  lazyMeta?(record: Rec, base: BaseMeta): Meta
  /**
   * The ordering used when the user does not choose one (for an empty batch, the default the
   * options are checked against), and how far a failure reaches under an ordered mode: `'batch'`
   * for streams (Lambda rewinds to the lowest reported sequence number and re-delivers everything
   * after it, so nothing after a failure is worth starting); `'key'` for SQS FIFO (only the failed
   * message group stops).
   */
  plan(records: readonly Rec[]): { readonly ordering: Ordering; readonly stops: 'batch' | 'key' }
  /** The rules of the source's own options, by option name; checked with the common ones when a handler is built. */
  readonly options: Readonly<Record<string, OptionRule>>
  /** Builds the record parser (decode and schema) once, from options that passed {@link Source.options}. */
  parser(options: O): (record: Rec, meta: Meta) => unknown
  /** When a message reached its queue, epoch ms, for a source that is no stream (SQS: `SentTimestamp`). */
  arrivalMs?(record: Rec): number | undefined
  /** What the local simulator and runner read of a stream's record; SQS, which is no stream, has none. */
  readonly stream?: {
    /** The key of the batch info in the record an OnFailure destination receives. */
    readonly batchInfoKey: 'KinesisBatchInfo' | 'DDBStreamBatchInfo'
    /** How precise the stream's arrival times are, in ms: DynamoDB Streams has seconds, Kinesis milliseconds. */
    readonly arrivalPrecisionMs: number
    /** When the record reached the stream, epoch ms, as its `meta` gives it; `undefined` when the record does not say. */
    arrivalMs(record: Rec): number | undefined
    /** The record's shard, when the record names it (a Kinesis `eventID` does, a DynamoDB record does not). */
    shardId(record: Rec): string | undefined
    /** The stream's ARN, as the record carries it. */
    streamArn(record: Rec): string
  }
}

/** A stream's source: one the local simulator and runner can read (Kinesis, DynamoDB Streams). */
export type StreamSource<Rec, Meta, O = object> = Source<Rec, Meta, O> & Required<Pick<Source<Rec, Meta, O>, 'stream'>>

/** The `Records` array of an event, or a {@link MalformedEventError} that says what came instead. */
export function recordsOf(event: unknown, name: string): readonly unknown[] {
  let records: unknown
  try {
    records = (event as { Records?: unknown } | null | undefined)?.Records
  } catch (e) {
    throw new MalformedEventError(`${name} could not read the event's \`Records\`: reading it threw.`, { cause: e })
  }
  if (!Array.isArray(records)) {
    throw new MalformedEventError(`${name} expected an event with a \`Records\` array; received ${describeValue(event)}.`)
  }
  return records
}

/** The engine's settings, checked and defaulted. */
export interface EngineSettings<Rec> {
  readonly ordering: Ordering | undefined
  readonly concurrency: number
  readonly onInvalid: 'fail' | 'skip' | ((invalid: InvalidRecordInfo<Rec>) => unknown)
  readonly allFailed: 'throw' | 'report'
  readonly deadlineMarginMs: number
  readonly logger: RecordLogger
  /** Put the decoder's and validator's own words (which may quote the payload) into log lines. Default false. */
  readonly logPayloads?: boolean
  /** How log lines say what becomes of a reported record. Default `RETRY`; a window handler fails its whole invocation instead. */
  readonly reporting?: Reporting
}

/** The words the engine's log lines use for what becomes of reported records. */
export interface Reporting {
  /** After one record's identifier: `Invalid record 42, reported for retry: ...`. */
  readonly one: string
  /** After several records: `3 records were not started and are reported for retry.` */
  readonly many: string
  /** The end of the batch summary, given how many records were reported. */
  summary(reported: number): string
}

/** Lambda's partial batch response: reported records are delivered again. */
export const RETRY: Reporting = {
  one: ', reported for retry',
  many: ' and are reported for retry',
  summary: (reported) => `${reported} reported for retry`,
}

/** Everything the engine learnt about one batch. `Id` is the source's identifier type: a string, or Kafka's object. */
export interface BatchReport<Id = string> {
  /** One outcome per record, in the event's order; an outcome's `id` is the identifier as text. */
  readonly outcomes: readonly RecordOutcome[]
  /** The partial batch response Lambda reads. */
  readonly batchItemFailures: { itemIdentifier: Id }[]
  /** True when the batch had records and every one of them is reported. */
  readonly allFailed: boolean
}

const AFTER_FAILURE: RecordFailure = { kind: 'after-failure', message: 'Not started: a record it is ordered behind failed.' }
const DEADLINE: RecordFailure = { kind: 'deadline', message: 'Not started: the Lambda was close to its timeout.' }
const ABANDONED: RecordFailure = {
  kind: 'deadline',
  message:
    'Abandoned: still running when the Lambda was close to its timeout. It is reported for retry; its function may still finish in the background, so make it idempotent.',
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Why a record that could not be read or parsed is invalid: the parser's own reason, or a decode
 * failure in the words of what was thrown. The handlers and the single-record parsers both use it.
 */
export function invalidReason(thrown: unknown): RecordFailure {
  return serialisable(
    isInvalidRecord(thrown) ? thrown.failure : { kind: 'decode', message: toError(thrown).message, error: toError(thrown) },
  )
}

/** `instanceof`, which a thrown revoked Proxy would make throw, asked safely. */
function isInvalidRecord(thrown: unknown): thrown is InvalidRecord {
  try {
    return thrown instanceof InvalidRecord
  } catch {
    return false
  }
}

/**
 * The logger the engine itself writes to for one batch. It writes nothing once the handler has
 * returned (a record abandoned at the deadline may still be running, and its lines would land in
 * the next invocation's logs), and a logger that throws (or chokes on a hostile error) never
 * fails a batch.
 */
function engineLogger(logger: RecordLogger, returned: () => boolean): RecordLogger {
  const call =
    (level: keyof RecordLogger) =>
    (message: string, ...extra: unknown[]): void => {
      if (returned()) return
      try {
        logger[level](message, ...extra)
      } catch {
        // Logging is best effort; the outcome is data and reaches the caller anyway.
      }
    }
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') }
}

/** The context's remaining time in ms, or `undefined` when it has no working clock. */
function remaining(context: Context): number | undefined {
  try {
    const left = context.getRemainingTimeInMillis()
    return typeof left === 'number' && !Number.isNaN(left) ? left : undefined
  } catch {
    return undefined
  }
}

// The margin a batch keeps: `deadlineMarginMs`, but never more than half the time left when the
// handler starts, so that a short function timeout (Lambda allows 1 second, fact 117; the context
// shows a little less at entry, fact 118) still runs records instead of reporting them all. `0`
// (no deadline) without a clock.
function marginFor(deadlineMarginMs: number, leftAtEntry: number | undefined): number {
  return leftAtEntry === undefined ? 0 : Math.min(deadlineMarginMs, leftAtEntry / 2)
}

/**
 * Resolves once the Lambda's remaining time is under the margin, as the context counts it. A timer
 * fires when the margin should be reached and asks the context again, so a test's own clock is
 * honoured too. Without it, a record function that never settles would hold the handler until
 * Lambda's timeout, and Lambda would replay the whole batch.
 */
function deadlineWatch(context: Context, marginMs: number): { reached: Promise<true>; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  const reached = new Promise<true>((resolve) => {
    const check = (): void => {
      if (stopped) return
      const clock = remaining(context)
      if (clock === undefined) return // a context without a working clock: no watch, as without a context
      const left = clock - marginMs
      if (!(left > 0)) resolve(true)
      else timer = setTimeout(check, Math.min(left, 2 ** 31 - 1))
    }
    check()
  })
  return {
    reached,
    stop() {
      stopped = true
      clearTimeout(timer)
    },
  }
}

/**
 * The lanes of a batch as two flat arrays: record indices grouped by lane, and where each lane
 * starts (lane l is `order[starts[l]]` up to `order[starts[l + 1] - 1]`). 'in-order' is one lane,
 * 'unordered' a lane per record, 'per-key' a lane per key; a lane keeps the event's order.
 */
function lanes(ordering: Ordering, n: number, key: (i: number) => string): { order: Int32Array; starts: Int32Array } {
  const order = new Int32Array(n)
  if (ordering !== 'per-key') {
    for (let i = 0; i < n; i++) order[i] = i
    if (ordering === 'in-order') return { order, starts: Int32Array.of(0, n) }
    const starts = new Int32Array(n + 1)
    for (let i = 0; i <= n; i++) starts[i] = i
    return { order, starts }
  }
  const byKey = new Map<string, number[]>()
  for (let i = 0; i < n; i++) {
    const k = key(i)
    const lane = byKey.get(k)
    if (lane === undefined) byKey.set(k, [i])
    else lane.push(i)
  }
  const starts = new Int32Array(byKey.size + 1)
  let at = 0
  let l = 0
  for (const lane of byKey.values()) {
    for (const i of lane) order[at++] = i
    starts[++l] = at
  }
  return { order, starts }
}

/** At most this many identifiers are named in one log line; the count is always given. */
const NAMED = 20

function named(ids: readonly string[]): string {
  return ids.length <= NAMED ? ids.join(', ') : `${ids.slice(0, NAMED).join(', ')} and ${ids.length - NAMED} more`
}

/** The decoder's or validator's own words, which may quote the payload: logged only under `logPayloads`. */
function detailOf(thrown: unknown): string | undefined {
  if (isInvalidRecord(thrown)) {
    if (thrown.detail !== undefined) return thrown.detail
    const cause = thrown.failure.error?.cause
    return cause instanceof Error ? toError(cause).message : undefined
  }
  return undefined
}

/**
 * Builds the function that turns an event into a {@link BatchReport}. `parse` decodes and
 * validates one record, given its `meta` (built once, with the schema); `fn` is the record function with its
 * middleware already applied.
 */
export function createProcessor<Rec, P, M, Id = string>(
  source: Source<Rec, M, never, Id>,
  parse: (record: Rec, meta: M) => P | Promise<P>,
  fn: RecordFunction<P, M>,
  settings: EngineSettings<Rec>,
): (event: unknown, context?: Context) => Promise<BatchReport<Id>> {
  const { onInvalid, deadlineMarginMs, logPayloads, reporting = RETRY } = settings
  const textOf = source.idText ?? ((id: Id) => id as unknown as string)

  return async function processBatch(event, context) {
    const records = source.records(event)
    const n = records.length
    // Identifiers and keys are read before any record function runs: a record function that
    // changes a later record cannot change what is reported for it.
    const itemIds = new Array<Id>(n)
    const ids = new Array<string>(n)
    let i = 0
    try {
      for (; i < n; i++) ids[i] = textOf((itemIds[i] = source.id(records[i] as Rec)))
    } catch (e) {
      throw new MalformedEventError(`${source.name} could not read the identifier of Records[${i}]: ${toError(e).message}`)
    }
    const outcomes = new Array<RecordOutcome>(n)
    const started = new Uint8Array(n)
    let returned = false // once true, the engine writes no line for this batch (see engineLogger)
    const logger = engineLogger(settings.logger, () => returned)
    const base: BaseMeta = { context, logger: settings.logger }
    const plan = source.plan(records)
    const ordering = settings.ordering ?? plan.ordering
    const ordered = ordering !== 'unordered'
    const stopsBatch = plan.stops === 'batch'
    let cut = n // under a 'batch' stop, no record after this index starts
    let closed = false // the deadline was reached while records were running: the report is final
    // A context without a working clock (a hand-made one in a test or tool) means no deadline, as no context does.
    const margin = marginFor(deadlineMarginMs, context === undefined ? undefined : remaining(context))
    const watched = context !== undefined && margin > 0
    let startedAny = false // the first record always starts: a margin must never leave a handler unable to start

    const pastDeadline = (): boolean => watched && startedAny && (remaining(context) ?? Number.POSITIVE_INFINITY) < margin

    function invalid(i: number, id: string, record: Rec, thrown: unknown): RecordOutcome | Promise<RecordOutcome> {
      const reason = invalidReason(thrown)
      const detail = logPayloads ? detailOf(thrown) : undefined
      const log = {
        recordId: id,
        reason: reason.kind,
        ...(reason.path === undefined ? {} : { path: reason.path }),
        ...(detail === undefined ? {} : { detail }),
      }
      if (onInvalid === 'fail') {
        logger.warn(`Invalid record ${id}${reporting.one}: ${reason.message}`, log)
        return { status: 'invalid', id, index: i, reason, handled: false }
      }
      if (onInvalid === 'skip') {
        logger.warn(`Invalid record ${id}, skipped (onInvalid: 'skip'): ${reason.message}`, log)
        return { status: 'invalid', id, index: i, reason, handled: true }
      }
      const handedOff = (): RecordOutcome => ({ status: 'invalid', id, index: i, reason, handled: true })
      const notHandedOff = (e: unknown): RecordOutcome => {
        const error = toError(e)
        const message = `${reason.message} The onInvalid function then threw: ${error.message}`
        logger.error(`Invalid record ${id} could not be handed to onInvalid${reporting.one}.`, { ...log, error })
        return { status: 'invalid', id, index: i, reason: serialisable({ ...reason, message }), handled: false }
      }
      try {
        const r = onInvalid({ record, id, reason })
        return isThenable(r) ? Promise.resolve(r).then(handedOff, notHandedOff) : handedOff()
      } catch (e) {
        return notHandedOff(e)
      }
    }

    function failed(i: number, id: string, thrown: unknown): RecordOutcome {
      const error = toError(thrown)
      logger.error(`Record ${id} failed: ${error.message}`, { recordId: id, error })
      return { status: 'failed', id, index: i, reason: serialisable({ kind: 'handler', message: error.message, error }) }
    }

    // What the record function threw. A lazy meta field that is broken throws when the record
    // function reads it: that record is invalid, as it would have been had the field been decoded first.
    function threw(i: number, id: string, record: Rec, thrown: unknown): RecordOutcome | Promise<RecordOutcome> {
      return isInvalidRecord(thrown) ? invalid(i, id, record, thrown) : failed(i, id, thrown)
    }

    const { order, starts } = lanes(ordering, n, (i) => source.key(records[i] as Rec))
    const laneCount = starts.length - 1
    let nextLane = 0

    // A worker takes lanes until none are left. Each record goes meta -> parse -> record function ->
    // outcome inline, awaiting only what is a promise: the loop stays synchronous when the schema and
    // the record function are, and costs one await per async record, as a hand-written loop does.
    // After every await it checks `closed`: once the deadline has abandoned the batch, nothing more
    // starts and nothing more is written.
    async function worker(): Promise<void> {
      while (nextLane < laneCount && !closed) {
        const l = nextLane++
        let blocked = false // a record of this lane was reported: the rest of the lane waits (ordered modes)
        for (let k = starts[l] as number; k < (starts[l + 1] as number); k++) {
          const i = order[k] as number
          const id = ids[i] as string
          if (blocked || i > cut) {
            outcomes[i] = { status: 'skipped', id, index: i, reason: AFTER_FAILURE }
            continue
          }
          if (pastDeadline()) {
            outcomes[i] = { status: 'skipped', id, index: i, reason: DEADLINE }
            continue
          }
          const record = records[i] as Rec
          started[i] = 1
          startedAny = true
          let outcome: RecordOutcome | undefined
          let meta: M | undefined
          let payload: P | undefined
          // Broken metadata fails the record like a broken payload.
          try {
            meta = source.meta(record, base)
            const parsed = parse(record, meta)
            payload = parsed instanceof Promise ? await parsed : parsed
          } catch (e) {
            if (closed) return // abandoned at the deadline: no onInvalid, no line after the handler returned
            const o = invalid(i, id, record, e)
            outcome = o instanceof Promise ? await o : o
          }
          if (closed) return
          if (outcome === undefined) {
            try {
              const result = fn(payload as P, meta as M)
              if (isThenable(result)) await result
              outcome = { status: 'ok', id, index: i }
            } catch (e) {
              if (closed) return
              const o = threw(i, id, record, e)
              outcome = o instanceof Promise ? await o : o
            }
            if (closed) return
          }
          outcomes[i] = outcome
          if (ordered && isReported(outcome)) {
            blocked = true
            if (stopsBatch && i < cut) cut = i
          }
        }
      }
    }

    const workers: Promise<void>[] = []
    for (let w = 0; w < Math.min(ordering === 'in-order' ? 1 : settings.concurrency, laneCount); w++) workers.push(worker())
    const all = Promise.all(workers)
    if (watched && laneCount > 0) {
      const watch = deadlineWatch(context, margin)
      closed = await Promise.race([all.then(() => false), watch.reached])
      watch.stop()
    } else {
      await all
    }

    const abandoned: string[] = []
    const cutIds: string[] = []
    for (let i = 0; i < n; i++) {
      const o = outcomes[i]
      if (o === undefined) {
        const id = ids[i] as string
        if (started[i] === 1) {
          abandoned.push(id)
          outcomes[i] = { status: 'failed', id, index: i, reason: ABANDONED }
        } else {
          cutIds.push(id)
          outcomes[i] = { status: 'skipped', id, index: i, reason: DEADLINE }
        }
      } else if (o.status === 'skipped' && o.reason === DEADLINE) {
        cutIds.push(o.id)
      }
    }
    if (abandoned.length > 0) {
      logger.error(
        `Stopped waiting: under ${Math.round(margin)} ms of the Lambda's time were left. ${abandoned.length} records still running were abandoned${reporting.many} (their functions may still finish): ${named(abandoned)}.`,
        { abandoned },
      )
    }
    if (cutIds.length > 0) {
      logger.warn(
        `Stopped starting records: under ${Math.round(margin)} ms of the Lambda's time were left. ${cutIds.length} records were not started${reporting.many}.`,
        { deadlineSkips: cutIds.length },
      )
    }
    const batchItemFailures: { itemIdentifier: Id }[] = []
    let last: string | undefined
    for (const o of outcomes) {
      // Records that share an identifier (the user records of one KPL aggregate, fact 87) sit side
      // by side and are reported once.
      if (isReported(o) && o.id !== last) {
        batchItemFailures.push({ itemIdentifier: itemIds[o.index] as Id })
        last = o.id
      }
    }
    const s = summarize(outcomes)
    logger.info(
      `Batch of ${n} records: ${s.succeeded} succeeded, ${s.failed} failed, ${s.invalid} invalid, ${s.skipped} skipped after a failure, ${s.deadline} cut by the deadline; ${reporting.summary(s.reported)}.`,
      { batch: s },
    )
    returned = true
    return { outcomes, batchItemFailures, allFailed: n > 0 && s.reported === n }
  }
}

/**
 * The Lambda handler around a processor: the partial batch response, or a throw when every
 * record failed and `allFailed` is `'throw'` (so Lambda's bisect and retry policy apply).
 */
export function toLambdaHandler<Id>(
  processBatch: (event: unknown, context?: Context) => Promise<BatchReport<Id>>,
  settings: Pick<EngineSettings<unknown>, 'allFailed' | 'logger'>,
): (event: unknown, context?: Context) => Promise<{ batchItemFailures: { itemIdentifier: Id }[] }> {
  return async function handler(event, context) {
    const report = await processBatch(event, context)
    if (report.allFailed && settings.allFailed === 'throw') {
      const error = new AllRecordsFailedError(report.outcomes)
      settings.logger.error(error.message, { records: report.outcomes.length })
      throw error
    }
    return { batchItemFailures: report.batchItemFailures }
  }
}
