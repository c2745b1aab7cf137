import { formatOutcome, type RecordOutcome } from '../engine/outcome.js'

/**
 * The window state cannot be used: the incoming state does not match the `state` schema, or the
 * state after the batch cannot travel back to Lambda as JSON (a `Date`, a `Map`, a `bigint`, a
 * one-way transform), does not match the schema after a JSON round trip, or is over 1 MB
 * (Lambda's limit per shard); either is nested more than 256 levels deep, cannot be read (a getter
 * or a Proxy throws), or has a `__proto__` key the state schema dropped (zod drops them). The
 * invocation fails, so the state returned last time stands.
 *
 * @example
 * ```ts
 * try {
 *   await handler(event)
 * } catch (e) {
 *   if (e instanceof WindowStateError && e.bytes !== undefined) seen.push(`state is ${e.bytes} bytes`)
 * }
 * ```
 */
export class WindowStateError extends Error {
  override readonly name = 'WindowStateError'
  /** The size of the serialised state in bytes, when that is what is wrong. */
  readonly bytes: number | undefined

  constructor(message: string, options: { cause?: unknown; bytes?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.bytes = options.bytes
  }
}

/**
 * A record of a windowed invocation was invalid, its `reduce` threw, or it was not started (the
 * Lambda was close to its timeout). The whole invocation fails: AWS does not document how a
 * partial failure inside a window moves the state, so the state returned by the last
 * successful invocation stands and Lambda's retry aggregates each record exactly once.
 *
 * `outcomes` holds each record's outcome; `cause` is the first failed record's error.
 *
 * @example
 * ```ts
 * try {
 *   await handler(event)
 * } catch (e) {
 *   if (e instanceof WindowRecordError) seen.push(e.outcomes.filter((o) => o.status !== 'ok').length)
 * }
 * ```
 */
export class WindowRecordError extends Error {
  override readonly name = 'WindowRecordError'
  readonly outcomes: readonly RecordOutcome[]

  constructor(name: string, outcomes: readonly RecordOutcome[], first: RecordOutcome) {
    const error = 'reason' in first ? first.reason.error : undefined
    super(
      `${name}: ${formatOutcome(first).replace(/\.$/, '')}. The whole invocation fails, so the window state stays as the last ` +
        'successful invocation returned it and the retry aggregates each record exactly once.',
      error === undefined ? undefined : { cause: error },
    )
    this.outcomes = outcomes
  }
}

/**
 * `onWindowEnd` threw on the window's final invocation. The invocation fails, so Lambda retries
 * it: the batch is reduced again from the same incoming state and `onWindowEnd` runs
 * again. `cause` is what it threw.
 *
 * @example
 * ```ts
 * try {
 *   await handler(finalEvent)
 * } catch (e) {
 *   if (e instanceof WindowEndError) seen.push(e.cause)
 * }
 * ```
 */
export class WindowEndError extends Error {
  override readonly name = 'WindowEndError'
}
