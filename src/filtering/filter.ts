/**
 * Event filtering as Lambda's event source mapping applies it: which
 * records reach the function, and which criteria Lambda refuses when the mapping is created.
 */
import type { DynamoDBRecord, KinesisStreamRecord, SQSRecord } from 'aws-lambda'
import { ConfigurationError } from '../engine/errors.js'
import { nestedDeeperThan, parseKeepingNumberText } from './json.js'
import {
  compileObject,
  compileRules,
  invalid,
  isPlainObject,
  nested,
  ownGetter,
  type CompileContext,
  type Field,
  type FieldGetter,
  type ObjectTest,
} from './pattern.js'

/**
 * An event source mapping's `FilterCriteria`, as in CloudFormation, the AWS SDK and the CLI: each
 * `Pattern` is a JSON string. A record passes when it matches at least one pattern.
 */
export interface FilterCriteria {
  readonly Filters?: readonly { readonly Pattern?: string }[]
}

/** The event source a filter is written for: what its data key is and how it is decoded (`data`, `dynamodb`, `body` or Kafka's `value`). */
export type FilterSource = 'kinesis' | 'dynamodb' | 'sqs' | 'kafka'

/** A compiled filter: true when Lambda would pass the raw record to the function. */
export type RecordFilter = (record: unknown) => boolean

/** The largest number of filters one mapping takes (5 by default, 10 with a quota increase). */
const MAX_FILTERS = 10
const MAX_PATTERN_LENGTH = 4096 // API: Filter.Pattern, 0-4096 characters

/**
 * How deep filtering reads a record: a record, a Kinesis `data` or an SQS `body` nested more than
 * this many levels of objects and arrays does not match. Lambda does not document its limit; this
 * is the usual default of JSON readers (Jackson's), and it keeps matching off the end of the stack.
 */
export const MAX_FILTER_DEPTH = 1000

const utf8 = new TextDecoder('utf-8', { fatal: true })
const NOT_JSON = Symbol('not a JSON object')
const UNSET = Symbol('unset')

/** Says why a record did not match, when the reason is not the pattern itself. */
type Note = (reason: string) => void

function tooDeep(what: string, then: string): string {
  return `${what} is nested more than ${MAX_FILTER_DEPTH} levels deep, deeper than filtering reads, so ${then}. Lambda does not document its limit.`
}

/**
 * Text parsed as a JSON object, or NOT_JSON: a JSON pattern never matches anything else. Text nested too deep to read counts as not JSON, and `note` says so.
 */
function jsonObject(text: string, keepNumberText: boolean, note: () => void): unknown {
  let value: unknown
  try {
    value = JSON.parse(text) // JSON.parse does not recurse, whatever the depth
  } catch {
    return NOT_JSON
  }
  if (!isPlainObject(value)) return NOT_JSON
  if (nestedDeeperThan(value, MAX_FILTER_DEPTH)) {
    note()
    return NOT_JSON
  }
  return keepNumberText ? parseKeepingNumberText(text) : value
}

/** Kinesis `data` as Lambda filters it: base64-decoded, then parsed as JSON. */
function kinesisData(record: unknown, keepNumberText: boolean, note: Note): unknown {
  const data = (record as Partial<KinesisStreamRecord> | null)?.kinesis?.data
  if (typeof data !== 'string') return NOT_JSON
  let text: string
  try {
    text = utf8.decode(Buffer.from(data, 'base64'))
  } catch {
    return NOT_JSON // not text, so not JSON: KPL aggregates land here too (fact 82 is unconfirmed)
  }
  return jsonObject(text, keepNumberText, () =>
    note(tooDeep('The data', 'a data pattern does not match it, as with data that is not JSON')),
  )
}

interface SqsBody {
  readonly raw: unknown
  readonly json: unknown
}

/** A Kafka `value` as Lambda filters it: base64-decoded text, and that text as a JSON object when it is one (NOT_JSON otherwise). */
function kafkaValue(record: unknown, keepNumberText: boolean, note: Note): SqsBody {
  const value = (record as { value?: unknown } | null)?.value
  if (typeof value !== 'string') return { raw: undefined, json: NOT_JSON } // a tombstone, or not base64: no value pattern matches
  let text: string
  try {
    text = utf8.decode(Buffer.from(value, 'base64'))
  } catch {
    return { raw: undefined, json: NOT_JSON } // bytes that are not text (Avro, Protobuf) match no value pattern
  }
  const deep = (): void => note(tooDeep('The value', 'it is read as text: a JSON value pattern does not match it, a text pattern may'))
  return { raw: text, json: jsonObject(text, keepNumberText, deep) }
}

