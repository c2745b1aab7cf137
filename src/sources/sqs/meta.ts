/**
 * An SQS record's `meta`, two ways from one set of field definitions: lazy (each decoded field
 * computed when first read, then kept) for a record function without middleware, and eager (a
 * plain object, every field decoded before the record function runs) under `eagerMeta`, with
 * middleware (which spreads `meta`) and in windows.
 */
import type { Context, SQSRecord } from 'aws-lambda'
import type { BaseMeta } from '../../engine/engine.js'
import type { RecordLogger } from '../../engine/logger.js'
import { decodeError, settle } from '../decode.js'
import { jsonType } from '../unmarshall.js'
import { decodeAttributes, digits } from './numbers.js'
import type { EventBridgeEnvelopeMeta, Found, SnsEnvelopeMeta, SqsAttribute, SqsMeta } from './types.js'

function attributesOf(record: SQSRecord): SQSRecord['attributes'] {
  const a = record.attributes
  if (typeof a !== 'object' || a === null) throw decodeError(`attributes is ${jsonType(a)}, not an object of SQS attributes.`)
  return a
}

function timestamp(record: SQSRecord, name: 'SentTimestamp' | 'ApproximateFirstReceiveTimestamp'): Date {
  const a = attributesOf(record)
  const ms = digits(a[name])
  if (ms === -1) throw decodeError(`attributes.${name} is ${a[name] === undefined ? 'missing' : 'not a time in epoch milliseconds'}.`)
  return new Date(ms)
}

function receiveCountOf(record: SQSRecord): number {
  const count = digits(attributesOf(record).ApproximateReceiveCount)
  if (count < 1) throw decodeError('attributes.ApproximateReceiveCount is not a whole number of 1 or more.')
  return count
}

function optionalString(record: SQSRecord, name: 'MessageDeduplicationId' | 'SequenceNumber'): string | undefined {
  const value: unknown = attributesOf(record)[name]
  if (value !== undefined && typeof value !== 'string') throw decodeError(`attributes.${name} is ${jsonType(value)}, not a string.`)
  return value
}

/**
 * The lazy form. The plain fields are own properties; `receiveCount`, `sentAt`, `firstReceivedAt`,
 * `deduplicationId`, `sequenceNumber` and `attributes` are getters on the prototype that, when
 * first read, put the value on the object as an own property (so later reads, and a spread after
 * them, see it). `{ ...meta }` before a read does not copy them, which is why the builder hands
 * middleware the eager form. A broken field throws its decode error when read, which fails the
 * record as invalid.
 */
export class LazySqsMeta implements SqsMeta {
  readonly record: SQSRecord
  readonly messageId: string
  readonly messageGroupId: string | undefined
  readonly context: Context | undefined
  readonly logger: RecordLogger
  declare sns?: SnsEnvelopeMeta
  declare eventBridge?: EventBridgeEnvelopeMeta

  constructor(record: SQSRecord, base: BaseMeta) {
    this.record = record
    this.messageId = record.messageId
    // Checked to be a string or absent when the event's records were read.
    this.messageGroupId = record.attributes?.MessageGroupId
    this.context = base.context
    this.logger = base.logger
  }

  get receiveCount(): number {
    return settle(this, 'receiveCount', receiveCountOf)
  }

  get sentAt(): Date {
    return settle(this, 'sentAt', (r) => timestamp(r, 'SentTimestamp'))
  }

  get firstReceivedAt(): Date {
    return settle(this, 'firstReceivedAt', (r) => timestamp(r, 'ApproximateFirstReceiveTimestamp'))
  }

  get deduplicationId(): string | undefined {
    return settle(this, 'deduplicationId', (r) => optionalString(r, 'MessageDeduplicationId'))
  }

  get sequenceNumber(): string | undefined {
    return settle(this, 'sequenceNumber', (r) => optionalString(r, 'SequenceNumber'))
  }

  get attributes(): Readonly<Record<string, SqsAttribute>> {
    return settle(this, 'attributes', (r) => decodeAttributes(r.messageAttributes))
  }

  /** Every field, as the eager form has them (`JSON.stringify(meta)` shows what a spread before a read would not). */
  toJSON(): Found {
    const found = eagerSqsMeta(this.record, this)
    if (this.sns !== undefined) found.sns = this.sns
    if (this.eventBridge !== undefined) found.eventBridge = this.eventBridge
    return found
  }
}

/** The eager form: a plain object, every field decoded now; a broken one throws here, before the record function runs. */
export function eagerSqsMeta(record: SQSRecord, base: BaseMeta): Found {
  return {
    record,
    messageId: record.messageId,
    receiveCount: receiveCountOf(record),
    sentAt: timestamp(record, 'SentTimestamp'),
    firstReceivedAt: timestamp(record, 'ApproximateFirstReceiveTimestamp'),
    messageGroupId: record.attributes.MessageGroupId,
    deduplicationId: optionalString(record, 'MessageDeduplicationId'),
    sequenceNumber: optionalString(record, 'SequenceNumber'),
    attributes: decodeAttributes(record.messageAttributes),
    context: base.context,
    logger: base.logger,
  }
}
