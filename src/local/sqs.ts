/**
 * The SQS event source mapping on a virtual clock: pollers receive visible messages, a received
 * message is hidden for the visibility timeout, success deletes it, failure lets it come back, the
 * queue's redrive policy moves it to the dead-letter queue, and FIFO message groups keep order
 * and a group's retries hold the group back.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'
import { createHash } from 'node:crypto'
import { checkKnownKeys, describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import { compileFilterVerdict, type FilterCriteria } from '../filtering/filter.js'
import type { InvocationReport, MappingReport, RecordReport } from './report.js'
import { configError } from './settings.js'
import { requestIds } from './stream-mapping.js'

/** One message sent to the simulated queue. */
export interface SqsSend {
  /** The body: a string as it is, anything else JSON-encoded. */
  readonly body: unknown
  /** FIFO queues: the message group. Required there. */
  readonly messageGroupId?: string
  /** When it is sent, in ms after the simulation's start. Default 0. */
  readonly at?: number
}

/** The queue and its SQS event source mapping, settings named as in the SQS and Lambda APIs. */
export interface SqsSimulation {
  readonly source: 'sqs'
  /** Messages to send, or SQS records built by a test kit (their body, messageId and group are kept). */
  readonly records: readonly (SqsSend | SQSRecord)[] | SQSEvent
  /** A FIFO queue (`.fifo`). Default false. */
  readonly fifo?: boolean
  /** The queue's `VisibilityTimeout` in seconds, 0–43,200. Default 30. Must be at least the function timeout. */
  readonly visibilityTimeoutSeconds?: number
  /** The queue's redrive policy `maxReceiveCount`, 1–1,000. Without it, a failing message comes back until it succeeds (`maxInvocations` guards). */
  readonly maxReceiveCount?: number
  /** Default 10; standard ≤ 10,000, FIFO ≤ 10. Above 10 needs a batching window. */
  readonly BatchSize?: number
  /** 0–300, default 0; not supported for FIFO. */
  readonly MaximumBatchingWindowInSeconds?: number
  /** `['ReportBatchItemFailures']` to let Lambda read `batchItemFailures`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /** Concurrent invocations, 2–1,000. Without it the simulator uses 5, Lambda's starting concurrency. */
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number }
  /** The function's timeout in seconds, 1–900. Default 3. An invocation that runs longer fails. */
  readonly timeoutSeconds?: number
  /** Used in the function ARN and the context. Default `'simulated-function'`. */
  readonly functionName?: string
  /** The virtual clock's start. Default 2026-01-01T00:00:00Z. */
  readonly start?: Date
  /** How long each invocation takes on the virtual clock, in ms (default 0): a number, or a function of the event. */
  readonly durationMs?: number | ((event: SQSEvent) => number)
  /** Seeds message ids, receipt handles and request ids. Default 1. */
  readonly seed?: number
  /** A guard against a simulation that never ends. Default 100,000. */
  readonly maxInvocations?: number
  /** Called after each invocation with it and the number of messages settled so far, for progress. */
  readonly onInvocation?: (invocation: InvocationReport, settled: number) => void
  /**
   * Event filtering on the message `body`: a message no filter matches is deleted
   * without reaching the function and ends `filtered`.
   */
  readonly FilterCriteria?: FilterCriteria
}

export const SQS_ASSUMPTIONS: readonly string[] = [
  'Without ScalingConfig.MaximumConcurrency, at most 5 invocations run at once (Lambda starts at 5 and scales up; scaling is not simulated).',
  'A message is moved to the dead-letter queue when it would be received for the (maxReceiveCount + 1)th time, so the function runs exactly maxReceiveCount times, as AWS was seen to do.',
  'Standard queues deliver visible messages oldest first; real SQS may regroup and reorder them.',
  'Stream-only settings (BisectBatchOnFunctionError, MaximumRetryAttempts, MaximumRecordAgeInSeconds, ParallelizationFactor) are refused for SQS; AWS does not document whether it refuses or ignores them.',
]

