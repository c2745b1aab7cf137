/**
 * Single-record parsers: one source definition's decoding and schema, without the batch. For code
 * that already walks the batch itself, such as a Powertools `BatchProcessor` record handler.
 */
import type { DynamoDBRecord, KinesisStreamRecord, SQSRecord } from 'aws-lambda'
import { invalidReason, type BaseMeta, type Source } from '../engine/engine.js'
import { ConfigurationError, MalformedEventError } from '../engine/errors.js'
import { silentLogger } from '../engine/logger.js'
import { checkKnownKeys, checkRules, describeValue, type CommonOptions } from '../engine/options.js'
import type { RecordFailure } from '../engine/outcome.js'
import { isSchema, stackTraces, type InferOutput, type Schema, type SchemaOf } from '../engine/schema.js'
import { dynamodbSource } from '../sources/dynamodb/index.js'
import { kafkaSource, type KafkaPayload } from '../sources/kafka/index.js'
import type { KafkaOptions, KafkaRecord, KafkaTombstones } from '../sources/kafka/types.js'
import type { DynamoDBChange, DynamoDBOptions, StreamViewType, ViewOf } from '../sources/dynamodb/types.js'
import { kinesisSource, type KinesisOptions } from '../sources/kinesis/index.js'
import { sqsSource } from '../sources/sqs/index.js'
import type { SqsOptions } from '../sources/sqs/types.js'

/**
 * A record could not be decoded or failed the schema, in a single-record parser. `reason` is the
 * one a handler gives the same record (in its outcome and its log line); `recordId` is the
 * identifier a handler would report.
 *
 * @example
 * ```ts
 * try {
 *   parseOrder(record)
 * } catch (e) {
 *   if (e instanceof InvalidRecordError) reasons.push(e.reason.kind)
 * }
 * ```
 */
export class InvalidRecordError extends Error {
  override readonly name = 'InvalidRecordError'
  /**
   * The identifier a handler reports for the record, as its outcomes write it (Kafka's
   * `{ partition, offset }` as `<topic>-<partition>:<offset>`); `undefined` when the record has
   * none that can be read.
   */
  readonly recordId: string | undefined
  /** Why: `decode` or `validation`, the sentence, and for `validation` the path of the first failing field. */
  readonly reason: RecordFailure

  constructor(recordId: string | undefined, reason: RecordFailure) {
    // A batch of bad records would pay for a stack per record; the message says what is wrong.
    const limit = stackTraces(0)
    super(`Invalid record${recordId === undefined ? '' : ` ${recordId}`}: ${reason.message}`, { cause: reason.error })
    stackTraces(limit)
    this.recordId = recordId
    this.reason = reason
  }
}

/**
 * Parses one record: returns its payload, typed by the schema, or throws {@link InvalidRecordError}.
 * `all(record)` returns every payload the record holds: the user records of a KPL aggregate (one
 * payload for any other record).
 */
export interface RecordParser<Rec, P> {
  /** The record's payload. A KPL aggregate of several user records throws: use `all`. */
  (record: Rec): P
  /** Every payload the record holds, in order: one, or each user record of a KPL aggregate. */
  all(record: Rec): P[]
}

/** A parser's options: the schema and the source's decoding options (not the handler's running options). */
export type ParserOptions<O, S extends Schema> = { readonly schema: S } & Omit<O, keyof CommonOptions<Schema, never> | 'eagerMeta'>

/** Builds a {@link RecordParser} from a schema, or from `{ schema, ...decoding options }`. */
export interface SourceParser<Rec, O> {
  <S extends Schema>(options: ParserOptions<O, S>): RecordParser<Rec, InferOutput<S>>
  <S extends Schema>(schema: S): RecordParser<Rec, InferOutput<S>>
}

const BASE: BaseMeta = { context: undefined, logger: silentLogger }

/**
 * The single-record parser of a source, from its one definition: the same record checks, `meta`
 * and parser as its handler, so a record fails here for the reason the handler would give.
 * `eventOf` wraps one record into the event `source.records` reads (`{ Records: [record] }` for
 * the sources with a `Records` array).
 */
