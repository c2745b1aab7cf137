import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { makeBuilder, type BatchHandler, type HandlerBuilder, type SourceDefinition } from '../engine/builder.js'
import type { BaseMeta, RecordFunction, Source } from '../engine/engine.js'
import { ConfigurationError, MalformedEventError } from '../engine/errors.js'
import { describeValue, toOptions, type CommonOptions } from '../engine/options.js'
import { InvalidRecord, validate, type InferOutput, type Schema } from '../engine/schema.js'
import { base64ToBytes, decodeError, decodeFunctionThrew, parseJson } from './decode.js'
import { describeSource, recordsOf, unreadable } from './kinesis.js'
import { jsonType } from './unmarshall.js'

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

/** What the SQS record function receives besides the body. */
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
  readonly decode?: SqsDecode
  /** Unwrap an SNS notification or an EventBridge event first. Default: none, the body is the message. */
  readonly envelope?: SqsEnvelope
}

/** The `meta` of an SQS record function, grown by the envelope the options name. */
export type SqsMetaOf<O> = O extends { readonly envelope: 'sns' }
  ? SqsMeta & { readonly sns: SnsEnvelopeMeta }
  : O extends { readonly envelope: 'eventbridge' }
    ? SqsMeta & { readonly eventBridge: EventBridgeEnvelopeMeta }
    : SqsMeta

/** The handler {@link sqsHandler} builds: Lambda's SQS event in, partial batch response out. */
export type SqsHandler = BatchHandler<SQSEvent, SQSBatchResponse>

// The meta the parser builds for a record; `meta` fills in the batch's context and logger.
type Found = { -readonly [K in keyof SqsMeta]: SqsMeta[K] } & { sns?: SnsEnvelopeMeta; eventBridge?: EventBridgeEnvelopeMeta }

/** A queue is FIFO when its ARN says so or its messages carry a group. */
export function isFifo(record: SQSRecord): boolean {
  return record.eventSourceARN?.endsWith('.fifo') === true || typeof record.attributes?.MessageGroupId === 'string'
}

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

// A decimal text as (significant digits, exponent of the last digit), so that two spellings of
// the same number compare equal: "1.50" and "15e-1" both give ["15", -1].
function canonical(text: string): string {
  const [mantissa = '', exp = '0'] = text.replace(/^[+-]/, '').toLowerCase().split('e')
  const dot = mantissa.indexOf('.')
  let digits = mantissa.replace('.', '')
  let e = Number(exp) - (dot === -1 ? 0 : mantissa.length - dot - 1)
  digits = digits.replace(/^0+/, '')
  const trimmed = digits.replace(/0+$/, '')
  e += digits.length - trimmed.length
  if (trimmed === '') return '0'
  return `${text.startsWith('-') ? '-' : ''}${trimmed}e${e}`
}

/** An SQS Number attribute without rounding: see {@link SqsAttribute}. */
export function sqsNumber(text: string): number | bigint | string {
  const small = digits(text) // the common case, without the regular expressions
  if (small !== -1) return small
  if (!DECIMAL.test(text)) throw new Error('is not a number')
  if (INTEGER.test(text)) {
    const n = Number(text)
    return Number.isSafeInteger(n) ? n : BigInt(text)
  }
  const n = Number(text)
  return Number.isFinite(n) && canonical(String(n)) === canonical(text) ? n : text
}

// Messages without attributes (most) share one empty, frozen, prototype-free object.
const NO_ATTRIBUTES: Record<string, SqsAttribute> = Object.freeze(Object.create(null) as Record<string, SqsAttribute>)

function decodeAttributes(attributes: SQSRecord['messageAttributes'] | undefined): Record<string, SqsAttribute> {
  if (attributes === undefined || attributes === null) return NO_ATTRIBUTES
  if (typeof attributes !== 'object') throw decodeError('messageAttributes is not an object.')
  let out: Record<string, SqsAttribute> | undefined
  for (const name in attributes) {
    out ??= Object.create(null) as Record<string, SqsAttribute>
    out[name] = decodeAttribute(name, attributes[name])
  }
  return out ?? NO_ATTRIBUTES
}

function decodeAttribute(name: string, a: SQSRecord['messageAttributes'][string] | undefined): SqsAttribute {
  const dataType = a?.dataType
  if (typeof dataType !== 'string') throw decodeError(`Message attribute "${name}" has no dataType.`)
  // A custom type is the base type, a dot and a label: "Number.float", "String.json" (fact 12).
  const dot = dataType.indexOf('.')
  const type = dot === -1 ? dataType : dataType.slice(0, dot)
  if (type === 'Binary') {
    return { type, dataType, value: new Uint8Array(base64ToBytes(a?.binaryValue, `Message attribute "${name}" binaryValue`)) }
  }
  const text = a?.stringValue
  if (typeof text !== 'string') throw decodeError(`Message attribute "${name}" (${dataType}) has no stringValue.`)
  if (type === 'String') return { type, dataType, value: text }
  if (type === 'Number') {
    let value: number | bigint | string
    try {
      value = sqsNumber(text)
    } catch {
      throw decodeError(`Message attribute "${name}" (${dataType}) is not a number.`)
    }
    return { type, dataType, value, text }
  }
  throw decodeError(`Message attribute "${name}" has the data type ${JSON.stringify(dataType)}; SQS knows String, Number and Binary.`)
}

