import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { makeBuilder, type BatchHandler, type HandlerBuilder } from '../../engine/builder.js'
import { recordsOf, type BaseMeta, type RecordFunction, type StreamSource } from '../../engine/engine.js'
import { MalformedEventError } from '../../engine/errors.js'
import { toOptions, type CommonOptions, type OptionRule } from '../../engine/options.js'
import { validate, type InferOutput, type Schema } from '../../engine/schema.js'
import {
  base64ToBytes,
  bytesDecoder,
  DECODE_RULE,
  decodeError,
  describeSource,
  EAGER_META_RULE,
  isSequenceNumber,
  MAX_INFLATED_RULE,
  settle,
  unreadable,
  type DecodeMode,
} from '../decode.js'
import { brokenAggregate, DEFAULT_MAX_USER_RECORDS, isUnsplitAggregate, KPL_BASE64_PREFIX, splitAggregate, type KplPayload } from './kpl.js'

/**
 * What the Kinesis record function receives besides the payload. Without middleware (and unless
 * `eagerMeta`), `shardId` and `arrivedAt` are made when first read and then kept: read them by
 * name or by destructuring; `{ ...meta }` copies them only once read, and `JSON.stringify(meta)`
 * shows both.
 */
export interface KinesisMeta extends BaseMeta {
  /**
   * The record as Lambda delivered it; for a user record of a KPL aggregate, a copy of the
   * aggregate with the user record's partition key, base64 data and sub-sequence number.
   */
  readonly record: KinesisStreamRecord
  /** The record's partition key; for a user record of a KPL aggregate, its own (inner) key. */
  readonly partitionKey: string
  /**
   * A decimal string of up to 129 digits: compare as `BigInt`, never as text. The user
   * records of a KPL aggregate share the aggregate's, which is what a failure reports.
   */
  readonly sequenceNumber: string
  /** The user record's place in its KPL aggregate (0, 1, ...); `undefined` for a record that was not aggregated. */
  readonly subSequenceNumber: number | undefined
  /** The shard, from the record's `eventID` (`shardId-…:sequenceNumber`). */
  readonly shardId: string
  /** When Kinesis accepted the record (`approximateArrivalTimestamp`, to the millisecond). */
  readonly arrivedAt: Date
}

/** Options of {@link kinesisHandler}. */
export interface KinesisOptions<S extends Schema> extends CommonOptions<S, KinesisStreamRecord> {
  /** How the record's base64 `data` becomes the value the schema checks. Default `'json'`. */
  readonly decode?: DecodeMode | undefined
  /**
   * The most bytes a gzip record may inflate to; past it the record fails (a decode failure that
   * names this option) before more memory is taken. Default 6,291,456 (6 MB, Lambda's payload ceiling).
   */
  readonly maxInflatedBytes?: number | undefined
  /**
   * The most user records one KPL aggregate may hold. An aggregate with more is not split: it
   * fails as one invalid record (a decode failure that names this option) before its user records
   * take memory, about 0.7 KB each while a batch runs. Default 10,000, as many records as a batch
   * holds without aggregation (Lambda's largest batch size).
   */
  readonly maxUserRecords?: number | undefined
  /**
   * Make `meta` a plain object with every field before the record function runs, so that a spread
   * (`{ ...meta }`) copies `shardId` and `arrivedAt` unread. Default false: without middleware
   * they are made when first read (about 0.2 µs a record saved when they are not). Middleware always
   * gets the plain object.
   */
  readonly eagerMeta?: boolean | undefined
}

/** The handler {@link kinesisHandler} builds: Lambda's Kinesis event in, partial batch response out. */
export type KinesisHandler = BatchHandler<KinesisStreamEvent, KinesisStreamBatchResponse>

function malformed(message: string): MalformedEventError {
  return new MalformedEventError(`kinesisHandler ${message}`)
}

// What every Kinesis record carries (fact 2): without these the record cannot be identified, or
// its meta would be wrong (an Invalid Date, a shard id cut from nothing), so the event is malformed.
function checkRecord(r: Partial<KinesisStreamRecord> | null, i: number): void {
  if (r?.eventSource !== 'aws:kinesis') {
    throw malformed(
      `received a record that is not from Kinesis at Records[${i}] (${describeSource(r)}); is the handler wired to the right event source?`,
    )
  }
  const k = r.kinesis
  // Without a sequence number the record cannot be reported, so the batch cannot be processed safely.
  if (!isSequenceNumber(k?.sequenceNumber)) {
    throw malformed(`received a record without a valid kinesis.sequenceNumber at Records[${i}].`)
  }
  if (typeof r.eventID !== 'string' || r.eventID.indexOf(':') < 1) {
    throw malformed(`received a record without a valid eventID (shardId-…:sequenceNumber) at Records[${i}].`)
  }
  if (typeof k.partitionKey !== 'string') throw malformed(`received a record without a kinesis.partitionKey string at Records[${i}].`)
  const at = k.approximateArrivalTimestamp
  if (typeof at !== 'number' || !Number.isFinite(at)) {
    throw malformed(`received a record without a valid kinesis.approximateArrivalTimestamp (epoch seconds) at Records[${i}].`)
  }
}

