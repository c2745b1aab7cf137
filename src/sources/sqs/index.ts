import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { makeBuilder, type BatchHandler, type HandlerBuilder } from '../../engine/builder.js'
import { recordsOf, type RecordFunction, type Source } from '../../engine/engine.js'
import { MalformedEventError } from '../../engine/errors.js'
import { toOptions } from '../../engine/options.js'
import { validate, type InferOutput, type Schema } from '../../engine/schema.js'
import { decodeError, decodeFunctionThrew, describeSource, EAGER_META_RULE, parseJson, unreadable } from '../decode.js'
import { jsonType } from '../unmarshall.js'
import { unwrapEventBridge, unwrapSns } from './envelopes.js'
import { eagerSqsMeta, LazySqsMeta } from './meta.js'
import { digits } from './numbers.js'
import type { Found, SqsDecode, SqsEnvelope, SqsMeta, SqsMetaOf, SqsOptions } from './types.js'

export type * from './types.js'

/** The handler {@link sqsHandler} builds: Lambda's SQS event in, partial batch response out. */
export type SqsHandler = BatchHandler<SQSEvent, SQSBatchResponse>

/** A queue is FIFO when its ARN says so or its messages carry a group. */
export function isFifo(record: SQSRecord): boolean {
  return record.eventSourceARN?.endsWith('.fifo') === true || typeof record.attributes?.MessageGroupId === 'string'
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
 * SQS, defined once. `meta` decodes the attributes and times (the engine builds it before parsing,
 * so broken metadata fails that record as a decode error, never the handler); the parser adds the
 * envelope's metadata, which only decoding the body finds.
 */
export const sqsSource: Source<SQSRecord, SqsMeta, SqsOptions<Schema>> = {
  name: 'sqsHandler',
  records(event) {
    const records = recordsOf(event, 'sqsHandler')
    let i = 0
    try {
      for (; i < records.length; i++) {
        const r = records[i] as Partial<SQSRecord> | null
        if (r?.eventSource !== 'aws:sqs') {
          throw new MalformedEventError(
            `sqsHandler received a record that is not from SQS at Records[${i}] (${describeSource(r)}); is the handler wired to the right event source?`,
          )
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
          throw new MalformedEventError(
            `sqsHandler received a record whose attributes.MessageGroupId is ${jsonType(group)}, not a string, at Records[${i}].`,
          )
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
  meta: eagerSqsMeta,
  arrivalMs: (record) => {
    const ms = digits(record.attributes?.SentTimestamp)
    return ms === -1 ? undefined : ms
  },
  lazyMeta: (record, base) => new LazySqsMeta(record, base),
  // Standard queues promise no order (fact 30): each message on its own. FIFO keeps order per
  // message group, and a failure stops only its group: Lambda retries the group's failed and
  // unprocessed messages before it delivers more of that group, while other groups go on (facts 31, 56).
  plan: (records) => ({ ordering: records.some(isFifo) ? 'per-key' : 'unordered', stops: 'key' }),
  options: {
    decode: [
      (v) => v === 'json' || v === 'text' || typeof v === 'function',
      "'json', 'text' or a function of the body text",
      (o) =>
        o.envelope === 'eventbridge'
          ? "`decode` does not apply with `envelope: 'eventbridge'`: the event's `detail` is JSON already. Remove `decode`, or shape `detail` with the schema."
          : undefined,
    ],
    envelope: [(v) => v === 'sns' || v === 'eventbridge', "'sns' or 'eventbridge'"],
    eagerMeta: EAGER_META_RULE,
  },
  parser(options) {
    const { envelope, schema } = options
    const decode = textDecoder(options.decode ?? 'json')
    const what = envelope === 'sns' ? 'The SNS message' : envelope === 'eventbridge' ? 'The EventBridge detail' : 'The body'
    return function parse(record, found) {
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
  },
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
  options: SqsOptions<S> & { readonly envelope?: E | undefined },
): HandlerBuilder<InferOutput<S>, SqsMetaOf<{ envelope: E }>, SQSEvent, SQSBatchResponse>
export function sqsHandler<S extends Schema>(schema: S): HandlerBuilder<InferOutput<S>, SqsMeta, SQSEvent, SQSBatchResponse>
export function sqsHandler<S extends Schema, E extends SqsEnvelope | undefined = undefined>(
  options: SqsOptions<S> & { readonly envelope?: E | undefined },
  fn: RecordFunction<InferOutput<S>, SqsMetaOf<{ envelope: E }>>,
): SqsHandler
export function sqsHandler<S extends Schema>(schema: S, fn: RecordFunction<InferOutput<S>, SqsMeta>): SqsHandler
export function sqsHandler(
  schemaOrOptions: Schema | SqsOptions<Schema>,
  fn?: RecordFunction<unknown, never>,
): HandlerBuilder<unknown, SqsMeta, SQSEvent, SQSBatchResponse> | SqsHandler {
  const builder = makeBuilder<SQSRecord, SqsMeta, unknown, SqsOptions<Schema>, SQSEvent, SQSBatchResponse>(
    sqsSource,
    toOptions(schemaOrOptions),
  )
  // The overloads type `meta` by the envelope; here it is the base meta the engine builds.
  return fn === undefined ? builder : builder.handle(fn as RecordFunction<unknown, SqsMeta>)
}