type Row = {
  /** Takes over a top-level pattern key, or returns undefined to leave it to the generic rules. */
  special(key: string, value: unknown, path: string, context: CompileContext): Field | undefined
  /** The top-level field reader for one record; `note` says why it cannot match, when its data cannot be read. */
  reader(record: unknown, keepNumberText: boolean, note: Note): FieldGetter
}

function memoised(record: unknown, key: string, compute: () => unknown): FieldGetter {
  const own = ownGetter(record)
  let cached: unknown = UNSET
  return (k) => {
    if (k !== key) return own(k)
    if (cached === UNSET) cached = compute()
    return cached
  }
}

/** A pattern on a text-or-JSON field (SQS `body`, Kafka `value`): JSON patterns match JSON objects, rules match text. */
function textOrJson(key: string, value: unknown, path: string, context: CompileContext): Field {
  const field = (get: FieldGetter): SqsBody => get(key) as SqsBody
  if (isPlainObject(value)) {
    const inner = nested(compileObject(value, context, path))
    // A JSON pattern on a value that is not a JSON object drops the record (fact 77).
    return { key, test: (get) => field(get).json !== NOT_JSON && inner(field(get).json) }
  }
  const rules = compileRules(value, context, path)
  // A plain-text pattern on a JSON value is a format mismatch: the record is dropped (fact 77).
  return { key, test: (get) => field(get).json === NOT_JSON && rules(field(get).raw) }
}

