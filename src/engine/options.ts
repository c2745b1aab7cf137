import { ConfigurationError } from './errors.js'
import type { RecordLogger } from './logger.js'
import type { RecordFailure } from './outcome.js'
import { isSchema, type Schema } from './schema.js'

/**
 * How records of one batch are scheduled.
 *
 * - `'in-order'` (streams' default): one at a time, in the batch's order; the first failure stops
 *   the batch, and it and every later record are reported unstarted (Lambda re-delivers from the
 *   lowest reported sequence number anyway, successes after it included).
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
  readonly ordering?: Ordering | undefined
  /** How many records (or keys, under `'per-key'`) run at once. Default 10; not allowed with `'in-order'`. */
  readonly concurrency?: number | undefined
  /**
   * What to do with a record that cannot be decoded or fails the schema:
   * `'fail'` (default) reports it for retry; `'skip'` logs it, counts it and lets Lambda move on;
   * a function receives it (for example to write it to a dead-letter store), after which it counts
   * as handled, unless the function throws.
   */
  readonly onInvalid?: ('fail' | 'skip' | ((invalid: InvalidRecordInfo<Rec>) => unknown)) | undefined
  /**
   * When every record of a batch failed: `'throw'` (default) so that Lambda's bisect and retry
   * policy apply, or `'report'` to return every record in `batchItemFailures`.
   */
  readonly allFailed?: 'throw' | 'report' | undefined
  /**
   * Stop starting records when the Lambda's remaining time falls under this many milliseconds;
   * the unstarted ones are reported for retry. Default 1000. `0` turns the check off. The margin
   * never takes more than half the time left when the handler starts (a function with a 1-second
   * timeout keeps about 500 ms), and the first record always starts.
   */
  readonly deadlineMarginMs?: number | undefined
  /** Where the library logs; `@aws-lambda-powertools/logger`'s `Logger` fits. Default: JSON lines on stdout and stderr at `LOG_LEVEL` (`INFO` on Lambda, `WARN` elsewhere; see {@link quietLogger}). */
  readonly logger?: RecordLogger | undefined
  /**
   * Add the decoder's and the validator's own words to the log line of an invalid record, as
   * `detail`. They may quote the payload (a JSON parser's excerpt, an unknown key's name), which is
   * why reasons and log lines carry none of it by default. Default false.
   */
  readonly logPayloads?: boolean | undefined
}

const ORDERINGS: readonly unknown[] = ['in-order', 'per-key', 'unordered'] satisfies Ordering[]

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null || typeof value !== 'object') return String(value)
  return Array.isArray(value) ? 'an array' : `an object with keys: ${Object.keys(value).join(', ') || '(none)'}`
}

/**
 * An option's check: whether a value (never `undefined`) is allowed, what the value must be (for
 * the message), and, for an option that depends on another, a sentence that says why this
 * combination cannot work (`undefined` when it can).
 */
export type OptionRule = readonly [
  allowed: (value: unknown) => boolean,
  mustBe: string,
  conflict?: (options: Readonly<Record<string, unknown>>) => string | undefined,
]

/**
 * Checks the options that `rules` name, when present: a value a rule refuses throws a
 * `ConfigurationError` such as "kinesisHandler: \`ordering\` must be 'in-order', 'per-key' or 'unordered'; received \"sorted\"."
 */
export function checkRules(name: string, options: object, rules: Readonly<Record<string, OptionRule>>): void {
  const o = options as Record<string, unknown>
  for (const [key, [allowed, mustBe, conflict]] of Object.entries(rules)) {
    const value = o[key]
    if (value === undefined) continue
    if (!allowed(value)) throw new ConfigurationError(`${name}: \`${key}\` must be ${mustBe}; received ${describe(value)}.`)
    const problem = conflict?.(o)
    if (problem !== undefined) throw new ConfigurationError(`${name}: ${problem}`)
  }
}

// Edits (insert, delete, replace) from a to b, ignoring case: `batchsise` is 1 from `BatchSize`.
function distance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()]
  let row = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const next = [i]
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (x[i - 1] === y[j - 1] ? 0 : 1))
    row = next
  }
  return row[y.length] as number
}

