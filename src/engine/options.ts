import { ConfigurationError } from './errors.js'
import type { RecordLogger } from './logger.js'
import type { RecordFailure } from './outcome.js'
import { isSchema, type Schema } from './schema.js'

/**
 * How records of one batch are scheduled.
 *
 * - `'in-order'` (streams' default): one at a time, in the batch's order; the first failure stops
 *   the batch, and it and every later record are reported unstarted (Lambda re-delivers from the
 *   lowest reported sequence number anyway, esm-semantics fact 45).
 * - `'per-key'`: records with different keys (Kinesis partition key, DynamoDB item key, SQS FIFO
 *   message group) run concurrently, up to `concurrency`; order is kept within a key.
 * - `'unordered'` (SQS standard's default): every record runs independently, up to `concurrency`,
 *   and each failure is reported.
 */
export type Ordering = 'in-order' | 'per-key' | 'unordered'

/** What the `onInvalid` function receives for a record that could not be decoded or validated. */
export interface InvalidRecordInfo<Rec> {
  /** The record as Lambda delivered it. */
  readonly record: Rec
  /** Its identifier (the one `batchItemFailures` would carry). */
  readonly id: string
  readonly reason: RecordFailure
}

/** Options every handler takes. */
export interface CommonOptions<S extends Schema, Rec> {
  /** The schema each record is checked against; any Standard Schema validator (zod 4, valibot, arktype). */
  readonly schema: S
  /** See {@link Ordering}. Streams default to `'in-order'`; SQS to `'unordered'` (standard) or `'per-key'` (FIFO). */
  readonly ordering?: Ordering
  /** How many records (or keys, under `'per-key'`) run at once. Default 10; not allowed with `'in-order'`. */
  readonly concurrency?: number
  /**
   * What to do with a record that cannot be decoded or fails the schema:
   * `'fail'` (default) reports it for retry; `'skip'` logs it, counts it and lets Lambda move on;
   * a function receives it (for example to write it to a dead-letter store), after which it counts
   * as handled, unless the function throws.
   */
  readonly onInvalid?: 'fail' | 'skip' | ((invalid: InvalidRecordInfo<Rec>) => unknown)
  /**
   * When every record of a batch failed: `'throw'` (default) so that Lambda's bisect and retry
   * policy apply (facts 37-38), or `'report'` to return every record in `batchItemFailures`.
   */
  readonly allFailed?: 'throw' | 'report'
  /**
   * Stop starting records when the Lambda's remaining time falls under this many milliseconds;
   * the unstarted ones are reported for retry. Default 1000. `0` turns the check off.
   */
  readonly deadlineMarginMs?: number
  /** Where the library logs; `@aws-lambda-powertools/logger`'s `Logger` fits. Default: warnings and errors to stderr. */
  readonly logger?: RecordLogger
}

const COMMON_KEYS = ['schema', 'ordering', 'concurrency', 'onInvalid', 'allFailed', 'deadlineMarginMs', 'logger']
const ORDERINGS: readonly string[] = ['in-order', 'per-key', 'unordered'] satisfies Ordering[]

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : `an object with keys: ${Object.keys(value).join(', ') || '(none)'}`
}

/**
 * Checks a handler's options when it is built, so that a mistake fails at cold start with a
 * sentence that says what to change. `extraKeys` are the source's own options; `defaultOrdering`
 * is the source's (`'by-queue'`: SQS, where it depends on whether the queue is FIFO).
 */
export function checkOptions(name: string, options: unknown, extraKeys: readonly string[], defaultOrdering: Ordering | 'by-queue'): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`${name}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) {
    fail(`expected a schema or an options object with a \`schema\`; received ${describe(options)}.`)
  }
  const o = options as Record<string, unknown>
  if (!isSchema(o.schema)) {
    fail(
      `\`schema\` must be a Standard Schema validator (a zod 4, valibot or arktype schema); received ${describe(o.schema)}. ` +
        'To accept any payload, pass z.unknown().',
    )
  }
  const known = new Set([...COMMON_KEYS, ...extraKeys])
  const unknown = Object.keys(o).filter((k) => !known.has(k))
  if (unknown.length > 0) fail(`unknown option ${unknown.map((k) => `\`${k}\``).join(', ')}; the options are ${[...known].join(', ')}.`)
  if (o.ordering !== undefined && !ORDERINGS.includes(o.ordering as string)) {
    fail(`\`ordering\` must be 'in-order', 'per-key' or 'unordered'; received ${describe(o.ordering)}.`)
  }
  if (o.concurrency !== undefined) {
    const c = o.concurrency
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 1 || c > 1000) {
      fail(`\`concurrency\` must be a whole number from 1 to 1000; received ${describe(c)}.`)
    }
    if ((o.ordering ?? defaultOrdering) === 'in-order') {
      fail("`concurrency` needs `ordering: 'per-key'` or `'unordered'`: under 'in-order' records run one at a time.")
    }
  }
  if (o.onInvalid !== undefined && o.onInvalid !== 'fail' && o.onInvalid !== 'skip' && typeof o.onInvalid !== 'function') {
    fail(`\`onInvalid\` must be 'fail', 'skip' or a function; received ${describe(o.onInvalid)}.`)
  }
  if (o.allFailed !== undefined && o.allFailed !== 'throw' && o.allFailed !== 'report') {
    fail(`\`allFailed\` must be 'throw' or 'report'; received ${describe(o.allFailed)}.`)
  }
  const m = o.deadlineMarginMs
  if (m !== undefined && (typeof m !== 'number' || !Number.isFinite(m) || m < 0)) {
    fail(`\`deadlineMarginMs\` must be a number of milliseconds, 0 or more; received ${describe(m)}.`)
  }
  const log = o.logger as Record<string, unknown> | undefined
  if (log !== undefined && (typeof log !== 'object' || log === null || ['debug', 'info', 'warn', 'error'].some((k) => typeof log[k] !== 'function'))) {
    fail('`logger` must have debug, info, warn and error methods (a Powertools Logger or console).')
  }
}

/** Normalises the short form (`schema`) and the options form (`{ schema, ... }`). */
export function toOptions<O extends { readonly schema: Schema }>(schemaOrOptions: Schema | O): O {
  return (isSchema(schemaOrOptions) ? { schema: schemaOrOptions } : schemaOrOptions) as O
}

export { describe as describeValue }
