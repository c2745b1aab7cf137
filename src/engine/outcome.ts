/**
 * Why a record did not succeed. Every record that is not `ok` carries one, so a report can say
 * what happened to it without the payload.
 *
 * - `decode`: the bytes could not be turned into a value (bad base64, bad UTF-8, bad JSON, a broken gzip stream).
 * - `validation`: the value did not match the schema; `path` names the first failing field.
 * - `handler`: the record function (or a middleware) threw or rejected.
 * - `deadline`: the Lambda's remaining time fell under the margin: not started (`skipped`), or
 *   still running and abandoned (`failed`; its function may still finish after the handler returned).
 * - `after-failure`: not started because an earlier record it is ordered behind failed.
 */
export interface RecordFailure {
  readonly kind: 'decode' | 'validation' | 'handler' | 'deadline' | 'after-failure'
  /** A sentence a person can act on. Never contains the payload. */
  readonly message: string
  /** For `validation`: the path of the first failing field, such as `items[0].price`. */
  readonly path?: string
  /** For `handler` and `decode`: the error, normalised to an `Error` even if a non-Error was thrown. */
  readonly error?: Error
}

/**
 * What happened to one record of a batch. Outcomes are data: nothing a record does is lost as
 * an unobserved exception.
 *
 * - `ok`: the record function finished.
 * - `invalid`: the record could not be decoded or failed the schema. `handled` is true when
 *   `onInvalid` skipped it or handed it to the user's function; only unhandled ones are reported.
 * - `failed`: the record function threw, or was still running when the deadline margin was reached.
 * - `skipped`: never started (`deadline` or `after-failure`); always reported, so Lambda re-delivers it.
 *
 * @example
 * ```ts
 * const report = await handler.process(event)
 * for (const o of report.outcomes) if (o.status !== 'ok') lines.push(formatOutcome(o))
 * ```
 */
export type RecordOutcome =
  | { readonly status: 'ok'; readonly id: string; readonly index: number }
  | {
      readonly status: 'invalid'
      readonly id: string
      readonly index: number
      readonly reason: RecordFailure
      readonly handled: boolean
    }
  | { readonly status: 'failed'; readonly id: string; readonly index: number; readonly reason: RecordFailure }
  | { readonly status: 'skipped'; readonly id: string; readonly index: number; readonly reason: RecordFailure }

/**
 * `reason` with a `toJSON` (not enumerable) that writes its `error` as `{ name, message }`, so that
 * a report written as JSON says what was thrown (`JSON.stringify` writes an `Error` as `{}`).
 */
export function serialisable(reason: RecordFailure): RecordFailure {
  const { error } = reason
  if (error === undefined) return reason
  const copy = { ...reason }
  const written = (): object => {
    let name = 'Error'
    try {
      name = String(error.name)
    } catch {
      // A getter that throws: the default name.
    }
    return { ...copy, error: { name, message: error.message } }
  }
  Object.defineProperty(copy, 'toJSON', { value: written, enumerable: false })
  return copy
}

/** Whether Lambda must be told about this record (it goes into `batchItemFailures`). */
export function isReported(outcome: RecordOutcome): boolean {
  return outcome.status === 'invalid' ? !outcome.handled : outcome.status !== 'ok'
}

/**
 * One line that says what happened to a record and why, for logs and error messages.
 *
 * @example
 * ```ts
 * for (const o of report.outcomes) if (o.status !== 'ok') lines.push(formatOutcome(o))
 * // "record 4959...8898 invalid (decode): The data is not valid JSON: Unexpected token."
 * ```
 */
export function formatOutcome(outcome: RecordOutcome): string {
  if (outcome.status === 'ok') return `record ${outcome.id} ok`
  const { kind, path, message } = outcome.reason
  const where = path === undefined ? kind : `${kind} at ${path}`
  const handled = outcome.status === 'invalid' && outcome.handled ? ', handled' : ''
  return `record ${outcome.id} ${outcome.status} (${where}${handled}): ${message}`
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value
  try {
    if (Array.isArray(value)) return 'an array'
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name
    return typeof name === 'string' && name !== '' && name !== 'Object' ? `an object (${name.slice(0, 60)})` : 'an object'
  } catch {
    return 'an object that cannot be inspected'
  }
}

/**
 * Turns anything thrown into an `Error` that is safe to read and to log, and never throws itself.
 *
 * - An `Error` whose `message` and `stack` read as strings is returned as it is.
 * - A string is the reason, as the message of `throw new Error(text)` would have been.
 * - Anything else (an object, a revoked Proxy, an Error whose `message` or `stack` getter throws)
 *   becomes a new `Error` that says what kind of value it was, never its contents: a thrown object
 *   is often a payload or a response, which must not reach a log line. The value stays reachable
 *   as `cause` only when it is a readable `Error`.
 */
export function toError(thrown: unknown): Error {
  let isError = false
  try {
    isError = thrown instanceof Error
  } catch {
    // A revoked Proxy throws on instanceof.
  }
  if (isError) {
    try {
      const { message, stack } = thrown as Error
      if (typeof message === 'string' && (stack === undefined || typeof stack === 'string')) return thrown as Error
    } catch {
      // A getter that throws.
    }
    return new Error('An Error was thrown whose message or stack cannot be read (a getter threw).')
  }
  if (typeof thrown === 'string') return new Error(`A non-Error value was thrown: ${thrown}`)
  return new Error(`A non-Error value was thrown: ${kindOf(thrown)}. Throw an Error to say why.`)
}

/** How many records of a batch ended each way: what the handler's one summary line per batch says. */
export interface BatchSummary {
  readonly records: number
  /** `ok`. */
  readonly succeeded: number
  /** `failed`: the record function or a middleware threw. */
  readonly failed: number
  /** `invalid`, reported or handled by `onInvalid`. */
  readonly invalid: number
  /** `skipped` because a record they are ordered behind failed. */
  readonly skipped: number
  /** Cut by the deadline: not started, or abandoned while still running, because the Lambda was close to its timeout. */
  readonly deadline: number
  /** How many are in `batchItemFailures`. */
  readonly reported: number
}

/**
 * Counts a batch's outcomes: the numbers of the summary line the handler logs for each batch.
 *
 * @example
 * ```ts
 * const report = await handler.process(event, lambdaContext())
 * expect(summarize(report.outcomes)).toEqual({ records: 3, succeeded: 1, failed: 1, invalid: 0, skipped: 1, deadline: 0, reported: 2 })
 * ```
 */
export function summarize(outcomes: readonly RecordOutcome[]): BatchSummary {
  const s = { records: outcomes.length, succeeded: 0, failed: 0, invalid: 0, skipped: 0, deadline: 0, reported: 0 }
  for (const o of outcomes) {
    if (o.status === 'ok') s.succeeded++
    else if (o.reason.kind === 'deadline') s.deadline++
    else s[o.status]++
    if (isReported(o)) s.reported++
  }
  return s
}
