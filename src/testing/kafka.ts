import { randomInt } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { InferInput, Schema } from '../engine/schema.js'
import type { KafkaEvent, KafkaRecord, KafkaSchemaMetadata } from '../sources/kafka/types.js'
import { payloadBytes, type RawData } from './raw.js'

/** A header value for {@link kafkaEvent}: text (stored as UTF-8) or bytes. */
export type KafkaHeaderInput = string | Uint8Array

/**
 * Options of {@link kafkaEvent}. `P` is the type of the payloads given, which the per-record
 * functions receive: the schema's input (or `null`, a tombstone), or `RawData` and `Uint8Array`.
 */
export interface KafkaEventOptions<S extends Schema = Schema, P = InferInput<S> | RawData | Uint8Array | null> {
  /** Types the payloads by the schema's input. The builder does not validate: a test may want a bad record. */
  readonly schema?: S | undefined
  /** `'msk'` (default, `eventSource: "aws:kafka"` with the cluster's ARN) or `'self-managed'` (`"SelfManagedKafka"`, no ARN). */
  readonly source?: 'msk' | 'self-managed' | undefined
  /** Default `'test-topic'`; or a function of the payload and its index. */
  readonly topic?: string | ((payload: P, index: number) => string) | undefined
  /** Default 0; or a function of the payload and its index. */
  readonly partition?: number | ((payload: P, index: number) => number) | undefined
  /**
   * The first offset of each partition; later records of a partition take the next ones. Give it to
   * build the same event twice (a redelivery) or to compare offsets with fixed values. Default: the
   * offset after the last one any earlier call used on that partition (from a start drawn once per
   * process), so each event's records are new to `idempotent()`, and a later event reads as later.
   */
  readonly firstOffset?: number | undefined
  /** A key (text, stored as UTF-8, or bytes) for every record, or a function; `undefined` leaves the record without a key. */
  readonly key?: KafkaHeaderInput | ((payload: P, index: number) => KafkaHeaderInput | undefined) | undefined
  /**
   * Headers for every record, or a function: an object (one value per name) or a list of
   * `[name, value]` pairs (a name may repeat).
   */
  readonly headers?:
    | Readonly<Record<string, KafkaHeaderInput>>
    | readonly (readonly [string, KafkaHeaderInput])[]
    | ((payload: P, index: number) => Readonly<Record<string, KafkaHeaderInput>> | readonly (readonly [string, KafkaHeaderInput])[])
    | undefined
  /** The first record's timestamp; each later record's is 1 ms after. Default: now. */
  readonly timestamp?: Date | undefined
  /** Default `'CREATE_TIME'`. */
  readonly timestampType?: 'CREATE_TIME' | 'LOG_APPEND_TIME' | undefined
  /** Put each value in the Confluent wire format with this schema id (a zero byte, the id, then the bytes). */
  readonly schemaId?: number | undefined
  /** Schema registry metadata to add to every record, as Lambda does when the mapping has a registry. */
  readonly keySchemaMetadata?: KafkaSchemaMetadata | undefined
  readonly valueSchemaMetadata?: KafkaSchemaMetadata | undefined
  /** Gzip each value, as producers that compress their values do. */
  readonly gzip?: boolean | undefined
  /** Default `'demo-cluster'`. */
  readonly clusterName?: string | undefined
  readonly region?: string | undefined
  readonly accountId?: string | undefined
}

function bytesOf(value: KafkaHeaderInput): Uint8Array {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value
}

function framed(bytes: Uint8Array, schemaId: number | undefined): Uint8Array {
  if (schemaId === undefined) return bytes
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0xffffffff)
    throw new RangeError(`kafkaEvent: schemaId must be a whole number from 0 to 2^32 − 1; received ${schemaId}.`)
  const out = Buffer.alloc(5 + bytes.length)
  out.writeUInt32BE(schemaId, 1)
  out.set(bytes, 5)
  return out
}

// Each partition's next offset when a call gives no `firstOffset`: a process-wide start drawn once
// (two runs against one idempotency table do not meet), then each call continues where the last
// left that partition. Offsets stay far below 2^53, where a handler can still report them exactly.
const OFFSET_START = randomInt(2 ** 40)
const nextOffsets = new Map<string, number>()

