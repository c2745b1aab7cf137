import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { makeBuilder, type BatchHandler, type HandlerBuilder } from '../../engine/builder.js'
import { recordsOf, type RecordFunction, type StreamSource } from '../../engine/engine.js'
import { MalformedEventError } from '../../engine/errors.js'
import { toOptions } from '../../engine/options.js'
import type { InferOutput, Schema, SchemaOf } from '../../engine/schema.js'
import { describeSource, unreadable } from '../decode.js'
import { jsonType, type UnsafeNumbers } from '../unmarshall.js'
import { changeParser, invalid } from './change.js'
import { fromKinesis, kinesisRecordOf } from './kinesis.js'
import { VIEWS, type DynamoDBChange, type DynamoDBMeta, type DynamoDBOptions, type Rec, type StreamViewType, type ViewOf } from './types.js'

export type * from './types.js'

/** The handler {@link dynamodbHandler} builds: Lambda's DynamoDB Streams event (or a Kinesis event carrying DynamoDB changes) in, partial batch response out. */
export type DynamoDBHandler = BatchHandler<DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>

const SEQUENCE_NUMBER = /^\d{1,40}$/ // fact 6 (the AWS sample uses short ones such as "111")
const UNSAFE: readonly string[] = ['bigint', 'string', 'fail'] satisfies UnsafeNumbers[]

function malformed(message: string): MalformedEventError {
  return new MalformedEventError(`dynamodbHandler ${message}`)
}

function isTtlDelete(record: DynamoDBRecord): boolean {
  const who = record.userIdentity as { type?: unknown; principalId?: unknown } | undefined
  return record.eventName === 'REMOVE' && who?.type === 'Service' && who.principalId === 'dynamodb.amazonaws.com' // fact 8
}

/** A key attribute (S, N or B) as JSON for the lane key; `undefined` for anything else. */
function keyPart(av: unknown): string | undefined {
  if (typeof av !== 'object' || av === null) return undefined
  const { S, N, B } = av as { S?: unknown; N?: unknown; B?: unknown }
  const value = S ?? N ?? B
  return typeof value === 'string' ? `{"${S !== undefined ? 'S' : N !== undefined ? 'N' : 'B'}":${JSON.stringify(value)}}` : undefined
}

// When the change was made, epoch ms (ApproximateCreationDateTime is in seconds, fact 6): the
// record function's `meta.createdAt` and the simulator's arrival time.
function createdMs(record: Rec): number | undefined {
  const created = record.dynamodb.ApproximateCreationDateTime
  if (created !== undefined && (typeof created !== 'number' || !Number.isFinite(created))) {
    throw invalid('decode', `dynamodb.ApproximateCreationDateTime is ${jsonType(created)}, not a time in epoch seconds.`)
  }
  return created === undefined ? undefined : Math.round(created * 1000)
}

/**
 * DynamoDB Streams, defined once (and changes a table streams into a Kinesis data stream, read by
 * `./kinesis.ts`): what the handler, the window handler and the local simulator and runner read.
 */
export const dynamodbSource: StreamSource<Rec, DynamoDBMeta, DynamoDBOptions<Schema>> = {
  name: 'dynamodbHandler',
  records(event) {
    const records = recordsOf(event, 'dynamodbHandler')
    let i = 0
    try {
      // Changes a table streams into a Kinesis data stream arrive as a Kinesis event.
      if ((records[0] as { eventSource?: unknown } | null)?.eventSource === 'aws:kinesis')
        return fromKinesis(records, 'dynamodbHandler') as Rec[]
      for (; i < records.length; i++) {
        const r = records[i] as DynamoDBRecord | null
        if (r?.eventSource !== 'aws:dynamodb') {
          throw malformed(
            `received a record that is not from DynamoDB Streams at Records[${i}] (${describeSource(r)}); is the handler wired to the right event source?`,
          )
        }
        // Without a sequence number the record cannot be reported, so the batch cannot be processed safely.
        const seq = (r.dynamodb as { SequenceNumber?: unknown } | undefined)?.SequenceNumber
        if (typeof seq !== 'string' || !SEQUENCE_NUMBER.test(seq)) {
          throw malformed(`received a record without a valid dynamodb.SequenceNumber at Records[${i}].`)
        }
      }
    } catch (e) {
      throw e instanceof MalformedEventError ? e : unreadable('dynamodbHandler', i, e)
    }
    return records as Rec[]
  },
  id: (record) => record.dynamodb.SequenceNumber, // fact 44
  // The item's key as JSON, its attributes in name order, so the same item always gives the same
  // text. A record whose Keys are not key attributes (it fails when parsed) runs on a lane of its own.
  key(record) {
    const own = `{"#":${JSON.stringify(record.dynamodb.SequenceNumber)}}`
    try {
      const keys = record.dynamodb.Keys as Record<string, unknown> | undefined
      if (typeof keys !== 'object' || keys === null) return own
      let text = ''
      for (const name of Object.keys(keys).sort()) {
        const part = keyPart(keys[name])
        if (part === undefined) return own
        text += `${text === '' ? '' : ','}${JSON.stringify(name)}:${part}`
      }
      return `{${text}}`
    } catch {
      return own
    }
  },
  meta: (record, base) => {
    const created = createdMs(record)
    return {
      record,
      sequenceNumber: record.dynamodb.SequenceNumber,
      eventID: typeof record.eventID === 'string' ? record.eventID : undefined,
      // A record of another kind fails when parsed, before the record function sees this.
      eventName: record.eventName as DynamoDBMeta['eventName'],
      ttlDelete: isTtlDelete(record),
      createdAt: created === undefined ? undefined : new Date(created),
      kinesisRecord: kinesisRecordOf(record),
      context: base.context,
      logger: base.logger,
    }
  },
  plan: () => ({ ordering: 'in-order', stops: 'batch' }),
  options: {
    streamViewType: [(v) => VIEWS.includes(v as string), "'KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE' or 'NEW_AND_OLD_IMAGES'"],
    unsafeNumbers: [(v) => UNSAFE.includes(v as string), "'bigint', 'string' or 'fail'"],
  },
  parser: changeParser,
  stream: {
    batchInfoKey: 'DDBStreamBatchInfo',
    arrivalPrecisionMs: 1000,
    arrivalMs: createdMs,
    shardId: () => undefined,
    streamArn: (record) => record.eventSourceARN ?? '',
  },
}

