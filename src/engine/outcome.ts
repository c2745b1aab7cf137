/**
 * Why a record did not succeed. Every record that is not `ok` carries one, so a report can say
 * what happened to it without the payload.
 *
 * - `decode`: the bytes could not be turned into a value (bad base64, bad UTF-8, bad JSON, a broken gzip stream).
 * - `validation`: the value did not match the schema; `path` names the first failing field.
 * - `handler`: the record function (or a middleware) threw or rejected.
 * - `deadline`: not started because the Lambda's remaining time fell under the margin.
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
 * - `failed`: the record function threw.
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
 * // "record 4959...8898 invalid (decode): The data is not valid JSON: Unexpected token 'o'."
 * ```
 */
export function formatOutcome(outcome: RecordOutcome): string {
  if (outcome.status === 'ok') return `record ${outcome.id} ok`
  const { kind, path, message } = outcome.reason
  const where = path === undefined ? kind : `${kind} at ${path}`
  const handled = outcome.status === 'invalid' && outcome.handled ? ', handled' : ''
  return `record ${outcome.id} ${outcome.status} (${where}${handled}): ${message}`
}

/** Turns anything thrown into an `Error`, keeping the original as `cause` when it was not one. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown
  let shown: string
  try {
    shown = typeof thrown === 'string' ? thrown : (JSON.stringify(thrown) ?? String(thrown))
  } catch {
    shown = Object.prototype.toString.call(thrown)
  }
  return new Error(`A non-Error value was thrown: ${shown}`, { cause: thrown })
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
  /** `skipped` because the Lambda was close to its timeout. */
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
    else if (o.status === 'skipped') s[o.reason.kind === 'deadline' ? 'deadline' : 'skipped']++
    else s[o.status]++
    if (isReported(o)) s.reported++
  }
  return s
}
