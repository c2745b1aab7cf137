import type { KinesisStreamRecord } from 'aws-lambda'
import { createHash } from 'node:crypto'
import type { Source } from '../engine/engine.js'
import { payloadBytes, type RawData } from '../testing/raw.js'
import type { KafkaEvent } from '../sources/kafka/types.js'
import type { KafkaBatchInfo } from './kafka.js'
import type { StreamItem } from './rules.js'

/**
 * The record AWS sends to a stream mapping's `DestinationConfig.OnFailure` when it discards a
 * batch. The records themselves are not in it (except for S3 destinations and Kafka-topic
 * destinations, in `payload`); the batch info says where to read them while the stream still has them.
 */
export interface FailureDestinationRecord {
  readonly requestContext: {
    readonly requestId: string
    readonly functionArn: string
    /** `RetriesExhausted` is what a Kafka topic destination receives for `RetryAttemptsExhausted`. */
    readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded' | 'RetriesExhausted'
    readonly approximateInvokeCount: number
  }
  /** Absent for `RecordAgeExceeded`. `functionError` is null after a partial or malformed response. */
  readonly responseContext?: { readonly statusCode: 200; readonly executedVersion: '$LATEST'; readonly functionError: 'Unhandled' | null }
  readonly version: '1.0'
  readonly timestamp: string
  readonly KinesisBatchInfo?: BatchInfo
  readonly DDBStreamBatchInfo?: BatchInfo
  /** Kafka: where the discarded records lie, by partition (SQS, SNS, S3) or for the one record (a Kafka topic). */
  readonly KafkaBatchInfo?: KafkaBatchInfo
  /**
   * An S3 destination: the event of the discarded records, as a JSON string. Kafka topic
   * destination: an event holding the one record.
   */
  readonly payload?: string | KafkaEvent
}

/**
 * What an S3 bucket on-failure destination holds for each discarded batch, as a consumer of the
 * bucket reads it: the failure record and, in `payload`, the event of the discarded records as a
 * JSON string (for Kinesis and DynamoDB Streams its `Records` hold them; for Kafka, `records`).
 *
 * @example
 * ```ts
 * const failure = JSON.parse(objectBody) as S3FailureRecord
 * const { Records } = JSON.parse(failure.payload) as KinesisStreamEvent
 * ```
 */
export interface S3FailureRecord extends Omit<FailureDestinationRecord, 'payload'> {
  readonly payload: string
}

/**
 * One object Lambda puts in an S3 on-failure destination (Kinesis and DynamoDB Streams): the
 * bucket, the object's key, and the record its body holds as JSON.
 *
 * @example
 * ```ts
 * for (const { key, record } of report.failureObjects ?? []) console.log(key, record.requestContext.condition)
 * ```
 */
export interface S3FailureObject {
  /** The bucket's name, from the destination's ARN. */
  readonly bucket: string
  /** `aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>`, the time being the record's `timestamp`. */
  readonly key: string
  /** The object's body: the same record as in `report.failureDestination`. */
  readonly record: S3FailureRecord
}

/** Where a discarded batch lies in the stream. */
export interface BatchInfo {
  readonly shardId: string
  readonly startSequenceNumber: string
  readonly endSequenceNumber: string
  readonly approximateArrivalOfFirstRecord: string
  readonly approximateArrivalOfLastRecord: string
  readonly batchSize: number
  readonly streamArn: string
}

/** A stream source's definition, as the simulator and the runner read it: the one its handler reads. */
export type StreamSource<R> = Pick<Source<R, unknown>, 'name' | 'id' | 'key'> & Required<Pick<Source<R, unknown>, 'stream'>>

/** The simulator's shard for a record that does not name its own (a DynamoDB record read without its shard). */
const DEFAULT_SHARD = 'shardId-00000000000000000000-00000000'

/**
 * A stream record as the rules read it, through the source's own definition: its identifier, key
 * and arrival time are the ones its handler sees. `shardId` is the shard it was read from, when the
 * record itself does not say; `arrivedMs` when it reached the stream, when the record does not say
 * (AWS's DynamoDB sample events carry no ApproximateCreationDateTime).
 */
export function streamItem<R>(source: StreamSource<R>, record: R, shardId = DEFAULT_SHARD, arrivedMs = 0): StreamItem<R> {
  let id: unknown
  try {
    id = source.id(record)
  } catch {
    // reported below
  }
  if (typeof id !== 'string' || !/^\d+$/.test(id))
    throw new TypeError(`A ${source.name} record needs its sequence number, a decimal string.`)
  return {
    record,
    id, // fact 44
    seq: BigInt(id),
    key: source.key(record),
    shardId: source.stream.shardId(record) ?? shardId,
    arrivalMs: source.stream.arrivalMs(record) ?? arrivedMs,
    bytes: Buffer.byteLength(JSON.stringify(record), 'utf8'),
  }
}

/** One record put on the simulated Kinesis stream. */
export interface KinesisPut {
  /** The payload: JSON-encoded, unless it is `raw(...)` or a `Uint8Array`. */
  readonly data: unknown
  /** Default `'pk-0'`. Decides the shard (by MD5, as Kinesis does) and the lane. */
  readonly partitionKey?: string
  /** When the record arrives, in ms after the simulation's start. Default 0. */
  readonly at?: number
}