/** The shard, from the record's `eventID` (`shardId-…:sequenceNumber`). */
const shardOf = (record: KinesisStreamRecord): string => record.eventID.slice(0, record.eventID.indexOf(':'))

// Seconds with a millisecond fraction (fact 3), as epoch ms; rounded, since 1545084650.987 * 1000 is not exact.
const arrivalOf = (record: KinesisStreamRecord): number => Math.round(record.kinesis.approximateArrivalTimestamp * 1000)
/** The most epoch seconds a `Date` holds (±8.64e15 ms). */
const LATEST_SECONDS = 8.64e12

function arrivedAtOf(record: KinesisStreamRecord): Date {
  const seconds = record.kinesis.approximateArrivalTimestamp
  if (!(Math.abs(seconds) <= LATEST_SECONDS))
    throw decodeError('kinesis.approximateArrivalTimestamp is out of range: epoch seconds beyond ±8,640,000,000,000 make no Date.')
  return new Date(Math.round(seconds * 1000))
}

function metaOf(record: KinesisStreamRecord, base: BaseMeta): KinesisMeta {
  return {
    record,
    partitionKey: record.kinesis.partitionKey,
    sequenceNumber: record.kinesis.sequenceNumber,
    subSequenceNumber: (record.kinesis as KplPayload).subSequenceNumber,
    shardId: shardOf(record),
    arrivedAt: arrivedAtOf(record),
    context: base.context,
    logger: base.logger,
  }
}

/**
 * The lazy form of {@link KinesisMeta}: `shardId` and `arrivedAt` are getters on the prototype that,
 * when first read, put the value on the object as an own property. The event's checks made sure
 * both can be made; only a hostile getter that throws on a second read fails them (the record is
 * then invalid, see `settle`).
 */
class LazyKinesisMeta implements KinesisMeta {
  // Declared, not class fields: the constructor's assignments make the object, with no field definitions first.
  declare readonly record: KinesisStreamRecord
  declare readonly partitionKey: string
  declare readonly sequenceNumber: string
  declare readonly subSequenceNumber: number | undefined
  declare readonly context: BaseMeta['context']
  declare readonly logger: BaseMeta['logger']

  constructor(record: KinesisStreamRecord, base: BaseMeta) {
    this.record = record
    this.partitionKey = record.kinesis.partitionKey
    this.sequenceNumber = record.kinesis.sequenceNumber
    this.subSequenceNumber = (record.kinesis as KplPayload).subSequenceNumber
    this.context = base.context
    this.logger = base.logger
  }

  get shardId(): string {
    return settle(this, 'shardId', shardOf)
  }

  get arrivedAt(): Date {
    return settle(this, 'arrivedAt', arrivedAtOf)
  }

  /** Every field, as the eager form has them. */
  toJSON(): KinesisMeta {
    return metaOf(this.record, this)
  }
}

const MAX_USER_RECORDS_RULE: OptionRule = [
  (v) => Number.isSafeInteger(v) && (v as number) >= 1,
  `a whole number of user records, 1 or more (default ${DEFAULT_MAX_USER_RECORDS})`,
]

