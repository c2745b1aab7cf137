import type { BaseMeta } from '../../engine/engine.js'
import type { CommonOptions } from '../../engine/options.js'
import type { Schema } from '../../engine/schema.js'

/**
 * Schema metadata Lambda adds to a record when the event source mapping has a schema registry
 * (`keySchemaMetadata`, `valueSchemaMetadata`).
 */
export interface KafkaSchemaMetadata {
  /** `AVRO`, `PROTOBUF` or `JSON`. */
  readonly dataFormat: string
  readonly schemaId: string
}

/** One header as Lambda delivers it: a single-key object whose value is the header's bytes, as numbers. */
export type KafkaRecordHeader = Readonly<Record<string, readonly number[]>>

/** One Kafka record as Lambda delivers it (Amazon MSK and self-managed Apache Kafka alike). */
export interface KafkaRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** Epoch milliseconds. */
  readonly timestamp: number
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME' | (string & {})
  /** Base64; absent for a record without a key. */
  readonly key?: string | null
  /**
   * Base64; `null` for a tombstone (a record that deletes its key in a compacted topic). With a
   * schema registry and `EventRecordFormat: JSON`, a JSON value may arrive parsed.
   */
  readonly value: string | null | Readonly<Record<string, unknown>> | readonly unknown[]
  /** In the order the producer wrote them; a key may repeat. */
  readonly headers: readonly KafkaRecordHeader[]
  readonly keySchemaMetadata?: KafkaSchemaMetadata
  readonly valueSchemaMetadata?: KafkaSchemaMetadata
}

/** The records of a Kafka event, keyed by `"<topic>-<partition>"`. */
export type KafkaRecords = Readonly<Record<string, readonly KafkaRecord[]>>

/** The event Lambda sends for Amazon MSK. */
export interface KafkaMskEvent {
  readonly eventSource: 'aws:kafka'
  /** The cluster's ARN. */
  readonly eventSourceArn: string
  /** Comma-separated `host:port` list. */
  readonly bootstrapServers: string
  readonly records: KafkaRecords
}

/** The event Lambda sends for self-managed Apache Kafka (no `eventSourceArn`). */
export interface KafkaSelfManagedEvent {
  readonly eventSource: 'SelfManagedKafka'
  /** Comma-separated `host:port` list. */
  readonly bootstrapServers: string
  readonly records: KafkaRecords
}

/** A Kafka event, from Amazon MSK or self-managed Apache Kafka. */
export type KafkaEvent = KafkaMskEvent | KafkaSelfManagedEvent

/** What identifies a Kafka record in `batchItemFailures`: an object, not a string. */
export interface KafkaItemIdentifier {
  /** `"<topic>-<partition>"`, as the event's `records` are keyed. */
  readonly partition: string
  readonly offset: number
}

/** The partial batch response of a Kafka handler. */
export interface KafkaBatchResponse {
  batchItemFailures: { itemIdentifier: KafkaItemIdentifier }[]
}

/** A header, decoded. Repeated keys stay as separate entries, in order. */
export interface KafkaHeader {
  readonly key: string
  /** The value as UTF-8 text; `undefined` when the bytes are not UTF-8 (read `bytes`). */
  readonly value: string | undefined
  /** The value's bytes. */
  readonly bytes: Uint8Array
}

/**
 * How a value's bytes become the value the schema checks:
 *
 * - `'json'` (default): UTF-8 JSON; an integer beyond ±(2^53 − 1) fails the record instead of arriving rounded.
 * - `'text'`: UTF-8 text.
 * - `'bytes'`: the bytes as a `Uint8Array`.
 * - a function from the bytes to a value: Avro (`avsc`), Protobuf, or anything else. What it
 *   throws fails the record as a decode error.
 *
 * Gzip (1f 8b) is inflated first, up to `maxInflatedBytes`.
 */
export type KafkaValueDecode = 'json' | 'text' | 'bytes' | ((bytes: Uint8Array) => unknown)