/** Which of `shards` equal hash-key ranges a partition key falls in: MD5 as a 128-bit number (as Kinesis). */
export function shardOf(partitionKey: string, shards: number): number {
  const hash = BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`)
  return Number((hash * BigInt(shards)) >> 128n)
}

export const shardName = (i: number): string => `shardId-${String(i).padStart(12, '0')}`

const FIRST_SEQUENCE = 49590338271490256608559692538361571095921575989136588898n
const STEP = 10n ** 22n

/** Builds the Lambda records of puts as Kinesis would store them: shard by key, sequence numbers increasing per shard. */
export function kinesisRecordsOf(
  puts: readonly KinesisPut[],
  o: { shards: number; startMs: number; streamName: string; region: string; accountId: string },
): KinesisStreamRecord[] {
  const next = new Array<bigint>(o.shards).fill(0n)
  const order = puts.map((p, i) => ({ p, i, at: o.startMs + (p.at ?? 0) })).sort((a, b) => a.at - b.at || a.i - b.i)
  return order.map(({ p, at }) => {
    const partitionKey = p.partitionKey ?? 'pk-0'
    const shard = shardOf(partitionKey, o.shards)
    const n = next[shard] as bigint
    next[shard] = n + 1n
    const sequenceNumber = String(FIRST_SEQUENCE + BigInt(shard) * 1000n + n * STEP)
    const shardId = shardName(shard)
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey,
        sequenceNumber,
        data: Buffer.from(payloadBytes(p.data as RawData)).toString('base64'),
        approximateArrivalTimestamp: at / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${o.accountId}:role/lambda-role`,
      awsRegion: o.region,
      eventSourceARN: `arn:aws:kinesis:${o.region}:${o.accountId}:stream/${o.streamName}`,
    }
  })
}

/** What a failure record says besides its records: why, after how many invocations, and when. */
export interface FailureContext {
  readonly condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'
  readonly invokes: number
  readonly functionError: 'Unhandled' | null
  /** The request id of the records' last invocation, or a fresh one when they were never invoked. */
  readonly requestId: string
  readonly functionArn: string
  readonly now: number
}

// Facts 40, 42 and 120.
/**
 * The fields every on-failure record starts with, streams' and Kafka's alike: the request's
 * context, the response's (absent for `RecordAgeExceeded`), the version and the time.
 */
export function failureHead(
  c: FailureContext,
  condition: FailureDestinationRecord['requestContext']['condition'] = c.condition,
): Pick<FailureDestinationRecord, 'requestContext' | 'responseContext' | 'version' | 'timestamp'> {
  return {
    requestContext: {
      requestId: c.requestId,
      functionArn: c.functionArn,
      condition,
      // §11.5: 1 even when the function never ran.
      approximateInvokeCount: Math.max(1, c.invokes),
    },
    ...(c.condition === 'RecordAgeExceeded'
      ? {}
      : { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: c.functionError } as const }),
    version: '1.0',
    timestamp: new Date(c.now).toISOString(),
  }
}

// Facts 41, 121 and 127.
/** The S3 form of a failure record: the record and the event of its records, as a JSON string. */
export const withPayload = (record: FailureDestinationRecord, event: unknown): S3FailureRecord => ({
  ...record,
  payload: JSON.stringify(event),
})

/** The bucket of an S3 ARN (`arn:aws:s3:::bucket`), or `undefined` for any other destination. */
export function bucketOf(destination: string | undefined): string | undefined {
  return destination === undefined ? undefined : /^arn:[\w-]+:s3:[^:]*:[^:]*:([^/]+)$/.exec(destination)?.[1]
}

/** A UUID-shaped name made from `text`: the same text, the same name. */
function uuidOf(text: string): string {
  const h = createHash('sha256').update(text, 'utf8').digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

// Facts 41 and 127.
/**
 * Where Lambda puts a failure record in an S3 bucket:
 * `aws/lambda/<mapping UUID>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<UUID>`, at the record's
 * time. The simulated mapping's UUID is made from its function and stream, and the last part from
 * the record, so that the same run gives the same keys.
 */
export function failureObjectKey(functionArn: string, streamArn: string, shardId: string, record: S3FailureRecord): string {
  const iso = record.timestamp // YYYY-MM-DDTHH:MM:SS.mmmZ
  const day = iso.slice(0, 10)
  return `aws/lambda/${uuidOf(`${functionArn} ${streamArn}`)}/${shardId}/${day.replaceAll('-', '/')}/${day}T${iso.slice(11, 19).replaceAll(':', '.')}-${uuidOf(JSON.stringify(record))}`
}

/** The OnFailure record for discarded records of one lane. */
export function failureRecord<R>(source: StreamSource<R>, items: readonly StreamItem<R>[], o: FailureContext): FailureDestinationRecord {
  const first = items[0] as StreamItem<R>
  const last = items[items.length - 1] as StreamItem<R>
  const { arrivalPrecisionMs, batchInfoKey, streamArn } = source.stream
  // Fact 115: whole seconds carry no fraction ("2019-11-14T00:13:19Z"); Kinesis keeps its milliseconds.
  const iso = (ms: number): string => {
    const text = new Date(Math.floor(ms / arrivalPrecisionMs) * arrivalPrecisionMs).toISOString()
    return arrivalPrecisionMs % 1000 === 0 ? text.replace('.000Z', 'Z') : text
  }
  const info: BatchInfo = {
    shardId: first.shardId,
    startSequenceNumber: first.id,
    endSequenceNumber: last.id,
    approximateArrivalOfFirstRecord: iso(first.arrivalMs),
    approximateArrivalOfLastRecord: iso(last.arrivalMs),
    batchSize: items.length,
    streamArn: streamArn(first.record),
  }
  return { ...failureHead(o), [batchInfoKey]: info }
}