/** Kinesis Data Streams, defined once: what the handler, the window handler and the local simulator and runner read. */
export const kinesisSource: StreamSource<KinesisStreamRecord, KinesisMeta, KinesisOptions<Schema>> = {
  name: 'kinesisHandler',
  records(event, options) {
    const max = options?.maxUserRecords
    const records = recordsOf(event, 'kinesisHandler')
    let split: KinesisStreamRecord[] | undefined
    let i = 0
    try {
      for (; i < records.length; i++) {
        const r = records[i] as KinesisStreamRecord
        checkRecord(r, i)
        // A KPL aggregate (fact 86) becomes its user records, which share its sequence number. The
        // array is copied only from the first aggregate on; other batches are returned as they came.
        const data = r.kinesis.data
        if (typeof data === 'string' && data.startsWith(KPL_BASE64_PREFIX)) {
          split ??= records.slice(0, i) as KinesisStreamRecord[]
          for (const user of splitAggregate(r, max)) split.push(user)
        } else if (split !== undefined) {
          split.push(r)
        }
      }
    } catch (e) {
      throw e instanceof MalformedEventError ? e : unreadable('kinesisHandler', i, e)
    }
    return split ?? (records as KinesisStreamRecord[])
  },
  id: (record) => record.kinesis.sequenceNumber, // fact 44
  key: (record) => record.kinesis.partitionKey,
  meta: metaOf,
  lazyMeta: (record, base) => new LazyKinesisMeta(record, base),
  plan: () => ({ ordering: 'in-order', stops: 'batch' }),
  options: { decode: DECODE_RULE, maxInflatedBytes: MAX_INFLATED_RULE, maxUserRecords: MAX_USER_RECORDS_RULE, eagerMeta: EAGER_META_RULE },
  // Base64, gzip, the decode mode, the schema.
  parser(options) {
    const decode = bytesDecoder(options.decode ?? 'json', options.maxInflatedBytes)
    const { schema, maxUserRecords } = options
    return (record) => {
      const bytes = base64ToBytes(record.kinesis.data, 'kinesis.data')
      // Only an aggregate that could not be split gets here with the magic bytes: fail it with the reason.
      if (bytes[0] === 0xf3 && isUnsplitAggregate(record, bytes)) throw brokenAggregate(bytes, maxUserRecords)
      return validate(schema, decode(bytes))
    }
  },
  stream: {
    batchInfoKey: 'KinesisBatchInfo',
    arrivalPrecisionMs: 1,
    arrivalMs: arrivalOf,
    shardId: shardOf,
    streamArn: (record) => record.eventSourceARN,
  },
}

/**
 * Builds a Lambda handler for a Kinesis Data Streams trigger. Each record's base64 `data` is
 * decoded (JSON by default, gzip recognised), checked by `schema`, and passed to `fn` typed as the
 * schema's output. The handler returns `{ batchItemFailures }` (enable `ReportBatchItemFailures`
 * on the event source mapping, or Lambda ignores it).
 *
 * By default records run in order and the first failure stops the batch: it and every later record
 * are reported, since Lambda re-delivers everything after the lowest reported sequence number
 * (successes included). When every record fails, the handler throws, so bisect and retries apply.
 *
 * Three forms: `kinesisHandler(schema, fn)`, `kinesisHandler({ schema, ...options }, fn)`, and the
 * builder `kinesisHandler(schema).use(middleware).handle(fn)`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { kinesisHandler } from 'lambda-stream-handlers'
 *
 * const Order = z.object({ orderId: z.string(), total: z.number() })
 *
 * export const handler = kinesisHandler(Order, async (order, meta) => {
 *   // order: { orderId: string; total: number }, checked before it gets here
 *   meta.logger.info(`order ${order.orderId} (${order.total}) from ${meta.shardId}`)
 * })
 * ```
 */
// The options form comes first and infers only the schema, so that a misspelt option is an excess
// property ("Did you mean ...?") and the record function stays typed when an option is wrong.
export function kinesisHandler<S extends Schema>(
  options: KinesisOptions<S>,
): HandlerBuilder<InferOutput<S>, KinesisMeta, KinesisStreamEvent, KinesisStreamBatchResponse>
export function kinesisHandler<S extends Schema>(
  schema: S,
): HandlerBuilder<InferOutput<S>, KinesisMeta, KinesisStreamEvent, KinesisStreamBatchResponse>
export function kinesisHandler<S extends Schema>(
  options: KinesisOptions<S>,
  fn: RecordFunction<InferOutput<S>, KinesisMeta>,
): KinesisHandler
export function kinesisHandler<S extends Schema>(schema: S, fn: RecordFunction<InferOutput<S>, KinesisMeta>): KinesisHandler
export function kinesisHandler(
  schemaOrOptions: Schema | KinesisOptions<Schema>,
  fn?: RecordFunction<unknown, KinesisMeta>,
): HandlerBuilder<unknown, KinesisMeta, KinesisStreamEvent, KinesisStreamBatchResponse> | KinesisHandler {
  const builder = makeBuilder<
    KinesisStreamRecord,
    KinesisMeta,
    unknown,
    KinesisOptions<Schema>,
    KinesisStreamEvent,
    KinesisStreamBatchResponse
  >(kinesisSource, toOptions(schemaOrOptions))
  return fn === undefined ? builder : builder.handle(fn)
}
