import type { KinesisStreamRecord } from 'aws-lambda'
import { createHash } from 'node:crypto'
import type { Source } from '../engine/engine.js'
import { payloadBytes, type RawData } from '../testing/raw.js'
import type { KafkaEvent } from '../sources/kafka/types.js'
import type { KafkaBatchInfo } from './kafka.js'
import type { StreamItem } from './rules.js'

/**
 * The record AWS sends to a stream mapping's `DestinationConfig.OnFailure` when it discards a
 * batch. The records themselves are not in it (except for Kafka's S3 and Kafka-topic
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
   * Kafka only. An S3 destination: the whole event the function failed on, as a JSON string. A
   * Kafka topic destination: an event holding the one record.
   */
  readonly payload?: string | KafkaEvent
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

/** The OnFailure record for discarded records of one lane. */
export function failureRecord<R>(
  source: StreamSource<R>,
  items: readonly StreamItem<R>[],
  o: {
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded'
    invokes: number
    functionError: 'Unhandled' | null
    requestId: string
    functionArn: string
    now: number
  },
): FailureDestinationRecord {
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
  const aged = o.condition === 'RecordAgeExceeded'
  return {
    requestContext: {
      requestId: o.requestId,
      functionArn: o.functionArn,
      condition: o.condition,
      // §11.5: 1 even when the function never ran.
      approximateInvokeCount: Math.max(1, o.invokes),
    },
    ...(aged ? {} : { responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: o.functionError } as const }),
    version: '1.0',
    timestamp: new Date(o.now).toISOString(),
    [batchInfoKey]: info,
  }
}