export function sourceParser<Rec, Meta, O, Id>(
  source: Source<Rec, Meta, O, Id>,
  name: string,
  eventOf: (record: unknown) => unknown = (record) => ({ Records: [record] }),
): SourceParser<Rec, O> {
  const known = ['schema', ...Object.keys(source.options).filter((k) => k !== 'eagerMeta')]
  // The identifier as the handler's outcomes and log lines write it (Kafka's is an object).
  const idOf = (record: Rec): string => {
    const id = source.id(record)
    return source.idText === undefined ? String(id) : source.idText(id)
  }
  function build(schemaOrOptions: unknown): RecordParser<Rec, unknown> {
    const options = isSchema(schemaOrOptions) ? { schema: schemaOrOptions } : schemaOrOptions
    if (typeof options !== 'object' || options === null || !isSchema((options as { schema?: unknown }).schema)) {
      throw new ConfigurationError(
        `${name}: expected a schema or an options object with a \`schema\` (a zod 4, valibot or arktype schema); received ${describeValue(schemaOrOptions)}.`,
      )
    }
    checkKnownKeys(name, options, known)
    checkRules(name, options, source.options)
    const parse = source.parser(options as O)

    function recordsOf(record: unknown): readonly Rec[] {
      try {
        return source.records(eventOf(record), options as O)
      } catch (e) {
        if (!(e instanceof MalformedEventError)) throw e
        // The handler's words for a record it cannot read, said of this one record.
        const message = e.message.replace(`${source.name} `, '').replace(/ at (?:Records\[0\]|records\[[^\]]*\](?:\[0\])?)/, '')
        throw new InvalidRecordError(undefined, { kind: 'decode', message: `${message[0]?.toUpperCase() ?? ''}${message.slice(1)}` })
      }
    }

    function parseOne(record: Rec): unknown {
      let payload: unknown
      try {
        payload = parse(record, source.meta(record, BASE))
      } catch (e) {
        throw new InvalidRecordError(idOf(record), invalidReason(e))
      }
      if (payload instanceof Promise) {
        payload.catch(() => {})
        throw new ConfigurationError(
          `${name}: the schema validated asynchronously (an async refinement or transform); a single-record parser returns the payload at once, so it needs a schema that validates synchronously.`,
        )
      }
      return payload
    }

    const one = (record: Rec): unknown => {
      const records = recordsOf(record)
      if (records.length !== 1) {
        const first = records[0]
        throw new InvalidRecordError(first === undefined ? undefined : idOf(first), {
          kind: 'decode',
          message:
            records.length === 0
              ? 'The record is a KPL aggregate that holds no user records.'
              : `The record is a KPL aggregate of ${records.length} user records; parse it with \`${name}(...).all(record)\`, which returns each one's payload.`,
        })
      }
      return parseOne(records[0] as Rec)
    }
    return Object.assign(one, { all: (record: Rec) => recordsOf(record).map(parseOne) })
  }
  return build as SourceParser<Rec, O>
}

/**
 * The single-record parser for Kinesis: `kinesisHandler`'s decoding (base64, gzip, the `decode`
 * mode) and schema for one record, for a Powertools `BatchProcessor` record handler. Returns the
 * payload typed by the schema, or throws {@link InvalidRecordError} with the reason the handler
 * gives. A KPL aggregate holds several user records that share one sequence number: `all(record)`
 * returns them all; the plain call throws for an aggregate of more than one.
 *
 * @example
 * ```ts
 * const parseOrder = kinesisParser(Order)
 * const processor = new BatchProcessor(EventType.KinesisDataStreams)
 *
 * export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> =>
 *   processPartialResponse(event, async (record: KinesisStreamRecord) => charge(parseOrder(record)), processor, { context })
 * ```
 */
export const kinesisParser: SourceParser<KinesisStreamRecord, KinesisOptions<Schema>> = sourceParser(kinesisSource, 'kinesisParser')

