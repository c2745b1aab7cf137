import { makeBuilder, type BatchHandler, type HandlerBuilder } from '../../engine/builder.js'
import type { BaseMeta, RecordFunction, Source } from '../../engine/engine.js'
import { MalformedEventError } from '../../engine/errors.js'
import { isFunction, toOptions } from '../../engine/options.js'
import { validate, type InferOutput, type Schema } from '../../engine/schema.js'
import { base64ToBytes, bytesDecoder, DECODE_RULE, decodeError, describeSource, MAX_INFLATED_RULE } from '../decode.js'
import { jsonType } from '../unmarshall.js'
import { confluentFrame, decodeHeaders, keyDecoder } from './decode.js'
import type {
  FoundKafkaMeta,
  KafkaBatchResponse,
  KafkaEvent,
  KafkaItemIdentifier,
  KafkaKeyDecode,
  KafkaKeyOf,
  KafkaMeta,
  KafkaOptions,
  KafkaRecord,
  KafkaTombstones,
} from './types.js'

export type * from './types.js'

/** The handler {@link kafkaHandler} builds: Lambda's Kafka event in, partial batch response (object identifiers) out. */
export type KafkaHandler = BatchHandler<KafkaEvent, KafkaBatchResponse>

/** The payload type of a Kafka record function: the schema's output, `| null` while tombstones pass untouched. */
export type KafkaPayload<S extends Schema, T extends KafkaTombstones | undefined> = T extends 'schema'
  ? InferOutput<S>
  : InferOutput<S> | null

const NAME = 'kafkaHandler'

function malformed(message: string, cause?: unknown): MalformedEventError {
  return new MalformedEventError(`${NAME} ${message}`, cause === undefined ? undefined : { cause })
}

const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0

const topicPartitionOf = (record: KafkaRecord): string => `${record.topic}-${record.partition}`

// A topic name is at most 249 of [a-zA-Z0-9._-]: a key of that form is named in messages, anything
// else (which may be data) only by its place.
const TOPIC_PARTITION = /^[\w.-]{1,249}-\d{1,10}$/
const named = (group: string, n: number): string =>
  TOPIC_PARTITION.test(group) ? JSON.stringify(group) : `#${n} (not a "<topic>-<partition>" key)`

// What every record must carry for it to be identified and ordered (facts 93-95): without these,
// the batch cannot be reported safely, so the event is malformed. An offset beyond 2^53 would
// already have been rounded when the event was parsed, and a rounded identifier names another record.
function checkRecord(r: Partial<KafkaRecord> | null, where: string, group: string): void {
  if (typeof r !== 'object' || r === null) throw malformed(`received ${jsonType(r)} instead of a record at ${where}.`)
  if (typeof r.topic !== 'string' || r.topic === '') throw malformed(`received a record without a topic at ${where}.`)
  if (!isOffset(r.partition)) throw malformed(`received a record whose partition is not a whole number at ${where}.`)
  if (!isOffset(r.offset)) {
    throw malformed(`received a record whose offset is not a whole number from 0 to 2^53 − 1 (it cannot be reported exactly) at ${where}.`)
  }
  if (`${r.topic}-${r.partition}` !== group) {
    const own = `${r.topic}-${r.partition}`
    throw malformed(
      `received a record of ${TOPIC_PARTITION.test(own) ? own : 'another partition'} under the key of another partition at ${where}.`,
    )
  }
  if (typeof r.timestamp !== 'number' || !Number.isFinite(r.timestamp)) {
    throw malformed(`received a record without a valid timestamp (epoch milliseconds) at ${where}.`)
  }
  if (typeof r.timestampType !== 'string') throw malformed(`received a record without a timestampType string at ${where}.`)
}

