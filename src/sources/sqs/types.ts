import type { SQSRecord } from 'aws-lambda'
import type { BaseMeta } from '../../engine/engine.js'
import type { CommonOptions } from '../../engine/options.js'
import type { Schema } from '../../engine/schema.js'

/**
 * How an SQS body (or, under an SNS envelope, the SNS `Message`) becomes the value the schema checks.
 *
 * - `'json'` (default): parsed as JSON.
 * - `'text'`: the text as it is.
 * - a function of the text (what it throws fails that record as a decode error).
 */
export type SqsDecode = 'json' | 'text' | ((text: string) => unknown)

/**
 * What usually sits inside an SQS body, unwrapped before the schema applies:
 *
 * - `'sns'`: an SNS notification (SNS to SQS without raw message delivery). The schema checks the
 *   notification's `Message` (decoded by `decode`); the notification's metadata is `meta.sns`.
 * - `'eventbridge'`: an EventBridge event (an SQS target of a rule). The schema checks `detail`;
 *   the event's metadata is `meta.eventBridge`.
 *
 * A body that is not such an envelope fails its record, with a reason that says what is missing.
 */
export type SqsEnvelope = 'sns' | 'eventbridge'

/** One message attribute, decoded by its data type (a custom suffix such as `Number.float` keeps its base type). */
export type SqsAttribute =
  | { readonly type: 'String'; readonly dataType: string; readonly value: string }
  | {
      readonly type: 'Number'
      readonly dataType: string
      /**
       * A `number` when JavaScript prints it back as sent (`String(value)` is the same number, as
       * for `42`, `0.25` or `1.5e3`); a `bigint` for a whole number beyond 2^53 written out in
       * digits; otherwise (SQS keeps 38 digits, a double about 17) the text itself. Never a
       * number that prints differently from what was sent.
       */
      readonly value: number | bigint | string
      /** The number as SQS delivered it. */
      readonly text: string
    }
  | { readonly type: 'Binary'; readonly dataType: string; readonly value: Uint8Array }

/**
 * What the SQS record function receives besides the body.
 *
 * Without middleware (and unless `eagerMeta`), `receiveCount`, `sentAt`, `firstReceivedAt`,
 * `deduplicationId`, `sequenceNumber` and `attributes` are getters, computed when first read, so
 * a record function that does not read them does not pay for them: read them by name or by
 * destructuring; `{ ...meta }` copies only the other fields. Middleware always gets every field.
 */
export interface SqsMeta extends BaseMeta {
  /** The record as Lambda delivered it. */
  readonly record: SQSRecord
  /** The identifier reported in `batchItemFailures`. */
  readonly messageId: string
  /** How many times SQS has handed out this message, this time included (`ApproximateReceiveCount`). */
  readonly receiveCount: number
  /** When SQS accepted the message (`SentTimestamp`). */
  readonly sentAt: Date
  /** When SQS first handed the message out (`ApproximateFirstReceiveTimestamp`). */
  readonly firstReceivedAt: Date
  /** FIFO queues: the message group; `undefined` on a standard queue. */
  readonly messageGroupId: string | undefined
  /** FIFO queues: the deduplication id; `undefined` on a standard queue. */
  readonly deduplicationId: string | undefined
  /** FIFO queues: the sequence number SQS gave the message, a large decimal string (compare as `BigInt`, never as text). */
  readonly sequenceNumber: string | undefined
  /** The message attributes, decoded; a prototype-free object keyed by attribute name. */
  readonly attributes: Readonly<Record<string, SqsAttribute>>
}

/** The SNS notification around the message (`envelope: 'sns'`). */
export interface SnsEnvelopeMeta {
  /** The SNS message id (not the SQS one). */
  readonly messageId: string
  readonly topicArn: string
  readonly subject: string | undefined
  /** When SNS published the notification (`Timestamp`). */
  readonly publishedAt: Date
  /** The SNS message attributes as SNS wrote them (`Type`, `Value`: numbers and binary stay text). */
  readonly messageAttributes: Readonly<Record<string, { readonly type: string; readonly value: string }>>
  /** The whole notification, parsed. */
  readonly notification: Readonly<Record<string, unknown>>
}

/** The EventBridge event around `detail` (`envelope: 'eventbridge'`). */
export interface EventBridgeEnvelopeMeta {
  readonly id: string
  readonly source: string
  readonly detailType: string
  readonly account: string
  readonly region: string
  readonly time: Date
  readonly resources: readonly string[]
  /** The whole event, parsed. */
  readonly event: Readonly<Record<string, unknown>>
}

/** Options of {@link sqsHandler}. */
export interface SqsOptions<S extends Schema> extends CommonOptions<S, SQSRecord> {
  /** How the body (or the SNS `Message`) becomes the value the schema checks. Default `'json'`. Not with `envelope: 'eventbridge'`, whose `detail` is JSON already. */
  readonly decode?: SqsDecode | undefined
  /** Unwrap an SNS notification or an EventBridge event first. Default: none, the body is the message. */
  readonly envelope?: SqsEnvelope | undefined
  /**
   * Decode every field of `meta` (times, counts, message attributes) before the record function
   * runs, so that a broken one fails the record as invalid before the function starts. Default
   * false: without middleware, those fields are computed when the record function first reads
   * them (a broken one then fails the record as invalid at that read). With middleware, `meta` is
   * always decoded first, since middleware spreads it.
   */
  readonly eagerMeta?: boolean | undefined
}

/** The `meta` of an SQS record function, grown by the envelope the options name. */
export type SqsMetaOf<O> = O extends { readonly envelope: 'sns' }
  ? SqsMeta & { readonly sns: SnsEnvelopeMeta }
  : O extends { readonly envelope: 'eventbridge' }
    ? SqsMeta & { readonly eventBridge: EventBridgeEnvelopeMeta }
    : SqsMeta

/** The meta of one record as `meta` builds it, writable, so that the parser can add the envelope's. */
export type Found = { -readonly [K in keyof SqsMeta]: SqsMeta[K] } & { sns?: SnsEnvelopeMeta; eventBridge?: EventBridgeEnvelopeMeta }