interface Message {
  /** A record built by a test kit: delivered as it is, with the receive fields brought up to date. */
  readonly template?: SQSRecord
  readonly id: string
  readonly body: string
  readonly group: string
  readonly sentAt: number
  readonly seq: number
  visibleAt: number
  receives: number
  firstReceiveAt?: number
  state: 'queued' | 'in-flight' | 'deleted' | 'dead-lettered' | 'filtered'
  deliveries: number
  reportedButIgnored?: boolean
  filteredBecause?: string
}

const NAME = 'simulate'
const STREAM_ONLY = ['BisectBatchOnFunctionError', 'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'ParallelizationFactor', 'StartingPosition', 'StartingPositionTimestamp', 'shards', 'streamName', 'retentionHours', 'retryDelayMs']
const KNOWN = new Set(['source', 'records', 'fifo', 'visibilityTimeoutSeconds', 'maxReceiveCount', 'BatchSize', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'timeoutSeconds', 'functionName', 'start', 'durationMs', 'seed', 'maxInvocations', 'onInvocation', 'FilterCriteria'])

function whole(key: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) configError(NAME, `\`${key}\` must be a whole number from ${min} to ${max}; received ${describeValue(v)}.`)
  return v
}

/** The SQS verdict: which messages Lambda deletes. */
export function sqsVerdict(response: unknown, ids: readonly string[], rbif: boolean): { failed: readonly string[] | 'all'; malformed: boolean; ignored: readonly string[] } {
  const listed = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  if (!rbif) return { failed: [], malformed: false, ignored: Array.isArray(listed) ? listed.map((f) => String((f as { itemIdentifier?: unknown } | null)?.itemIdentifier)) : [] }
  if (response === null || response === undefined || listed === undefined || listed === null) {
    return typeof response === 'object' || response === undefined ? { failed: [], malformed: false, ignored: [] } : { failed: 'all', malformed: true, ignored: [] }
  }
  if (!Array.isArray(listed)) return { failed: 'all', malformed: true, ignored: [] }
  const failed: string[] = []
  for (const entry of listed) {
    const id = (entry as { itemIdentifier?: unknown } | null)?.itemIdentifier
    if (typeof id !== 'string' || !ids.includes(id)) return { failed: 'all', malformed: true, ignored: [] } // fact 54
    failed.push(id)
  }
  return { failed, malformed: false, ignored: [] }
}

