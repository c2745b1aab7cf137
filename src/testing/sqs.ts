import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { InferInput, Schema } from '../engine/schema.js'
import { payloadBytes, type RawData } from './raw.js'

/**
 * A message attribute for {@link sqsEvent}: a string is a `String`, a number or bigint a `Number`,
 * bytes a `Binary`; the object form sets the data type itself (a custom suffix such as `Number.float`,
 * or a `Number` written exactly as text).
 */
export type SqsAttributeInput = string | number | bigint | Uint8Array | { readonly dataType: string; readonly value: string | Uint8Array }

/**
 * Options of {@link sqsEvent}. `B` is the type of the bodies given, which the functions below
 * receive: the schema's input, or `RawData` when a test passes `raw(...)` too.
 */
export interface SqsEventOptions<S extends Schema = Schema, B = InferInput<S> | RawData> {
  /** Types the bodies by the schema's input. The builder does not validate: a test may want a bad message. */
  readonly schema?: S | undefined
  /** Default `'test-queue'`, or `'test-queue.fifo'` for a FIFO queue. A name ending in `.fifo` makes the queue FIFO. */
  readonly queueName?: string | undefined
  readonly region?: string | undefined
  readonly accountId?: string | undefined
  /** Build a FIFO queue's records (group ids, deduplication ids, sequence numbers). Implied by `messageGroupId`. */
  readonly fifo?: boolean | undefined
  /** FIFO: the message group of every message, or a function of the body and its index. Default `'group-0'`. */
  readonly messageGroupId?: string | ((body: B, index: number) => string) | undefined
  /** FIFO: the deduplication id. Default: the SHA-256 of the body, as content-based deduplication gives. */
  readonly deduplicationId?: ((body: B, index: number) => string) | undefined
  /** `ApproximateReceiveCount` of every message, or a function of the index. Default 1. */
  readonly receiveCount?: number | ((index: number) => number) | undefined
  /** When the first message was sent; each later one 1 ms after. Default: now. */
  readonly sentAt?: Date | undefined
  /** Message attributes of every message, or a function of the body and its index. */
  readonly messageAttributes?:
    | Readonly<Record<string, SqsAttributeInput>>
    | ((body: B, index: number) => Readonly<Record<string, SqsAttributeInput>>)
    | undefined
  /**
   * Wrap each body as SNS (SNS to SQS without raw delivery) or EventBridge (a rule's SQS target)
   * deliver it. A body becomes the SNS `Message` (JSON-encoded; `raw(...)` text as it is) or the
   * EventBridge `detail` (`raw(...)` text replaces the whole body, to build one that is not an event).
   */
  readonly envelope?: 'sns' | 'eventbridge' | undefined
  /** SNS envelope fields. */
  readonly sns?:
    | {
        readonly topicArn?: string | undefined
        readonly subject?: string | undefined
        readonly messageAttributes?: Readonly<Record<string, string>> | undefined
      }
    | undefined
  /** EventBridge envelope fields. */
  readonly eventBridge?:
    | { readonly source?: string | undefined; readonly detailType?: string | undefined; readonly resources?: readonly string[] | undefined }
    | undefined
}

const FIRST_SEQUENCE = 18849496460467696128n // as in the AWS sample FIFO event (fact 11: large, non-consecutive)
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO'

function isRaw(body: unknown): body is RawData {
  return typeof body === 'object' && body !== null && Symbol.for('lambda-stream-handlers.raw') in body
}

function text(body: unknown): string {
  return Buffer.from(payloadBytes(body)).toString('utf8')
}

const md5 = (data: string | Uint8Array): string => createHash('md5').update(data).digest('hex')

function lengthPrefixed(bytes: Uint8Array): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/**
 * The MD5 SQS computes over message attributes: for each attribute by name, the name, the data
 * type, a transport byte (1 text, 2 binary) and the value, each length-prefixed; `null` without
 * attributes, as Lambda delivers it.
 */
function md5OfMessageAttributes(attributes: SQSMessageAttributes): string | null {
  const names = Object.keys(attributes).sort()
  if (names.length === 0) return null
  const parts: Buffer[] = []
  for (const name of names) {
    const a = attributes[name]!
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(a.dataType, 'utf8')))
    if (a.binaryValue !== undefined) parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(a.binaryValue, 'base64')))
    else parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(a.stringValue ?? '', 'utf8')))
  }
  return md5(Buffer.concat(parts))
}

function attribute(value: SqsAttributeInput): SQSMessageAttributes[string] {
  const of = (dataType: string, v: string | Uint8Array): SQSMessageAttributes[string] =>
    typeof v === 'string'
      ? { stringValue: v, stringListValues: [], binaryListValues: [], dataType }
      : { binaryValue: Buffer.from(v).toString('base64'), stringListValues: [], binaryListValues: [], dataType }
  if (typeof value === 'string') return of('String', value)
  if (typeof value === 'number' || typeof value === 'bigint') return of('Number', String(value))
  if (value instanceof Uint8Array) return of('Binary', value)
  return of(value.dataType, value.value)
}