/**
 * The single-record parser for SQS: `sqsHandler`'s body decoding (JSON, text, an SNS or
 * EventBridge envelope) and schema for one message. Returns the payload typed by the schema, or
 * throws {@link InvalidRecordError} with the reason the handler gives.
 *
 * @example
 * ```ts
 * const parseMessage = sqsParser({ schema: Order, envelope: 'sns' })
 * const order = parseMessage(record)
 * ```
 */
export const sqsParser: SourceParser<SQSRecord, SqsOptions<Schema>> = sourceParser(sqsSource, 'sqsParser')

/**
 * The single-record parser for DynamoDB Streams: `dynamodbHandler`'s change for one record (also
 * a change a table streams into a Kinesis data stream), its images checked by the schema and
 * typed by the stream view type. Returns the change, or throws {@link InvalidRecordError} with the
 * reason the handler gives.
 *
 * @example
 * ```ts
 * const parseChange = dynamodbParser({ schema: Order, streamViewType: 'NEW_IMAGE' })
 * const change = parseChange(record)
 * ```
 */
export function dynamodbParser<S extends Schema, V extends StreamViewType = 'NEW_AND_OLD_IMAGES'>(
  options: ParserOptions<DynamoDBOptions<S>, S> & { readonly streamViewType?: V },
): RecordParser<DynamoDBRecord | KinesisStreamRecord, DynamoDBChange<InferOutput<S>, V>>
export function dynamodbParser<S extends Schema>(
  schema: S,
): RecordParser<DynamoDBRecord | KinesisStreamRecord, DynamoDBChange<InferOutput<SchemaOf<S>>, ViewOf<S>>>
export function dynamodbParser(
  schemaOrOptions: Schema | DynamoDBOptions<Schema>,
): RecordParser<DynamoDBRecord | KinesisStreamRecord, unknown> {
  return parseDynamoDB(schemaOrOptions as Schema)
}
const parseDynamoDB = sourceParser(dynamodbSource, 'dynamodbParser') as unknown as (
  schemaOrOptions: Schema,
) => RecordParser<DynamoDBRecord | KinesisStreamRecord, unknown>

/**
 * The single-record parser for Kafka (Amazon MSK and self-managed): `kafkaHandler`'s decoding (the
 * `decode` mode, gzip, the Confluent wire format) and schema for one record of a Kafka event's
 * `records`. Returns the value typed by the schema, `null` for a tombstone (the type says so)
 * unless `tombstones: 'schema'` hands `null` to the schema, or throws {@link InvalidRecordError}
 * with the reason the handler gives. Powertools' `BatchProcessor` has no Kafka event type: call it
 * in your own loop over the records.
 *
 * @example
 * ```ts
 * const parseOrder = kafkaParser(Order)
 * for (const record of Object.values(event.records).flat()) {
 *   const order = parseOrder(record) // Order | null
 * }
 * ```
 */
export function kafkaParser<S extends Schema, T extends KafkaTombstones | undefined = undefined>(
  options: ParserOptions<KafkaOptions<S>, S> & { readonly tombstones?: T },
): RecordParser<KafkaRecord, KafkaPayload<S, T>>
export function kafkaParser<S extends Schema>(schema: S): RecordParser<KafkaRecord, InferOutput<S> | null>
export function kafkaParser(schemaOrOptions: Schema | KafkaOptions<Schema>): RecordParser<KafkaRecord, unknown> {
  return parseKafka(schemaOrOptions as Schema)
}
const parseKafka = sourceParser(kafkaSource, 'kafkaParser', kafkaEventOf) as unknown as (
  schemaOrOptions: Schema,
) => RecordParser<KafkaRecord, unknown>

/** One Kafka record as the event `kafkaSource.records` reads: under its own `"<topic>-<partition>"`. */
function kafkaEventOf(record: unknown): unknown {
  let group = 'records'
  try {
    const { topic, partition } = record as { topic?: unknown; partition?: unknown }
    group = `${String(topic)}-${String(partition)}`
  } catch {
    // A record whose fields cannot be read: the source's own check names the problem.
  }
  return { eventSource: 'aws:kafka', records: { [group]: [record] } }
}