/** How a key's bytes become `meta.key`: `'text'` (default, UTF-8), `'bytes'`, `'json'`, or a function. */
export type KafkaKeyDecode = 'text' | 'bytes' | 'json' | ((bytes: Uint8Array) => unknown)

/** The type `meta.key` has for a `key` option (`undefined`, the default, is `'text'`). */
export type KafkaKeyOf<D> = D extends 'bytes'
  ? Uint8Array
  : D extends 'json'
    ? unknown
    : D extends (bytes: Uint8Array) => infer K
      ? K
      : string

/**
 * What becomes of a tombstone (a `null` value):
 *
 * - `'pass'` (default): the record function receives `null` as the payload (its type says
 *   `| null`) and `meta.tombstone` is true; the schema does not see it.
 * - `'schema'`: `null` goes to the schema like any value: a `.nullable()` schema accepts it, a
 *   schema that refuses it makes the tombstone invalid (`onInvalid` decides).
 */
export type KafkaTombstones = 'pass' | 'schema'

/**
 * The Confluent wire format: a zero byte, a 4-byte schema id, then the serialized value. `'auto'`
 * (default) recognises it for `decode: 'json'` only (JSON text never starts with a zero byte),
 * `'confluent'` requires it (the record fails without it), `'plain'` never strips it.
 */
export type KafkaWireFormat = 'auto' | 'confluent' | 'plain'

/**
 * What the Kafka record function receives besides the value. `K` is the decoded key's type
 * (`string` by default).
 */
export interface KafkaMeta<K = string> extends BaseMeta {
  /** The record as Lambda delivered it. */
  readonly record: KafkaRecord
  readonly topic: string
  readonly partition: number
  /** `"<topic>-<partition>"`: the key of `records` and the `partition` of the reported identifier. */
  readonly topicPartition: string
  readonly offset: number
  /** The record's timestamp (`timestamp`, epoch ms). */
  readonly timestamp: Date
  /** What the timestamp means: `CREATE_TIME` (the producer's clock) or `LOG_APPEND_TIME` (the broker's). */
  readonly timestampType: KafkaRecord['timestampType']
  /** The key, decoded by the `key` option; `undefined` for a record without a key. */
  readonly key: K | undefined
  /** The headers in order, repeated keys kept; each value as UTF-8 text and as bytes. */
  readonly headers: readonly KafkaHeader[]
  /** True for a tombstone: the value is `null`. */
  readonly tombstone: boolean
  /** The schema id of a value in the Confluent wire format; `undefined` for any other value. */
  readonly schemaId: number | undefined
  /** Lambda's schema registry metadata, when the event source mapping has a schema registry. */
  readonly schemaMetadata: { readonly key: KafkaSchemaMetadata | undefined; readonly value: KafkaSchemaMetadata | undefined }
}

/** Options of `kafkaHandler`. */
export interface KafkaOptions<S extends Schema, D extends KafkaKeyDecode = KafkaKeyDecode> extends CommonOptions<S, KafkaRecord> {
  /** How the value's bytes become the value the schema checks. Default `'json'`. */
  readonly decode?: KafkaValueDecode | undefined
  /** How the key's bytes become `meta.key`. Default `'text'`: a key that is not UTF-8 fails the record, with a reason. */
  readonly key?: D | undefined
  /** See {@link KafkaTombstones}. Default `'pass'`. */
  readonly tombstones?: KafkaTombstones | undefined
  /** See {@link KafkaWireFormat}. Default `'auto'`. */
  readonly wireFormat?: KafkaWireFormat | undefined
  /**
   * The most bytes a gzip value may inflate to; past it the record fails before more memory is
   * taken. Default 6,291,456 (6 MB, Lambda's payload ceiling).
   */
  readonly maxInflatedBytes?: number | undefined
}

/** The meta of one record as `meta` builds it, writable, so that the parser can add what decoding finds. */
export type FoundKafkaMeta = { -readonly [K in keyof KafkaMeta<unknown>]: KafkaMeta<unknown>[K] }
