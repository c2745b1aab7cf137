/** The two envelopes an SQS body may carry: an SNS notification and an EventBridge event. */
import type { InvalidRecord } from '../../engine/schema.js'
import { decodeError, parseJson } from '../decode.js'
import { jsonType } from '../unmarshall.js'
import type { EventBridgeEnvelopeMeta, SnsEnvelopeMeta } from './types.js'

function envelopeJson(body: string, envelope: string): Record<string, unknown> {
  let value: unknown
  try {
    value = parseJson(body)
  } catch (e) {
    throw decodeError(`The body is not ${envelope}: ${(e as Error).message}`, (e as InvalidRecord).failure.error?.cause ?? e)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw decodeError(`The body is not ${envelope}: it is JSON but not an object.`)
  return value as Record<string, unknown>
}

function requireString(o: Record<string, unknown>, field: string, envelope: string, hint = ''): string {
  const v = o[field]
  if (typeof v !== 'string')
    throw decodeError(`The body is not ${envelope}: \`${field}\` is ${v === undefined ? 'missing' : `not a string`}.${hint}`)
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
const RAW_HINT = " (With raw message delivery on, the body is the message itself: drop `envelope: 'sns'`.)"

/** The message of an SNS notification and the notification's metadata; a body that is not one fails its record. */
export function unwrapSns(body: string): { message: string; sns: SnsEnvelopeMeta } {
  const n = envelopeJson(body, SNS)
  if (n.Type !== 'Notification')
    throw decodeError(
      `The body is not ${SNS}: \`Type\` is ${SNS_TYPES.includes(n.Type) ? JSON.stringify(n.Type) : jsonType(n.Type)}, not "Notification".${RAW_HINT}`,
    )
  const message = requireString(n, 'Message', SNS, RAW_HINT)
  const subject = n.Subject
  const attrs = n.MessageAttributes
  const messageAttributes: Record<string, { type: string; value: string }> = Object.create(null) as Record<
    string,
    { type: string; value: string }
  >
  if (attrs !== undefined && attrs !== null) {
    if (typeof attrs !== 'object') throw decodeError(`The body is not ${SNS}: \`MessageAttributes\` is not an object.`)
    for (const [name, a] of Object.entries(attrs as Record<string, { Type?: unknown; Value?: unknown } | null>)) {
      if (typeof a?.Type !== 'string' || typeof a.Value !== 'string')
        throw decodeError(`The body is not ${SNS}: message attribute "${name}" has no string Type and Value.`)
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

/** The `detail` of an EventBridge event and the event's metadata; a body that is not one fails its record. */
export function unwrapEventBridge(body: string): { detail: unknown; eventBridge: EventBridgeEnvelopeMeta } {
  const e = envelopeJson(body, EB)
  if (!('detail' in e)) throw decodeError(`The body is not ${EB}: \`detail\` is missing.`)
  const resources = e.resources
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string'))
    throw decodeError(`The body is not ${EB}: \`resources\` is not an array of strings.`)
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
