/**
 * The engine: a source row, a record parser, options and a record function become a batch
 * processor. Read this file first; everything else is a source row, a decoder or a wrapper.
 *
 *   event ─► source.records ─► per record: parse (decode + schema) ─► record function ─► outcome
 *         ─► batchItemFailures (or a throw when every record failed)
 */
import type { Context } from 'aws-lambda'
import { AllRecordsFailedError } from './errors.js'
import { quietLogger, type RecordLogger } from './logger.js'
import type { InvalidRecordInfo, Ordering } from './options.js'
import { isReported, summarize, toError, type RecordFailure, type RecordOutcome } from './outcome.js'
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
 * A source is a row, not a class: how Kinesis, DynamoDB Streams and SQS differ, and nothing else.
 */
export interface Source<Rec, Meta> {
  /** The public function's name, used in error messages. */
  readonly name: string
  /** The records of an event, after checking its shape. Throws `MalformedEventError`. */
  records(event: unknown): readonly Rec[]
  /** The identifier Lambda expects in `batchItemFailures`: the sequence number on streams, the `messageId` on SQS. */
  id(record: Rec): string
  /** Records with the same key keep their order under `'per-key'`. */
  key(record: Rec): string
  /**
   * The record function's second argument, built before the record is parsed (the parser may add
   * what only decoding finds, such as an envelope's metadata). What it throws fails the record.
   */
  meta(record: Rec, base: BaseMeta): Meta
  /**
   * The ordering used when the user does not choose one, and how far a failure reaches under an
   * ordered mode: `'batch'` for streams (Lambda rewinds to the lowest reported sequence number and
   * re-delivers everything after it, so nothing after a failure is worth starting);
   * `'key'` for SQS FIFO (only the failed message group stops).
   */
  plan(records: readonly Rec[]): { readonly ordering: Ordering; readonly stops: 'batch' | 'key' }
}

/** The engine's settings, checked and defaulted. */
export interface EngineSettings<Rec> {
  readonly ordering: Ordering | undefined
  readonly concurrency: number
  readonly onInvalid: 'fail' | 'skip' | ((invalid: InvalidRecordInfo<Rec>) => unknown)
  readonly allFailed: 'throw' | 'report'
  readonly deadlineMarginMs: number
  readonly logger: RecordLogger
}

/** Everything the engine learnt about one batch. */
export interface BatchReport {
  /** One outcome per record, in the event's order. */
  readonly outcomes: readonly RecordOutcome[]
  /** The partial batch response Lambda reads. */
  readonly batchItemFailures: { itemIdentifier: string }[]
  /** True when the batch had records and every one of them is reported. */
  readonly allFailed: boolean
}

const AFTER_FAILURE: RecordFailure = { kind: 'after-failure', message: 'Not started: a record it is ordered behind failed.' }
const DEADLINE: RecordFailure = { kind: 'deadline', message: 'Not started: the Lambda was close to its timeout.' }

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
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

/**
 * Builds the function that turns an event into a {@link BatchReport}. `parse` decodes and
 * validates one record, given its `meta` (built once, with the schema); `fn` is the record function with its
 * middleware already applied.
 */