/** The record function's first argument for a handler built from `O`. */
export type ChangeOf<O> = DynamoDBChange<InferOutput<SchemaOf<O>>, ViewOf<O>>

/**
 * Builds a Lambda handler for a DynamoDB Streams trigger. Each record becomes a typed change, a
 * union discriminated by `eventName` whose images (unmarshalled losslessly, then checked by
 * `schema`) follow the stream's view type (`streamViewType`, default `'NEW_AND_OLD_IMAGES'`).
 * A MODIFY with both images has `diff()`; `meta.ttlDelete` tells a Time to Live delete apart.
 * The handler returns `{ batchItemFailures }` keyed by `dynamodb.SequenceNumber`.
 * It also reads the Kinesis event of a table that streams its changes into a Kinesis data stream,
 * giving the same changes and reporting them by the Kinesis sequence number.
 *
 * As for Kinesis, records run in order by default and the first failure stops the batch (Lambda
 * retries from it anyway); `ordering: 'per-key'` runs different items concurrently, keeping each item's order. When
 * every record fails, the handler throws, so bisect and retries apply.
 *
 * Three forms: `dynamodbHandler(schema, fn)`, `dynamodbHandler({ schema, ...options }, fn)`, and
 * the builder `dynamodbHandler(schema).use(middleware).handle(fn)`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { dynamodbHandler } from 'lambda-stream-handlers'
 *
 * const Order = z.object({ orderId: z.string(), status: z.enum(['NEW', 'PAID', 'SHIPPED']), total: z.number() })
 *
 * export const handler = dynamodbHandler(Order, async (change, meta) => {
 *   // change: INSERT { newImage } | MODIFY { oldImage, newImage, diff() } | REMOVE { oldImage }, images checked by zod
 *   if (change.eventName === 'MODIFY' && change.diff().touches('status')) {
 *     meta.logger.info(`order ${change.newImage.orderId}: ${change.oldImage.status} -> ${change.newImage.status}`)
 *   }
 * })
 * ```
 */
// The options form comes first and infers the schema and the view only, so that a misspelt option
// is an excess property ("Did you mean ...?") and the record function stays typed when an option is wrong.
export function dynamodbHandler<S extends Schema, V extends StreamViewType | undefined = undefined>(
  options: DynamoDBOptions<S> & { readonly streamViewType?: V | undefined },
): HandlerBuilder<
  DynamoDBChange<InferOutput<S>, ViewOf<{ readonly streamViewType: V }>>,
  DynamoDBMeta,
  DynamoDBStreamEvent | KinesisStreamEvent,
  DynamoDBBatchResponse
>
export function dynamodbHandler<S extends Schema>(
  schema: S,
): HandlerBuilder<ChangeOf<S>, DynamoDBMeta, DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>
export function dynamodbHandler<S extends Schema, V extends StreamViewType | undefined = undefined>(
  options: DynamoDBOptions<S> & { readonly streamViewType?: V | undefined },
  fn: RecordFunction<DynamoDBChange<InferOutput<S>, ViewOf<{ readonly streamViewType: V }>>, DynamoDBMeta>,
): DynamoDBHandler
export function dynamodbHandler<S extends Schema>(schema: S, fn: RecordFunction<ChangeOf<S>, DynamoDBMeta>): DynamoDBHandler
export function dynamodbHandler(schemaOrOptions: Schema | DynamoDBOptions<Schema>, fn?: RecordFunction<never, DynamoDBMeta>): unknown {
  const builder = makeBuilder<
    Rec,
    DynamoDBMeta,
    unknown,
    DynamoDBOptions<Schema>,
    DynamoDBStreamEvent | KinesisStreamEvent,
    DynamoDBBatchResponse
  >(dynamodbSource, toOptions(schemaOrOptions))
  // The overloads type the change from the schema and the view; here it is the parser's unknown.
  return fn === undefined ? builder : builder.handle(fn as RecordFunction<unknown, DynamoDBMeta>)
}