/** Runs the SQS simulation (see `simulate`). */
export async function simulateSqs(handler: (event: SQSEvent, context: Context) => unknown, o: SqsSimulation): Promise<MappingReport> {
  const stray = Object.keys(o).filter((k) => !KNOWN.has(k))
  const streamOnly = stray.filter((k) => STREAM_ONLY.includes(k))
  if (streamOnly.length > 0) configError(NAME, `${streamOnly.map((k) => `\`${k}\``).join(', ')} ${streamOnly.length > 1 ? 'are' : 'is a'} stream setting${streamOnly.length > 1 ? 's' : ''} with no SQS equivalent; use the queue's \`maxReceiveCount\` and dead-letter queue.`)
  checkKnownKeys(NAME, o, [...KNOWN])
  const given = Array.isArray(o.records) ? o.records : ((o.records as { Records?: unknown } | undefined)?.Records ?? [])
  // Records built as FIFO (they carry a MessageGroupId) make the queue FIFO unless told otherwise.
  const fifo = o.fifo ?? (Array.isArray(given) && given.some((r) => typeof (r as SQSRecord | null)?.attributes?.MessageGroupId === 'string'))
  const batchSize = whole('BatchSize', o.BatchSize, 1, fifo ? 10 : 10_000, 10)
  const windowS = whole('MaximumBatchingWindowInSeconds', o.MaximumBatchingWindowInSeconds, 0, 300, 0)
  if (fifo && windowS > 0) configError(NAME, '`MaximumBatchingWindowInSeconds` is not supported for FIFO queues.')
  if (batchSize > 10 && windowS === 0) configError(NAME, '`BatchSize` above 10 needs `MaximumBatchingWindowInSeconds` of at least 1, as AWS requires.')
  const vt = whole('visibilityTimeoutSeconds', o.visibilityTimeoutSeconds, 0, 43_200, 30) * 1000
  const timeoutMs = whole('timeoutSeconds', o.timeoutSeconds, 1, 900, 3) * 1000
  if (timeoutMs > vt) configError(NAME, `the function timeout (${timeoutMs / 1000} s) must not exceed the queue's visibility timeout (${vt / 1000} s), as Lambda checks when the mapping is created.`)
  const maxReceive = o.maxReceiveCount === undefined ? Infinity : whole('maxReceiveCount', o.maxReceiveCount, 1, 1000, 1)
  const concurrency = whole('ScalingConfig.MaximumConcurrency', o.ScalingConfig?.MaximumConcurrency, 2, 1000, 5)
  const types = o.FunctionResponseTypes ?? []
  if (!Array.isArray(types) || types.length > 1 || types.some((t) => t !== 'ReportBatchItemFailures')) {
    configError(NAME, `\`FunctionResponseTypes\` must be [] or ['ReportBatchItemFailures']; received ${describeValue(types)}.`)
  }
  const rbif = types.length === 1
  const seed = o.seed ?? 1
  const ids = requestIds(seed)
  const maxInvocations = o.maxInvocations ?? 100_000
  const startMs = o.start?.getTime() ?? Date.UTC(2026, 0, 1)
  const queue = `simulated-queue${fifo ? '.fifo' : ''}`
  const arn = `arn:aws:sqs:us-east-1:123456789012:${queue}`
  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${o.functionName ?? 'simulated-function'}`
  const list = Array.isArray(o.records) ? o.records : (o.records as { Records?: unknown } | undefined)?.Records
  if (!Array.isArray(list)) configError(NAME, `\`records\` must be an array of messages or an event with \`Records\`; received ${describeValue(o.records)}.`)

  const messages: Message[] = (list as (SqsSend | SQSRecord)[]).map((m, seq) => {
    const built = (m as SQSRecord).eventSource === 'aws:sqs' ? (m as SQSRecord) : undefined
    const send = m as SqsSend
    const body = built !== undefined ? built.body : typeof send.body === 'string' ? send.body : JSON.stringify(send.body)
    if (typeof body !== 'string') configError(NAME, `message ${seq} has no body that can be sent.`)
    const group = built?.attributes.MessageGroupId ?? send.messageGroupId ?? ''
    if (fifo && group === '') configError(NAME, `message ${seq} needs a \`messageGroupId\`: the queue is FIFO.`)
    const sentAt = built !== undefined ? Number(built.attributes.SentTimestamp) : startMs + (send.at ?? 0)
    return { ...(built === undefined ? {} : { template: built }), id: built?.messageId ?? ids(), body, group, sentAt, seq, visibleAt: sentAt, receives: 0, state: 'queued', deliveries: 0 }
  })
  messages.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq)
  if (o.FilterCriteria !== undefined) {
    const accept = compileFilterVerdict(o.FilterCriteria, 'sqs')
    for (const m of messages) {
      const view = { ...m.template, messageId: m.id, body: m.body, eventSource: 'aws:sqs', eventSourceARN: arn, awsRegion: 'us-east-1' }
      const verdict = accept(view)
      if (verdict !== true) m.state = 'filtered'
      if (typeof verdict === 'string') m.filteredBecause = verdict
    }
  }

  const invocations: InvocationReport[] = []
  const inflight: { end: number; apply: () => void }[] = []
  const deadLetters: { messageId: string; body: string; receiveCount: number }[] = []
  const ignoredResponses: { invocation: number; ids: string[] }[] = []
  const busyGroups = new Set<string>()
  let now = startMs

  /** The messages a poller could take at time t, in the order it takes them. */
  function candidates(t: number): Message[] {
    const out: Message[] = []
    const seen = new Set<string>()
    for (const m of messages) {
      if (m.state !== 'queued') {
        if (fifo && m.state === 'in-flight') seen.add(m.group)
        continue
      }
      if (fifo) {
        // Fact 31: one group's messages in order, none while one of the group is in flight.
        if (seen.has(m.group) || busyGroups.has(m.group)) continue
        if (m.visibleAt > t) {
          seen.add(m.group)
          continue
        }
      } else if (m.visibleAt > t) continue
      out.push(m)
    }
    return out
  }

  function nextStart(): number {
    if (inflight.length >= concurrency) return Infinity
    let first = Infinity
    const times: number[] = []
    for (const m of messages) if (m.state === 'queued') times.push(Math.max(now, m.visibleAt))
    if (times.length === 0) return Infinity
    times.sort((a, b) => a - b)
    first = times[0] as number
    // FIFO: the head of a blocked group may not be deliverable yet; candidates() decides at that time.
    if (windowS === 0) return first
    const full = times[batchSize - 1]
    return Math.min(first + windowS * 1000, full ?? Infinity)
  }

  const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex')
  const toRecord = (m: Message): SQSRecord =>
    m.template !== undefined
      ? {
          ...m.template,
          receiptHandle: `${ids().replaceAll('-', '')}${m.receives}`,
          attributes: { ...m.template.attributes, ApproximateReceiveCount: String(m.receives), ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? now) },
        }
      : fresh(m)
  const fresh = (m: Message): SQSRecord => ({
    messageId: m.id,
    receiptHandle: `${ids().replaceAll('-', '')}${m.receives}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receives),
      SentTimestamp: String(m.sentAt),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? now),
      ...(fifo ? { SequenceNumber: String(18849496460467696128n + BigInt(m.seq)), MessageGroupId: m.group, MessageDeduplicationId: md5(m.body) } : {}),
    },
    messageAttributes: {},
    md5OfBody: md5(m.body),
    eventSource: 'aws:sqs',
    eventSourceARN: arn,
    awsRegion: 'us-east-1',
  })

  const duration = o.durationMs ?? 0
  let count = 0
  for (;;) {
    const tStart = nextStart()
    const done = inflight.reduce((min, f) => Math.min(min, f.end), Infinity)
    if (done === Infinity && tStart === Infinity) break
    if (done <= tStart) {
      const i = inflight.findIndex((f) => f.end === done)
      now = done
      ;(inflight.splice(i, 1)[0] as { apply: () => void }).apply()
      continue
    }
    now = tStart
    const batch: Message[] = []
    for (const m of candidates(now)) {
      if (batch.length === batchSize) break
      if (m.receives >= maxReceive) {
        // Fact 51, §11.8: the redrive policy moves it instead of delivering it again.
        m.state = 'dead-lettered'
        deadLetters.push({ messageId: m.id, body: m.body, receiveCount: m.receives })
        continue
      }
      batch.push(m)
    }
    if (batch.length === 0) {
      // Everything visible went to the DLQ, or a FIFO group is blocked: wait for the next change.
      const later = messages.filter((m) => m.state === 'queued' && m.visibleAt > now).reduce((min, m) => Math.min(min, m.visibleAt), Infinity)
      if (later === Infinity && inflight.length === 0) {
        if (messages.some((m) => m.state === 'queued')) throw new Error('internal: queued messages that can never be delivered')
        break
      }
      const nextEnd = inflight.reduce((min, f) => Math.min(min, f.end), Infinity)
      if (later < nextEnd) now = later
      else {
        const i = inflight.findIndex((f) => f.end === nextEnd)
        now = nextEnd
        ;(inflight.splice(i, 1)[0] as { apply: () => void }).apply()
      }
      continue
    }
    if (++count > maxInvocations) configError(NAME, `stopped after ${maxInvocations} invocations: messages keep failing. Set \`maxReceiveCount\` (a redrive policy) or raise \`maxInvocations\`.`)
    for (const m of batch) {
      m.receives++
      m.deliveries++
      m.firstReceiveAt ??= now
      m.state = 'in-flight'
      m.visibleAt = now + vt
      if (fifo) busyGroups.add(m.group)
    }
    const event: SQSEvent = { Records: batch.map(toRecord) }
    const batchIds = batch.map((m) => m.id)
    const durationMs = typeof duration === 'function' ? duration(event) : duration
    const requestId = ids()
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: o.functionName ?? 'simulated-function',
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn,
      memoryLimitInMB: '1024',
      awsRequestId: requestId,
      logGroupName: '/aws/lambda/simulated-function',
      logStreamName: 'simulated',
      getRemainingTimeInMillis: () => timeoutMs,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    }
    let response: unknown
    let error: Error | undefined
    try {
      response = await handler(event, context)
    } catch (e) {
      error = toError(e)
    }
    const timedOut = durationMs > timeoutMs
    const v = timedOut || error !== undefined ? { failed: 'all' as const, malformed: false, ignored: [] } : sqsVerdict(response, batchIds, rbif)
    const index = invocations.length
    invocations.push({
      index,
      at: new Date(now).toISOString(),
      shardId: queue,
      lane: 0,
      trigger: 'receive',
      attempt: Math.max(...batch.map((m) => m.receives)),
      records: batchIds,
      event,
      ...(timedOut || error !== undefined ? {} : { response }),
      ...(timedOut ? { error: { name: 'TimeoutError', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } } : error !== undefined ? { error: { name: error.name, message: error.message } } : {}),
      durationMs: timedOut ? timeoutMs : durationMs,
      result: timedOut ? 'timeout' : error !== undefined ? 'error' : v.malformed ? 'malformed-response' : v.failed.length > 0 ? 'partial' : 'success',
      ...(v.ignored.length > 0 ? { ignoredBatchItemFailures: v.ignored } : {}),
    })
    if (v.ignored.length > 0) {
      ignoredResponses.push({ invocation: index, ids: [...v.ignored] })
      for (const m of batch) if (v.ignored.includes(m.id)) m.reportedButIgnored = true
    }
    if (o.onInvocation !== undefined) o.onInvocation(invocations[index] as InvocationReport, messages.filter((m) => m.state === 'deleted' || m.state === 'dead-lettered').length)
    const end = now + (timedOut ? timeoutMs : durationMs)
    inflight.push({
      end,
      apply: () => {
        for (const m of batch) {
          if (fifo) busyGroups.delete(m.group)
          // Facts 48 and 52: failed messages stay and reappear when their visibility timeout ends; the rest are deleted.
          if (v.failed === 'all' || v.failed.includes(m.id)) m.state = 'queued'
          else m.state = 'deleted'
        }
      },
    })
  }

  const outcomes: RecordReport[] = messages.map((m) => ({
    id: m.id,
    shardId: queue,
    key: m.group,
    deliveries: m.deliveries,
    fate: m.state === 'deleted' ? 'succeeded' : m.state === 'dead-lettered' ? 'dead-lettered' : m.state === 'filtered' ? 'filtered' : 'pending',
    ...(m.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
    ...(m.filteredBecause === undefined ? {} : { filteredBecause: m.filteredBecause }),
  }))
  return {
    invocations,
    outcomes,
    shards: [],
    failureDestination: [],
    deadLetters,
    costly: {
      discardedBehindFailure: [],
      ignoredPartialResponses: ignoredResponses,
      duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
    },
    assumptions: SQS_ASSUMPTIONS,
    endedAt: new Date(now).toISOString(),
  }
}