/** The known name nearest to a misspelt one, when it is near enough to be what was meant. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.min(3, Math.ceil(key.length / 3)) + 1
  for (const k of known) {
    const d = distance(key, k)
    if (d < bestDistance) [best, bestDistance] = [k, d]
  }
  return best
}

/**
 * Refuses options that `known` does not name: a misspelt option would otherwise be ignored
 * silently. The message lists the options and, for a near miss, suggests the one meant.
 */
export function checkKnownKeys(name: string, options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k))
  if (unknown.length > 0) {
    const meant = unknown.flatMap((k) => nearest(k, known) ?? [])
    const hint = meant.length === 0 ? '' : ` Did you mean ${meant.map((k) => `\`${k}\``).join(', ')}?`
    throw new ConfigurationError(
      `${name}: unknown option ${unknown.map((k) => `\`${k}\``).join(', ')}; the options are ${known.join(', ')}.${hint}`,
    )
  }
}

export const isFunction = (value: unknown): boolean => typeof value === 'function'

/** The rules of the options every handler takes but `schema`, which is required. */
const COMMON_RULES: Record<string, OptionRule> = {
  ordering: [(v) => ORDERINGS.includes(v), "'in-order', 'per-key' or 'unordered'"],
  concurrency: [(v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1000, 'a whole number from 1 to 1000'],
  onInvalid: [(v) => v === 'fail' || v === 'skip' || isFunction(v), "'fail', 'skip' or a function"],
  allFailed: [(v) => v === 'throw' || v === 'report', "'throw' or 'report'"],
  deadlineMarginMs: [(v) => typeof v === 'number' && v >= 0 && v < Infinity, 'a number of milliseconds, 0 or more'],
  logPayloads: [(v) => typeof v === 'boolean', 'true or false'],
  logger: [
    (v) =>
      typeof v === 'object' && v !== null && ['debug', 'info', 'warn', 'error'].every((k) => isFunction((v as Record<string, unknown>)[k])),
    'an object with debug, info, warn and error methods (a Powertools Logger or console)',
  ],
}
const COMMON_KEYS = ['schema', ...Object.keys(COMMON_RULES)]

/**
 * Checks a handler's options when it is built, so that a mistake fails at cold start with a
 * sentence that says what to change: the common options, then the source's own `rules`.
 * `defaultOrdering` is the source's (its plan for an empty batch); `extraKeys` are more known
 * option names (a window's).
 */
export function checkOptions(
  name: string,
  options: unknown,
  rules: Readonly<Record<string, OptionRule>>,
  defaultOrdering: Ordering,
  extraKeys: readonly string[] = [],
): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`${name}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) {
    fail(`expected a schema or an options object with a \`schema\`; received ${describe(options)}.`)
  }
  const o = options as Record<string, unknown>
  // A zod shape (`{ orderId: z.string() }`) where a schema was meant: an object whose fields are schemas.
  if (o.schema === undefined && Object.keys(o).length > 0 && Object.values(o).every(isSchema)) {
    fail('expected a schema; received an options object without `schema` whose fields are schemas: did you mean `z.object({...})`?')
  }
  if (!isSchema(o.schema)) {
    fail(
      `\`schema\` must be a Standard Schema validator (a zod 4, valibot or arktype schema); received ${describe(o.schema)}. ` +
        'To accept any payload, pass z.unknown().',
    )
  }
  checkKnownKeys(name, o, [...COMMON_KEYS, ...extraKeys, ...Object.keys(rules)])
  checkRules(name, o, COMMON_RULES)
  if (o.concurrency !== undefined && (o.ordering ?? defaultOrdering) === 'in-order') {
    fail("`concurrency` needs `ordering: 'per-key'` or `'unordered'`: under 'in-order' records run one at a time.")
  }
  checkRules(name, o, rules)
}

/** Normalises the short form (`schema`) and the options form (`{ schema, ... }`). */
export function toOptions<O extends { readonly schema: Schema }>(schemaOrOptions: Schema | O): O {
  return (isSchema(schemaOrOptions) ? { schema: schemaOrOptions } : schemaOrOptions) as O
}

export { describe as describeValue }