/**
 * The value of a text of 1 to 15 decimal digits (exact in a double), or -1. A loop over the
 * characters: `Number(text)` on a string goes through V8's general parser and costs more.
 */
function digits(text: unknown): number {
  if (typeof text !== 'string' || text.length === 0 || text.length > 15) return -1
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

function timestamp(attributes: SQSRecord['attributes'] | undefined, name: 'SentTimestamp' | 'ApproximateFirstReceiveTimestamp'): Date {
  const ms = digits(attributes?.[name])
  if (ms === -1) throw decodeError(`attributes.${name} is ${attributes?.[name] === undefined ? 'missing' : 'not a time in epoch milliseconds'}.`)
  return new Date(ms)
}

function optionalString(attributes: SQSRecord['attributes'], name: 'MessageDeduplicationId' | 'SequenceNumber'): string | undefined {
  const value: unknown = attributes[name]
  if (value !== undefined && typeof value !== 'string') throw decodeError(`attributes.${name} is ${jsonType(value)}, not a string.`)
  return value
}

function envelopeJson(body: string, envelope: string): Record<string, unknown> {
  let value: unknown
  try {
    value = parseJson(body)
  } catch (e) {
    throw decodeError(`The body is not ${envelope}: ${(e as Error).message}`, (e as InvalidRecord).failure.error?.cause ?? e)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw decodeError(`The body is not ${envelope}: it is JSON but not an object.`)
  return value as Record<string, unknown>
}

function requireString(o: Record<string, unknown>, field: string, envelope: string, hint = ''): string {
  const v = o[field]
  if (typeof v !== 'string') throw decodeError(`The body is not ${envelope}: \`${field}\` is ${v === undefined ? 'missing' : `not a string`}.${hint}`)
  return v
}

function requireTime(o: Record<string, unknown>, field: string, envelope: string): Date {
  const d = new Date(requireString(o, field, envelope))
  if (Number.isNaN(d.getTime())) throw decodeError(`The body is not ${envelope}: \`${field}\` is not a time.`)
  return d
}

const SNS = 'an SNS notification'
// The other message types SNS sends, which a reason may name; any other value is not quoted.
const SNS_TYPES: readonly unknown[] = ['SubscriptionConfirmation', 'UnsubscribeConfirmation']
const RAW_HINT = ' (With raw message delivery on, the body is the message itself: drop `envelope: \'sns\'`.)'

function unwrapSns(body: string): { message: string; sns: SnsEnvelopeMeta } {
  const n = envelopeJson(body, SNS)
  if (n.Type !== 'Notification') throw decodeError(`The body is not ${SNS}: \`Type\` is ${SNS_TYPES.includes(n.Type) ? JSON.stringify(n.Type) : jsonType(n.Type)}, not "Notification".${RAW_HINT}`)
  const message = requireString(n, 'Message', SNS, RAW_HINT)
  const subject = n.Subject
  const attrs = n.MessageAttributes
  const messageAttributes: Record<string, { type: string; value: string }> = Object.create(null) as Record<string, { type: string; value: string }>
  if (attrs !== undefined && attrs !== null) {
    if (typeof attrs !== 'object') throw decodeError(`The body is not ${SNS}: \`MessageAttributes\` is not an object.`)
    for (const [name, a] of Object.entries(attrs as Record<string, { Type?: unknown; Value?: unknown } | null>)) {
      if (typeof a?.Type !== 'string' || typeof a.Value !== 'string') throw decodeError(`The body is not ${SNS}: message attribute "${name}" has no string Type and Value.`)
      messageAttributes[name] = { type: a.Type, value: a.Value }
    }
  }
  return {
    message,
    sns: {
      messageId: requireString(n, 'MessageId', SNS),
      topicArn: requireString(n, 'TopicArn', SNS),
      subject: typeof subject === 'string' ? subject : undefined,
      publishedAt: requireTime(n, 'Timestamp', SNS),
      messageAttributes,
      notification: n,
    },
  }
}

const EB = 'an EventBridge event'

function unwrapEventBridge(body: string): { detail: unknown; eventBridge: EventBridgeEnvelopeMeta } {
  const e = envelopeJson(body, EB)
  if (!('detail' in e)) throw decodeError(`The body is not ${EB}: \`detail\` is missing.`)
  const resources = e.resources
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) throw decodeError(`The body is not ${EB}: \`resources\` is not an array of strings.`)
  return {
    detail: e.detail,
    eventBridge: {
      id: requireString(e, 'id', EB),
      source: requireString(e, 'source', EB),
      detailType: requireString(e, 'detail-type', EB),
      account: requireString(e, 'account', EB),
      region: requireString(e, 'region', EB),
      time: requireTime(e, 'time', EB),
      resources: resources as string[],
      event: e,
    },
  }
}

function textDecoder(decode: SqsDecode): (text: string) => unknown {
  if (decode === 'json') return parseJson
  if (decode === 'text') return (text) => text
  return (text) => {
    try {
      return decode(text)
    } catch (e) {
      throw decodeFunctionThrew(e)
    }
  }
}

/**
 * The SQS row and its parser, built once per handler. `meta` decodes the attributes and times (the
 * engine builds it before parsing, so broken metadata fails that record as a decode error, never the
 * handler); the parser adds the envelope's metadata, which only decoding the body finds.
 */
function sqsDefinition(): SourceDefinition<SQSRecord, SqsMeta, unknown, SqsOptions<Schema>> {
  // Checks the SQS options (at build time) and builds the per-record parser.
  function parser(options: SqsOptions<Schema>): (record: SQSRecord, meta: SqsMeta) => unknown {
    const { envelope, schema } = options
    const mode = options.decode ?? 'json'
    if (mode !== 'json' && mode !== 'text' && typeof mode !== 'function') {
      throw new ConfigurationError(`sqsHandler: \`decode\` must be 'json', 'text' or a function of the body text; received ${describeValue(mode)}.`)
    }
    if (envelope !== undefined && envelope !== 'sns' && envelope !== 'eventbridge') {
      throw new ConfigurationError(`sqsHandler: \`envelope\` must be 'sns' or 'eventbridge'; received ${describeValue(envelope)}.`)
    }
    if (envelope === 'eventbridge' && options.decode !== undefined) {
      throw new ConfigurationError("sqsHandler: `decode` does not apply with `envelope: 'eventbridge'`: the event's `detail` is JSON already. Remove `decode`, or shape `detail` with the schema.")
    }
    const decode = textDecoder(mode)
    const what = envelope === 'sns' ? 'The SNS message' : envelope === 'eventbridge' ? 'The EventBridge detail' : 'The body'

    function parse(record: SQSRecord, found: SqsMeta): unknown {
      const { body } = record
      if (typeof body !== 'string') throw decodeError(`The body is not a string (it is ${body === null ? 'null' : typeof body}).`)
      const meta = found as Found
      let value: unknown
      if (envelope === 'sns') {
        const { message, sns } = unwrapSns(body)
        meta.sns = sns
        value = decode(message)
      } else if (envelope === 'eventbridge') {
        const { detail, eventBridge } = unwrapEventBridge(body)
        meta.eventBridge = eventBridge
        value = detail
      } else {
        value = decode(body)
      }
      return validate(schema, value, what)
    }
    return parse
  }

  const source: Source<SQSRecord, SqsMeta> = {
    name: 'sqsHandler',
    records(event) {
      const records = recordsOf(event, 'sqsHandler')
      let i = 0
      try {
        for (; i < records.length; i++) {
          const r = records[i] as Partial<SQSRecord> | null
          if (r?.eventSource !== 'aws:sqs') {
            throw new MalformedEventError(`sqsHandler received a record that is not from SQS at Records[${i}] (${describeSource(r)}); is the handler wired to the right event source?`)
          }
          // Without a messageId the record cannot be reported (fact 52), so the batch cannot be processed safely.
          if (typeof r.messageId !== 'string' || r.messageId === '') {
            throw new MalformedEventError(`sqsHandler received a record without a messageId at Records[${i}].`)
          }
          // The queue's ARN (and a message group) decide how the whole batch is ordered (fact 10).
          if (typeof r.eventSourceARN !== 'string') {
            throw new MalformedEventError(`sqsHandler received a record without an eventSourceARN string (the queue's ARN) at Records[${i}].`)
          }
          const group: unknown = r.attributes?.MessageGroupId
          if (group !== undefined && typeof group !== 'string') {
            throw new MalformedEventError(`sqsHandler received a record whose attributes.MessageGroupId is ${jsonType(group)}, not a string, at Records[${i}].`)
          }
        }
      } catch (e) {
        throw e instanceof MalformedEventError ? e : unreadable('sqsHandler', i, e)
      }
      return records as SQSRecord[]
    },
    id: (record) => record.messageId, // fact 52
    // A record without a group (a standard queue under 'per-key', which SQS gives no key for) shares
    // one lane, so it keeps the batch's order rather than losing it.
    key: (record) => record.attributes?.MessageGroupId ?? '',
    meta: (record, base): Found => {
      const a = record.attributes
      if (typeof a !== 'object' || a === null) throw decodeError(`attributes is ${jsonType(a)}, not an object of SQS attributes.`)
      const receiveCount = digits(a.ApproximateReceiveCount)
      if (receiveCount < 1) throw decodeError('attributes.ApproximateReceiveCount is not a whole number of 1 or more.')
      return {
        record,
        messageId: record.messageId,
        receiveCount,
        sentAt: timestamp(a, 'SentTimestamp'),
        firstReceivedAt: timestamp(a, 'ApproximateFirstReceiveTimestamp'),
        messageGroupId: a.MessageGroupId,
        deduplicationId: optionalString(a, 'MessageDeduplicationId'),
        sequenceNumber: optionalString(a, 'SequenceNumber'),
        attributes: decodeAttributes(record.messageAttributes),
        context: base.context,
        logger: base.logger,
      }
    },
    // Standard queues promise no order (fact 30): each message on its own. FIFO keeps order per
    // message group, and a failure stops only its group: Lambda retries the group's failed and
    // unprocessed messages before it delivers more of that group, while other groups go on (facts 31, 56).
    plan: (records) => ({ ordering: records.some(isFifo) ? 'per-key' : 'unordered', stops: 'key' }),
  }
  return { source, extraOptions: ['decode', 'envelope'], defaultOrdering: 'by-queue', parser }
}

/**
 * Builds a Lambda handler for an SQS trigger. Each message body is decoded (JSON by default),
 * unwrapped from an SNS or EventBridge envelope if `envelope` says so, checked by `schema`, and
 * passed to `fn` typed as the schema's output, with the message's metadata and decoded attributes
 * in `meta`. The handler returns `{ batchItemFailures }` with the failed `messageId`s (enable
 * `ReportBatchItemFailures` on the event source mapping, or Lambda ignores it).
 *
 * A standard queue's messages run concurrently (`concurrency`, default 10) and each failure is
 * reported. A FIFO queue (a `.fifo` ARN or a `MessageGroupId`) keeps order within each message
 * group: when a message fails, it and every later message of its group are reported, unstarted,
 * while other groups go on. When every message fails, the handler throws.
 *
 * Three forms: `sqsHandler(schema, fn)`, `sqsHandler({ schema, ...options }, fn)`, and the
 * builder `sqsHandler(schema).use(middleware).handle(fn)`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { sqsHandler } from 'lambda-stream-handlers'
 *
 * const Order = z.object({ orderId: z.string(), total: z.number() })
 *
 * export const handler = sqsHandler(Order, async (order, meta) => {
 *   // order: { orderId: string; total: number }, checked before it gets here
 *   meta.logger.info(`order ${order.orderId} (${order.total}), delivery ${meta.receiveCount}`)
 * })
 * ```
 */
// The options form comes first and infers the schema and the envelope only, so that a misspelt
// option is an excess property ("Did you mean ...?") and the record function stays typed when an
// option is wrong.
export function sqsHandler<S extends Schema, E extends SqsEnvelope | undefined = undefined>(
  options: SqsOptions<S> & { readonly envelope?: E },
): HandlerBuilder<InferOutput<S>, SqsMetaOf<{ envelope: E }>, SQSEvent, SQSBatchResponse>
export function sqsHandler<S extends Schema>(schema: S): HandlerBuilder<InferOutput<S>, SqsMeta, SQSEvent, SQSBatchResponse>
export function sqsHandler<S extends Schema, E extends SqsEnvelope | undefined = undefined>(
  options: SqsOptions<S> & { readonly envelope?: E },
  fn: RecordFunction<InferOutput<S>, SqsMetaOf<{ envelope: E }>>,
): SqsHandler
export function sqsHandler<S extends Schema>(schema: S, fn: RecordFunction<InferOutput<S>, SqsMeta>): SqsHandler
export function sqsHandler(
  schemaOrOptions: Schema | SqsOptions<Schema>,
  fn?: RecordFunction<unknown, never>,
): HandlerBuilder<unknown, SqsMeta, SQSEvent, SQSBatchResponse> | SqsHandler {
  const builder = makeBuilder<SQSRecord, SqsMeta, unknown, SqsOptions<Schema>, SQSEvent, SQSBatchResponse>(sqsDefinition(), toOptions(schemaOrOptions))
  // The overloads type `meta` by the envelope; here it is the base meta the engine builds.
  return fn === undefined ? builder : builder.handle(fn as RecordFunction<unknown, SqsMeta>)
}