export function createProcessor<Rec, P, M>(
  source: Source<Rec, M>,
  parse: (record: Rec, meta: M) => P | Promise<P>,
  fn: RecordFunction<P, M>,
  settings: EngineSettings<Rec>,
): (event: unknown, context?: Context) => Promise<BatchReport> {
  const { logger, onInvalid, deadlineMarginMs } = settings

  return async function processBatch(event, context) {
    const records = source.records(event)
    const n = records.length
    const outcomes = new Array<RecordOutcome>(n)
    const base: BaseMeta = { context, logger }
    const plan = source.plan(records)
    const ordering = settings.ordering ?? plan.ordering
    const ordered = ordering !== 'unordered'
    const stopsBatch = plan.stops === 'batch'
    let cut = n // under a 'batch' stop, no record after this index starts
    let deadlineSkips = 0

    const pastDeadline = (): boolean =>
      context !== undefined && deadlineMarginMs > 0 && context.getRemainingTimeInMillis() < deadlineMarginMs

    function invalid(i: number, id: string, record: Rec, thrown: unknown): RecordOutcome | Promise<RecordOutcome> {
      const reason: RecordFailure =
        thrown instanceof InvalidRecord ? thrown.failure : { kind: 'decode', message: toError(thrown).message, error: toError(thrown) }
      const log = { recordId: id, reason: reason.kind, ...(reason.path === undefined ? {} : { path: reason.path }) }
      if (onInvalid === 'fail') {
        logger.warn(`Invalid record ${id}, reported for retry: ${reason.message}`, log)
        return { status: 'invalid', id, index: i, reason, handled: false }
      }
      if (onInvalid === 'skip') {
        logger.warn(`Invalid record ${id}, skipped (onInvalid: 'skip'): ${reason.message}`, log)
        return { status: 'invalid', id, index: i, reason, handled: true }
      }
      const handedOff = (): RecordOutcome => ({ status: 'invalid', id, index: i, reason, handled: true })
      const notHandedOff = (e: unknown): RecordOutcome => {
        const message = `${reason.message} The onInvalid function then threw: ${toError(e).message}`
        logger.error(`Invalid record ${id} could not be handed to onInvalid; reported for retry.`, { ...log, error: toError(e) })
        return { status: 'invalid', id, index: i, reason: { ...reason, message }, handled: false }
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
      return { status: 'failed', id, index: i, reason: { kind: 'handler', message: error.message, error } }
    }

    const { order, starts } = lanes(ordering, n, (i) => source.key(records[i] as Rec))
    const laneCount = starts.length - 1
    let nextLane = 0

    // A worker takes lanes until none are left. Each record goes meta -> parse -> record function ->
    // outcome inline, awaiting only what is a promise: the loop stays synchronous when the schema and
    // the record function are, and costs one await per async record, as a hand-written loop does.
    async function worker(): Promise<void> {
      while (nextLane < laneCount) {
        const l = nextLane++
        let blocked = false // a record of this lane was reported: the rest of the lane waits (ordered modes)
        for (let k = starts[l] as number; k < (starts[l + 1] as number); k++) {
          const i = order[k] as number
          const record = records[i] as Rec
          const id = source.id(record)
          if (blocked || i > cut) {
            outcomes[i] = { status: 'skipped', id, index: i, reason: AFTER_FAILURE }
            continue
          }
          if (pastDeadline()) {
            deadlineSkips++
            outcomes[i] = { status: 'skipped', id, index: i, reason: DEADLINE }
            continue
          }
          let outcome: RecordOutcome | undefined
          let meta: M | undefined
          let payload: P | undefined
          // Broken metadata fails the record like a broken payload.
          try {
            meta = source.meta(record, base)
            const parsed = parse(record, meta)
            payload = parsed instanceof Promise ? await parsed : parsed
          } catch (e) {
            const o = invalid(i, id, record, e)
            outcome = o instanceof Promise ? await o : o
          }
          if (outcome === undefined) {
            try {
              const result = fn(payload as P, meta as M)
              if (isThenable(result)) await result
              outcome = { status: 'ok', id, index: i }
            } catch (e) {
              outcome = failed(i, id, e)
            }
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
    await Promise.all(workers)

    if (deadlineSkips > 0) {
      logger.warn(
        `Stopped starting records: under ${deadlineMarginMs} ms of the Lambda's time were left. ${deadlineSkips} unstarted records are reported for retry.`,
        { deadlineSkips },
      )
    }
    const batchItemFailures: { itemIdentifier: string }[] = []
    for (const o of outcomes) {
      // Records that share an identifier (the user records of one KPL aggregate, fact 87) sit side
      // by side and are reported once.
      if (isReported(o) && o.id !== batchItemFailures[batchItemFailures.length - 1]?.itemIdentifier) batchItemFailures.push({ itemIdentifier: o.id })
    }
    const s = summarize(outcomes)
    logger.info(
      `Batch of ${n} records: ${s.succeeded} succeeded, ${s.failed} failed, ${s.invalid} invalid, ${s.skipped} skipped after a failure, ${s.deadline} cut by the deadline; ${s.reported} reported for retry.`,
      { batch: s },
    )
    return { outcomes, batchItemFailures, allFailed: n > 0 && s.reported === n }
  }
}

/**
 * The Lambda handler around a processor: the partial batch response, or a throw when every
 * record failed and `allFailed` is `'throw'` (so Lambda's bisect and retry policy apply).
 */
export function toLambdaHandler(
  processBatch: (event: unknown, context?: Context) => Promise<BatchReport>,
  settings: Pick<EngineSettings<unknown>, 'allFailed' | 'logger'>,
): (event: unknown, context?: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
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

export { quietLogger }
