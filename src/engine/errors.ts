import { formatOutcome, type RecordOutcome } from './outcome.js'

/**
 * A handler was built with options that cannot work. Thrown when the handler is defined (at cold
 * start), never on the first record, and the message says what to change.
 *
 * @example
 * ```ts
 * kinesisHandler({ schema: Order, ordering: 'per-key', concurrency: 0 }, fn)
 * // ConfigurationError: kinesisHandler: `concurrency` must be a whole number from 1 to 1000; received 0.
 * ```
 */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError' // a string: InvalidFilterPatternError extends it
}

/**
 * The event is not one this handler can read: no `Records` array, a record of another source, or
 * a record without the identifier Lambda needs in `batchItemFailures`. Nothing is processed, so
 * Lambda retries the whole batch and nothing is lost.
 *
 * @example
 * ```ts
 * await handler(JSON.parse('{"records": []}'))
 * // MalformedEventError: kinesisHandler expected an event with a `Records` array; received an object with keys: records.
 * ```
 */
export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError'
}

/**
 * Every record of the batch failed, so the handler throws instead of reporting them all. A thrown
 * invocation lets Lambda apply `BisectBatchOnFunctionError` and the retry policy (both act on a
 * failed invocation only), as Powertools' `FullBatchFailureError` does.
 *
 * `outcomes` holds each record's outcome; `recordErrors` one `Error` per record, the same field
 * Powertools' error has. It does not extend Powertools' class: that import put 2.7 KB and a
 * module-level side effect into every bundle, for an `instanceof` that only Lambda, which catches
 * the throw, would ever see.
 *
 * @example
 * ```ts
 * try {
 *   await handler(event)
 * } catch (e) {
 *   if (e instanceof AllRecordsFailedError) failed.push(e.outcomes.length)
 * }
 * ```
 */
export class AllRecordsFailedError extends Error {
  override readonly name = 'AllRecordsFailedError'
  override readonly message: string
  readonly outcomes: readonly RecordOutcome[]
  readonly recordErrors: readonly Error[]

  constructor(outcomes: readonly RecordOutcome[]) {
    super()
    this.outcomes = outcomes
    this.recordErrors = outcomes.map((o) => ('reason' in o ? (o.reason.error ?? new Error(formatOutcome(o))) : new Error(formatOutcome(o))))
    const first = outcomes.find((o) => o.status !== 'skipped') ?? outcomes[0]
    this.message =
      `${outcomes.length === 1 ? 'The only record' : `All ${outcomes.length} records`} of the batch failed; throwing so that Lambda retries (and bisects, if enabled) the batch.` +
      (first === undefined ? '' : ` First: ${formatOutcome(first)}`)
  }
}