/**
 * Builds a Kafka event as Lambda delivers it: records grouped under `"<topic>-<partition>"`,
 * base64 keys and values, increasing offsets per partition (new on every call unless `firstOffset`
 * is set), headers as arrays of byte values. A `null` payload is a tombstone; other payloads are
 * JSON-encoded, and `raw(...)` and `Uint8Array`s go in as they are (an Avro value, a bad record).
 *
 * @example
 * ```ts
 * const event = kafkaEvent([{ orderId: 'o-1', total: 12.5 }, null, raw('oops')], { topic: 'orders', key: 'o-1' })
 * const response = await handler(event, lambdaContext())
 * ```
 */
export function kafkaEvent<
  S extends Schema = Schema,
  const P extends InferInput<S> | RawData | Uint8Array | null = InferInput<S> | RawData | Uint8Array | null,
>(
  // `P` is inferred from the payloads as written, so that `key: (p) => p.orderId` reads their
  // fields; the second type keeps TypeScript's check of unknown fields against the schema.
  payloads: readonly P[] & readonly (InferInput<S> | RawData | Uint8Array | null)[],
  options: KafkaEventOptions<S, P> = {},
): KafkaEvent {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const cluster = options.clusterName ?? 'demo-cluster'
  const start = (options.timestamp ?? new Date()).getTime()
  const { firstOffset } = options
  if (firstOffset !== undefined && !(Number.isSafeInteger(firstOffset) && firstOffset >= 0))
    throw new RangeError(`kafkaEvent: firstOffset must be a whole number from 0 to 2^53 − 1; received ${firstOffset}.`)
  const next = new Map<string, number>()
  const records: Record<string, KafkaRecord[]> = {}
  payloads.forEach((payload, i) => {
    const topic = typeof options.topic === 'function' ? options.topic(payload, i) : (options.topic ?? 'test-topic')
    const partition = typeof options.partition === 'function' ? options.partition(payload, i) : (options.partition ?? 0)
    const group = `${topic}-${partition}`
    const offset = next.get(group) ?? firstOffset ?? nextOffsets.get(group) ?? OFFSET_START
    next.set(group, offset + 1)
    const key = typeof options.key === 'function' ? options.key(payload, i) : options.key
    const given = typeof options.headers === 'function' ? options.headers(payload, i) : (options.headers ?? [])
    const pairs = Array.isArray(given) ? (given as readonly (readonly [string, KafkaHeaderInput])[]) : Object.entries(given)
    let value: string | null = null
    if (payload !== null) {
      const bytes = payloadBytes(payload)
      value = Buffer.from(framed(options.gzip === true ? gzipSync(bytes) : bytes, options.schemaId)).toString('base64')
    }
    const record: KafkaRecord = {
      topic,
      partition,
      offset,
      timestamp: start + i,
      timestampType: options.timestampType ?? 'CREATE_TIME',
      ...(key === undefined ? {} : { key: Buffer.from(bytesOf(key)).toString('base64') }),
      value,
      headers: pairs.map(([name, v]) => ({ [name]: [...bytesOf(v)] })),
      ...(options.keySchemaMetadata === undefined ? {} : { keySchemaMetadata: options.keySchemaMetadata }),
      ...(options.valueSchemaMetadata === undefined ? {} : { valueSchemaMetadata: options.valueSchemaMetadata }),
    }
    ;(records[group] ??= []).push(record)
  })
  if (firstOffset === undefined) for (const [group, offset] of next) nextOffsets.set(group, offset)
  const bootstrapServers = `b-1.${cluster}.abc123.c1.kafka.${region}.amazonaws.com:9092,b-2.${cluster}.abc123.c1.kafka.${region}.amazonaws.com:9092`
  if (options.source === 'self-managed') return { eventSource: 'SelfManagedKafka', bootstrapServers, records }
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: `arn:aws:kafka:${region}:${accountId}:cluster/${cluster}/0b7d1c2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e-1`,
    bootstrapServers,
    records,
  }
}