function snsBody(message: string, at: Date, options: SqsEventOptions<Schema>, region: string, accountId: string): string {
  const topicArn = options.sns?.topicArn ?? `arn:aws:sns:${region}:${accountId}:test-topic`
  const attrs = options.sns?.messageAttributes
  return JSON.stringify({
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: topicArn,
    ...(options.sns?.subject === undefined ? {} : { Subject: options.sns.subject }),
    Message: message,
    Timestamp: at.toISOString(),
    SignatureVersion: '1',
    Signature: randomBytes(256).toString('base64'),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}`,
    ...(attrs === undefined
      ? {}
      : { MessageAttributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { Type: 'String', Value: v }])) }),
  })
}

function eventBridgeBody(detail: unknown, at: Date, options: SqsEventOptions<Schema>, region: string, accountId: string): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': options.eventBridge?.detailType ?? 'Test Event',
    source: options.eventBridge?.source ?? 'com.example.test',
    account: accountId,
    time: new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region,
    resources: options.eventBridge?.resources ?? [],
    detail,
  })
}

/**
 * Builds an SQS event as Lambda delivers it: message ids, receipt handles, `md5OfBody`, the
 * system attributes (receive count, sent and first-receive times, FIFO group, deduplication id and
 * sequence number), decoded-ready message attributes with their MD5, and the queue ARN. Bodies
 * are JSON-encoded; `raw(...)` text goes in as it is, so a test can build a bad message.
 *
 * @example
 * ```ts
 * const event = sqsEvent([{ orderId: 'o-1', total: 12.5 }, raw('oops')])
 * const response = await handler(event, lambdaContext())
 * ```
 */
export function sqsEvent<S extends Schema = Schema, const B extends InferInput<S> | RawData = InferInput<S> | RawData>(
  // `B` is inferred from the bodies as written, so that `messageGroupId: (b) => b.accountId` reads
  // their fields; the second type keeps TypeScript's check of unknown fields against the schema.
  bodies: readonly B[] & readonly (InferInput<S> | RawData)[],
  options: SqsEventOptions<S, B> = {},
): SQSEvent {
  const o = options as unknown as SqsEventOptions<Schema, unknown>
  const region = o.region ?? 'us-east-1'
  const accountId = o.accountId ?? '123456789012'
  const fifo = o.fifo === true || o.messageGroupId !== undefined || o.queueName?.endsWith('.fifo') === true
  const queueName = o.queueName ?? (fifo ? 'test-queue.fifo' : 'test-queue')
  const sentAt = (o.sentAt ?? new Date()).getTime()
  const records = bodies.map((body, i): SQSRecord => {
    const at = new Date(sentAt + i)
    let messageBody: string
    if (o.envelope === 'sns') messageBody = snsBody(text(body), new Date(at.getTime() - 5), o, region, accountId)
    else if (o.envelope === 'eventbridge') messageBody = isRaw(body) ? text(body) : eventBridgeBody(body, at, o, region, accountId)
    else messageBody = text(body)
    const attrsIn = typeof o.messageAttributes === 'function' ? o.messageAttributes(body, i) : (o.messageAttributes ?? {})
    const messageAttributes: SQSMessageAttributes = {}
    for (const [name, value] of Object.entries(attrsIn)) messageAttributes[name] = attribute(value)
    const receiveCount = typeof o.receiveCount === 'function' ? o.receiveCount(i) : (o.receiveCount ?? 1)
    const group = typeof o.messageGroupId === 'function' ? o.messageGroupId(body, i) : (o.messageGroupId ?? 'group-0')
    return {
      messageId: randomUUID(),
      receiptHandle: `AQEB${randomBytes(120).toString('base64')}`,
      body: messageBody,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(at.getTime()),
        ...(fifo
          ? {
              SequenceNumber: String(FIRST_SEQUENCE + BigInt(i) * 65_536n),
              MessageGroupId: group,
              MessageDeduplicationId: o.deduplicationId?.(body, i) ?? createHash('sha256').update(messageBody).digest('hex'),
            }
          : {}),
        SenderId: SENDER_ID,
        ApproximateFirstReceiveTimestamp: String(at.getTime() + 10),
      },
      messageAttributes,
      md5OfBody: md5(Buffer.from(messageBody, 'utf8')),
      // Lambda sends null when there are no attributes (fact 10); the shared type says string | undefined.
      md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes) as string,
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:${accountId}:${queueName}`,
      awsRegion: region,
    }
  })
  return { Records: records }
}