const ROWS: Record<FilterSource, Row> = {
  kinesis: {
    special(key, value, path, context) {
      if (key !== 'data') return undefined
      // A data pattern that is not JSON is refused when the mapping is created (fact 78).
      if (!isPlainObject(value))
        throw invalid(
          context,
          path,
          'the Kinesis data pattern must be a JSON object such as {"data": {"field": ["value"]}}; Lambda refuses other data patterns.',
        )
      const inner = nested(compileObject(value, context, path))
      return { key, test: (get) => (get('data') === NOT_JSON ? false : inner(get('data'))) }
    },
    reader: (record, keep, note) => memoised(record, 'data', () => kinesisData(record, keep, note)),
  },
  dynamodb: {
    special(key, value, path, context) {
      if (key === 'dynamodb' && !isPlainObject(value)) {
        throw invalid(
          context,
          path,
          'the dynamodb pattern must be a JSON object such as {"dynamodb": {"NewImage": {"field": {"S": ["value"]}}}}.',
        )
      }
      return undefined
    },
    reader: (record) => ownGetter(record),
  },
  sqs: {
    special(key, value, path, context) {
      return key === 'body' ? textOrJson(key, value, path, context) : undefined
    },
    reader(record, keep, note) {
      return memoised(record, 'body', (): SqsBody => {
        const raw = (record as Partial<SQSRecord> | null)?.body
        const deep = (): void => note(tooDeep('The body', 'it is read as text: a JSON body pattern does not match it, a text pattern may'))
        return { raw, json: typeof raw === 'string' ? jsonObject(raw, keep, deep) : NOT_JSON }
      })
    },
  },
  kafka: {
    special(key, value, path, context) {
      // Kafka mappings filter on `value` only (fact 103).
      if (key !== 'value')
        throw invalid(context, path, 'Kafka event source mappings filter on `value` only, as in {"value": {"field": ["x"]}}.')
      return textOrJson(key, value, path, context)
    },
    reader: (record, keep, note) => memoised(record, 'value', () => kafkaValue(record, keep, note)),
  },
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

/**
 * Compiles `FilterCriteria` once into a {@link RecordFilter} that decides, as Lambda does, whether
 * a raw record of `source` passes: AND within a pattern, OR across patterns and `$or`; Kinesis
 * `data` base64-decoded and parsed as JSON; DynamoDB values in AttributeValue form (`{"S": [...]}`);
 * SQS `body` parsed as JSON for a JSON pattern, matched as text for a text pattern; a record whose
 * data does not fit the pattern's format is dropped. No `Filters` (or an empty list)
 * lets every record through.
 *
 * Throws {@link InvalidFilterPatternError} for criteria Lambda refuses at creation and
 * for EventBridge operators Lambda does not document (`wildcard`, `cidr`, `anything-but` with a
 * matcher).
 *
 * @example
 * ```ts
 * const passes = compileFilter({ Filters: [{ Pattern: '{"data": {"total": [{"numeric": [">", 100]}]}}' }] }, 'kinesis')
 * const delivered = event.Records.filter(passes)
 * ```
 */
export function compileFilter(criteria: FilterCriteria, source: FilterSource): RecordFilter {
  const decide = compileFilterVerdict(criteria, source)
  return (record) => decide(record) === true
}

/**
 * {@link compileFilter} for the simulator: `true` when the record passes; otherwise `false`, or a
 * sentence when the reason is not the pattern (the record is too deep to read), for its report.
 */
export function compileFilterVerdict(criteria: FilterCriteria, source: FilterSource): (record: unknown) => boolean | string {
  const row = ROWS[source as FilterSource] as Row | undefined
  if (row === undefined || !Object.hasOwn(ROWS, source)) {
    throw new ConfigurationError(
      `compileFilter: \`source\` must be 'kinesis', 'dynamodb', 'sqs' or 'kafka'; received ${JSON.stringify(source) ?? String(source)}.`,
    )
  }
  if (!isPlainObject(criteria))
    throw new ConfigurationError(`compileFilter: expected FilterCriteria ({ Filters: [{ Pattern }] }); received ${describe(criteria)}.`)
  const filters: unknown = criteria.Filters
  if (filters === undefined) return () => true
  const top: CompileContext = { where: 'FilterCriteria', numberEquality: false }
  if (!Array.isArray(filters)) throw invalid(top, '', `Filters must be an array; received ${describe(filters)}.`)
  if (filters.length > MAX_FILTERS) {
    throw invalid(top, '', `${filters.length} filters; an event source mapping takes 5 (10 with a quota increase).`)
  }
  let keepNumberText = false
  const tests: ObjectTest[] = filters.map((filter: unknown, i) => {
    const context: CompileContext = { where: `Filters[${i}]`, numberEquality: false }
    const pattern: unknown = isPlainObject(filter) ? filter.Pattern : undefined
    if (typeof pattern !== 'string') throw invalid(context, '', `Pattern must be a JSON string; received ${describe(pattern)}.`)
    if (pattern.length > MAX_PATTERN_LENGTH)
      throw invalid(context, '', `Pattern is ${pattern.length} characters; the limit is ${MAX_PATTERN_LENGTH}.`)
    let parsed: unknown
    try {
      parsed = parseKeepingNumberText(pattern)
    } catch (e) {
      throw invalid(context, '', `Pattern is not valid JSON (${(e as Error).message}).`)
    }
    const test = compileObject(parsed, context, '', (key, value, path) => row.special(key, value, path, context))
    keepNumberText ||= context.numberEquality
    return test
  })
  if (tests.length === 0) return () => true // an empty list is accepted and filters nothing (§11 point 11)
  return function passes(record) {
    // Matching recurses as deep as the record: refuse what would run it off the end of the stack.
    if (nestedDeeperThan(record, MAX_FILTER_DEPTH)) return tooDeep('The record', 'no pattern matches it')
    let why: string | undefined
    const get = row.reader(record, keepNumberText, (reason) => (why = reason))
    for (const test of tests) if (test(get)) return true
    return why ?? false
  }
}

const SOURCES: Record<string, FilterSource> = { 'aws:kinesis': 'kinesis', 'aws:dynamodb': 'dynamodb', 'aws:sqs': 'sqs' }

/**
 * Whether Lambda would pass `record` (a raw Kinesis, DynamoDB Streams or SQS event record) to the
 * function under `criteria`; the source is read from the record's `eventSource`. Compiles the
 * criteria on every call: for many records, compile once with {@link compileFilter}.
 *
 * @example
 * ```ts
 * const criteria = { Filters: [{ Pattern: '{"body": {"status": ["open"]}}' }] }
 * expect(matchesFilter(criteria, sqsRecord)).toBe(true)
 * ```
 */
export function matchesFilter(criteria: FilterCriteria, record: KinesisStreamRecord | DynamoDBRecord | SQSRecord): boolean {
  const eventSource = (record as { eventSource?: unknown } | null)?.eventSource
  const source = typeof eventSource === 'string' && Object.hasOwn(SOURCES, eventSource) ? SOURCES[eventSource] : undefined
  if (source === undefined) {
    throw new TypeError(
      `matchesFilter: the record's eventSource is ${JSON.stringify(eventSource) ?? 'missing'}; expected "aws:kinesis", "aws:dynamodb" or "aws:sqs".`,
    )
  }
  return compileFilter(criteria, source)(record)
}
