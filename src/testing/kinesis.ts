import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { gzipSync } from 'node:zlib'
import type { InferInput, Schema } from '../engine/schema.js'
import { payloadBytes, type RawData } from './raw.js'
import { sequenceAllocator } from './sequence.js'

/**
 * Options of {@link kinesisEvent}. `P` is the type of the payloads given, which `partitionKey`
 * receives: the schema's input, or `RawData` and `Uint8Array` when a test passes those too.
 */
export interface KinesisEventOptions<S extends Schema = Schema, P = InferInput<S> | RawData | Uint8Array> {
  /** Types the payloads by the schema's input. The builder does not validate: a test may want a bad record. */
  readonly schema?: S | undefined
  /** A partition key for every record, or a function of the payload and its index. Default `'pk-0'`. */
  readonly partitionKey?: string | ((payload: P, index: number) => string) | undefined
  /** Default `'shardId-000000000000'`. */
  readonly shardId?: string | undefined
  /** Default `'test-stream'`. */
  readonly streamName?: string | undefined
  readonly region?: string | undefined
  readonly accountId?: string | undefined
  /**
   * The first record's sequence number; later ones increase. Give it to build the same event twice
   * (a redelivery) or to compare ids with fixed values. Default: a 56-digit number, as Kinesis gives,
   * after the last one any earlier call used, so each event's ids are new.
   */
  readonly firstSequenceNumber?: string | bigint | undefined
  /** The first record's arrival time; each later record arrives 1 ms after. Default: now. */
  readonly arrivedAt?: Date | undefined
  /** Gzip each record's data, as producers that compress do. */
  readonly gzip?: boolean | undefined
}

const FIRST_SEQUENCE = 49590338271490256608559692538361571095921575989136588898n
const SEQUENCE_STEP = 10n ** 22n
const nextSequence = sequenceAllocator(FIRST_SEQUENCE, SEQUENCE_STEP)

/**
 * Builds a Kinesis event as Lambda delivers it: base64 `data`, increasing sequence numbers,
 * `eventID` as `shardId:sequenceNumber`, ARNs and arrival times. Each call gives new sequence
 * numbers (so idempotency keyed on `eventID` sees two events as two), unless `firstSequenceNumber` is set. Payloads are JSON-encoded;
 * `raw(...)` and `Uint8Array`s go in as they are, so a test can build a bad record.
 *
 * @example
 * ```ts
 * const event = kinesisEvent([{ orderId: 'a-1', total: 10 }, raw('not json')], { schema: Order })
 * const response = await handler(event, lambdaContext())
 * ```
 */
export function kinesisEvent<
  S extends Schema = Schema,
  const P extends InferInput<S> | RawData | Uint8Array = InferInput<S> | RawData | Uint8Array,
>(
  // `P` is inferred from the payloads as written, so that `partitionKey: (p) => p.customerId` reads
  // their fields; the second type keeps TypeScript's check of unknown fields against the schema.
  payloads: readonly P[] & readonly (InferInput<S> | RawData | Uint8Array)[],
  options: KinesisEventOptions<S, P> = {},
): KinesisStreamEvent {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const shardId = options.shardId ?? 'shardId-000000000000'
  const first = options.firstSequenceNumber === undefined ? nextSequence(payloads.length) : BigInt(options.firstSequenceNumber)
  const arrivedAt = (options.arrivedAt ?? new Date()).getTime()
  const records = payloads.map((payload, i): KinesisStreamRecord => {
    const bytes = payloadBytes(payload)
    const sequenceNumber = String(first + BigInt(i) * SEQUENCE_STEP)
    const pk = options.partitionKey
    return {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: typeof pk === 'function' ? pk(payload, i) : (pk ?? 'pk-0'),
        sequenceNumber,
        data: Buffer.from(options.gzip === true ? gzipSync(bytes) : bytes).toString('base64'),
        approximateArrivalTimestamp: (arrivedAt + i) / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${shardId}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${accountId}:role/lambda-role`,
      awsRegion: region,
      eventSourceARN: `arn:aws:kinesis:${region}:${accountId}:stream/${options.streamName ?? 'test-stream'}`,
    }
  })
  return { Records: records }
}