/** The records of a Kafka event, partition by partition, each partition's records in the event's order. */
function recordsOfEvent(event: unknown): readonly KafkaRecord[] {
  let source: unknown
  let groups: unknown
  try {
    ;({ eventSource: source, records: groups } = event as { eventSource?: unknown; records?: unknown })
  } catch (e) {
    throw malformed("could not read the event's `eventSource` and `records`: reading them threw.", e)
  }
  if (source !== 'aws:kafka' && source !== 'SelfManagedKafka') {
    throw malformed(
      `expected an event from Amazon MSK (eventSource "aws:kafka") or self-managed Kafka ("SelfManagedKafka"); it has ${describeSource({ eventSource: source })}. Is the handler wired to the right event source?`,
    )
  }
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups)) {
    throw malformed(`expected \`records\` to be an object of arrays keyed by "<topic>-<partition>"; received ${jsonType(groups)}.`)
  }
  const out: KafkaRecord[] = []
  let where = 'records'
  try {
    let n = 0
    for (const group of Object.keys(groups)) {
      const list: unknown = (groups as Record<string, unknown>)[group]
      where = `records[${named(group, n++)}]`
      if (!Array.isArray(list)) throw malformed(`expected an array of records at ${where}; received ${jsonType(list)}.`)
      for (let i = 0; i < list.length; i++) {
        checkRecord(list[i] as Partial<KafkaRecord> | null, `${where}[${i}]`, group)
        out.push(list[i] as KafkaRecord)
      }
    }
  } catch (e) {
    throw e instanceof MalformedEventError ? e : malformed(`could not read the record at ${where}: reading its fields threw.`, e)
  }
  return out
}

function metaOf(record: KafkaRecord, base: BaseMeta): FoundKafkaMeta {
  return {
    record,
    topic: record.topic,
    partition: record.partition,
    topicPartition: topicPartitionOf(record),
    offset: record.offset,
    timestamp: new Date(record.timestamp),
    timestampType: record.timestampType,
    key: undefined, // the parser decodes it, with the `key` option
    headers: decodeHeaders(record.headers),
    tombstone: record.value === null,
    schemaId: undefined,
    schemaMetadata: { key: record.keySchemaMetadata, value: record.valueSchemaMetadata },
    context: base.context,
    logger: base.logger,
  }
}

const oneOf =
  (...allowed: readonly unknown[]) =>
  (v: unknown): boolean =>
    allowed.includes(v)

/** Amazon MSK and self-managed Apache Kafka, defined once. */
export const kafkaSource: Source<KafkaRecord, KafkaMeta<unknown>, KafkaOptions<Schema>, KafkaItemIdentifier> = {
  name: NAME,
  records: recordsOfEvent,
  // An object, not a string (fact 100); its text form names the record in outcomes and log lines.
  id: (record) => ({ partition: topicPartitionOf(record), offset: record.offset }),
  idText: (id) => `${id.partition}:${id.offset}`,
  key: topicPartitionOf,
  meta: metaOf,
  // The record's own timestamp (its producer's, or the broker's under LOG_APPEND_TIME), for the metrics middleware's age.
  arrivalMs: (record) => record.timestamp,
  // Order holds within a partition only (fact 102): partitions run side by side, and a failure
  // stops the rest of its own partition, which is reported with it (fact 101).
  plan: () => ({ ordering: 'per-key', stops: 'key' }),
  options: {
    decode: DECODE_RULE,
    key: [(v) => oneOf('text', 'bytes', 'json')(v) || isFunction(v), "'text', 'bytes', 'json' or a function of the key's bytes"],
    tombstones: [oneOf('pass', 'schema'), "'pass' or 'schema'"],
    wireFormat: [oneOf('auto', 'confluent', 'plain'), "'auto', 'confluent' or 'plain'"],
    maxInflatedBytes: MAX_INFLATED_RULE,
  },
  parser(options) {
    const mode = options.decode ?? 'json'
    const decode = bytesDecoder(mode, options.maxInflatedBytes)
    const decodeKey = keyDecoder(options.key ?? 'text')
    const wireFormat = options.wireFormat ?? 'auto'
    const toSchema = options.tombstones === 'schema'
    const { schema } = options
    return function parse(record, found) {
      const meta = found as FoundKafkaMeta
      const key: unknown = record.key
      if (key !== undefined && key !== null) meta.key = decodeKey(base64ToBytes(key, 'The key'))
      const value: unknown = record.value
      // A tombstone is a value, not a decode failure (fact 96): the record function or the schema decides.
      if (value === null) return toSchema ? validate(schema, null, 'The value') : null
      let decoded: unknown
      if (typeof value === 'string') {
        let bytes: Uint8Array = base64ToBytes(value, 'The value')
        const frame = confluentFrame(bytes, wireFormat, mode === 'json')
        if (frame !== undefined) {
          meta.schemaId = frame.schemaId
          bytes = frame.body
        }
        decoded = decode(bytes)
      } else if (typeof value === 'object' && mode === 'json') {
        decoded = value // a schema registry's EventRecordFormat JSON may deliver the value parsed (fact 98)
      } else {
        throw decodeError(
          `The value is ${jsonType(value)}, not a base64 string${typeof value === 'object' ? " (a parsed JSON value needs `decode: 'json'`)" : ''}.`,
        )
      }
      return validate(schema, decoded, 'The value')
    }
  },
}

/**
 * Builds a Lambda handler for an Amazon MSK or self-managed Apache Kafka trigger. Each record's
 * base64 value is decoded (JSON by default; text, bytes, or your Avro or Protobuf decoder),
 * checked by `schema`, and passed to `fn` typed as the schema's output, with the topic, partition,
 * offset, timestamp, decoded key and headers in `meta`.
 *
 * Records of one partition run in order and partitions run side by side (`concurrency`, default
 * 10): a failure stops the rest of its own partition only, and the handler reports the failed
 * offset and the unstarted ones after it as `{ itemIdentifier: { partition, offset } }` (enable
 * `ReportBatchItemFailures`, which needs provisioned mode, or Lambda ignores the response). When
 * every record fails, the handler throws.
 *
 * A tombstone (a `null` value) reaches `fn` as `null` (the payload's type says `| null`) unless
 * `tombstones: 'schema'` hands it to the schema.
 *
 * Three forms: `kafkaHandler(schema, fn)`, `kafkaHandler({ schema, ...options }, fn)`, and the
 * builder `kafkaHandler(schema).use(middleware).handle(fn)`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { kafkaHandler } from 'lambda-stream-handlers'
 *
 * const Order = z.object({ orderId: z.string(), total: z.number() })
 *
 * export const handler = kafkaHandler(Order, async (order, meta) => {
 *   if (order === null) return // a tombstone: the key was deleted
 *   meta.logger.info(`order ${order.orderId} (${order.total}) at ${meta.topicPartition}:${meta.offset}`)
 * })
 * ```
 */
// The options form comes first and infers the schema, the key decoder and the tombstone rule only,
// so that a misspelt option is an excess property and the record function stays typed. `D` and `T`
// keep an `undefined` the caller's value may hold (a setting read from configuration): the default
// then applies at run time, so `meta.key` and the payload are typed by both (`KafkaKeyOf` and
// `KafkaPayload` distribute over the union).
export function kafkaHandler<
  S extends Schema,
  D extends KafkaKeyDecode | undefined = undefined,
  T extends KafkaTombstones | undefined = undefined,
>(
  options: KafkaOptions<S> & { readonly key?: D; readonly tombstones?: T },
): HandlerBuilder<KafkaPayload<S, T>, KafkaMeta<KafkaKeyOf<D>>, KafkaEvent, KafkaBatchResponse>
export function kafkaHandler<S extends Schema>(schema: S): HandlerBuilder<InferOutput<S> | null, KafkaMeta, KafkaEvent, KafkaBatchResponse>
export function kafkaHandler<
  S extends Schema,
  D extends KafkaKeyDecode | undefined = undefined,
  T extends KafkaTombstones | undefined = undefined,
>(
  options: KafkaOptions<S> & { readonly key?: D; readonly tombstones?: T },
  fn: RecordFunction<KafkaPayload<S, T>, KafkaMeta<KafkaKeyOf<D>>>,
): KafkaHandler
export function kafkaHandler<S extends Schema>(schema: S, fn: RecordFunction<InferOutput<S> | null, KafkaMeta>): KafkaHandler
export function kafkaHandler(
  schemaOrOptions: Schema | KafkaOptions<Schema>,
  fn?: RecordFunction<unknown, never>,
): HandlerBuilder<unknown, KafkaMeta<unknown>, KafkaEvent, KafkaBatchResponse> | KafkaHandler {
  const builder = makeBuilder<
    KafkaRecord,
    KafkaMeta<unknown>,
    unknown,
    KafkaOptions<Schema>,
    KafkaEvent,
    KafkaBatchResponse,
    KafkaItemIdentifier
  >(kafkaSource, toOptions(schemaOrOptions))
  // The overloads type `meta.key` by the `key` option; here it is the meta the engine builds.
  return fn === undefined ? builder : builder.handle(fn as RecordFunction<unknown, KafkaMeta<unknown>>)
}
