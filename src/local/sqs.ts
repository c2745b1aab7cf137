/**
 * The SQS event source mapping on a virtual clock: up to `MaximumConcurrency` pollers receive
 * batches and the function's answers settle them, by the rules of `sqs-rules.ts` (visibility,
 * redrive, FIFO groups; the batching window and the reading of a response shared with streams).
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda'
import { createHash } from 'node:crypto'
import { describeValue } from '../engine/options.js'
import { compileFilterVerdict, type FilterCriteria } from '../filtering/filter.js'
import { lambdaContext } from '../testing/context.js'
import { answerReport, callVerdict, receiveReport, requestIds, sqsCollateral, virtualCaller, type Caller } from './invocation.js'
import type { InvocationReport, MappingReport, RecordReport } from './report.js'
import {
  checkSettings,
  configError,
  maximumConcurrency,
  QUEUE_SIMULATION_SETTINGS,
  SIMULATION_CLOCK_SETTINGS,
  SQS_MAPPING_SETTINGS,
  timeAfter,
  wholeNumber,
  type SettingsTable,
  type SqsMappingSettings,
} from './settings.js'
import {
  createQueue,
  failedBy,
  nextReceiveAt,
  nextVisibleAt,
  receive,
  settleReceive,
  sqsVerdict,
  type Queue,
  type QueuedMessage,
  type QueueSettings,
} from './sqs-rules.js'

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
export interface SqsSimulation extends SqsMappingSettings {
  readonly source: 'sqs'
  /** Messages to send, or SQS records built by a test kit (their body, messageId and group are kept). */
  readonly records: readonly (SqsSend | SQSRecord)[] | SQSEvent
  /** A FIFO queue (`.fifo`). Default false. */
  readonly fifo?: boolean
  /** The queue's `VisibilityTimeout` in seconds, 0–43,200. Default 30. Must be at least the function timeout. */
  readonly visibilityTimeoutSeconds?: number
  /** The queue's redrive policy `maxReceiveCount`, 1–1,000. Without it, a failing message comes back until it succeeds (`maxInvocations` guards). */
  readonly maxReceiveCount?: number
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
}

/** The choices the SQS simulation makes where AWS's behaviour is not documented. */
export const SQS_ASSUMPTIONS: readonly string[] = [
  'Without ScalingConfig.MaximumConcurrency, at most 5 invocations run at once (Lambda starts at 5 and scales up; scaling is not simulated).',
  'A message is moved to the dead-letter queue when it would be received for the (maxReceiveCount + 1)th time, so the function runs exactly maxReceiveCount times, as AWS was seen to do.',
  'Standard queues deliver visible messages oldest first; real SQS may regroup and reorder them.',
  'A batching window opens when the last invocation to end ended (or, after a window that ended empty, when the next message arrives); the wait of up to 20 seconds AWS allows itself under low traffic is not simulated.',
  'Stream-only settings (BisectBatchOnFunctionError, MaximumRetryAttempts, MaximumRecordAgeInSeconds, ParallelizationFactor) are refused for SQS; AWS does not document whether it refuses or ignores them.',
]

const NAME = 'simulate'
const STREAM_ONLY = [
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'ParallelizationFactor',
  'StartingPosition',
  'StartingPositionTimestamp',
  'shards',
  'streamName',
  'retentionHours',
  'retryDelayMs',
  'DestinationConfig',
  'TumblingWindowInSeconds',
]
const REGION = 'us-east-1'
const ACCOUNT = '123456789012'

/** The options of an SQS simulation; a FIFO queue takes at most 10 messages a batch. */
const sqsSimulationSettings = (fifo: boolean): SettingsTable => ({
  ...SIMULATION_CLOCK_SETTINGS,
  ...QUEUE_SIMULATION_SETTINGS,
  ...SQS_MAPPING_SETTINGS,
  BatchSize: wholeNumber(1, fifo ? 10 : 10_000),
  timeoutSeconds: wholeNumber(1, 900),
})

/** The simulation's settings, checked, with the queue's in milliseconds. */
interface SqsRun extends QueueSettings {
  readonly timeoutMs: number
  readonly concurrency: number
  readonly maxInvocations: number
  readonly startMs: number
  readonly queueName: string
  readonly queueArn: string
  readonly functionName: string
}

/** Checks the options as Lambda and SQS check them when the queue and the mapping are created. */
export function sqsRunSettings(o: SqsSimulation): SqsRun {
  const stray = Object.keys(o).filter((k) => STREAM_ONLY.includes(k))
  if (stray.length > 0)
    configError(
      NAME,
      `${stray.map((k) => `\`${k}\``).join(', ')} ${stray.length > 1 ? 'are' : 'is a'} stream setting${stray.length > 1 ? 's' : ''} with no SQS equivalent; use the queue's \`maxReceiveCount\` and dead-letter queue.`,
    )
  const given = Array.isArray(o.records) ? o.records : ((o.records as { Records?: unknown } | undefined)?.Records ?? [])
  // Records built as FIFO (they carry a MessageGroupId) make the queue FIFO unless told otherwise.
  const fifo =
    o.fifo ?? (Array.isArray(given) && given.some((r) => typeof (r as SQSRecord | null)?.attributes?.MessageGroupId === 'string'))
  checkSettings(NAME, o, sqsSimulationSettings(fifo))
  const windowS = o.MaximumBatchingWindowInSeconds ?? 0
  const batchSize = o.BatchSize ?? 10
  if (fifo && windowS > 0) configError(NAME, '`MaximumBatchingWindowInSeconds` is not supported for FIFO queues.')
  if (batchSize > 10 && windowS === 0)
    configError(NAME, '`BatchSize` above 10 needs `MaximumBatchingWindowInSeconds` of at least 1, as AWS requires.')
  const visibilityMs = (o.visibilityTimeoutSeconds ?? 30) * 1000
  const timeoutMs = (o.timeoutSeconds ?? 3) * 1000
  if (timeoutMs > visibilityMs) {
    configError(
      NAME,
      `the function timeout (${timeoutMs / 1000} s) must not exceed the queue's visibility timeout (${visibilityMs / 1000} s), as Lambda checks when the mapping is created.`,
    )
  }
  const concurrency = maximumConcurrency(NAME, o.ScalingConfig)
  const queueName = `simulated-queue${fifo ? '.fifo' : ''}`
  return {
    fifo,
    batchSize,
    windowMs: windowS * 1000,
    visibilityMs,
    maxReceive: o.maxReceiveCount ?? Infinity,
    reportBatchItemFailures: (o.FunctionResponseTypes ?? []).length === 1,
    timeoutMs,
    concurrency,
    maxInvocations: o.maxInvocations ?? 100_000,
    startMs: o.start?.getTime() ?? Date.UTC(2026, 0, 1),
    queueName,
    queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
    functionName: o.functionName ?? 'simulated-function',
  }
}

/** The messages sent, in the order the queue holds them: by send time, then as given. */
function queueMessages(records: SqsSimulation['records'], q: SqsRun, nextId: () => string): QueuedMessage[] {
  const list = Array.isArray(records) ? records : (records as { Records?: unknown } | undefined)?.Records
  if (!Array.isArray(list))
    configError(NAME, `\`records\` must be an array of messages or an event with \`Records\`; received ${describeValue(records)}.`)
  const messages: QueuedMessage[] = (list as (SqsSend | SQSRecord)[]).map((m, seq) => {
    if (typeof m !== 'object' || m === null)
      configError(
        NAME,
        `records[${seq}] must be a message \`{ body, messageGroupId?, at? }\` or a Lambda SQS record; received ${describeValue(m)}.`,
      )
    const built = (m as SQSRecord).eventSource === 'aws:sqs' ? (m as SQSRecord) : undefined
    const send = m as SqsSend
    const body = built !== undefined ? built.body : typeof send.body === 'string' ? send.body : JSON.stringify(send.body)
    if (typeof body !== 'string') configError(NAME, `message ${seq} has no body that can be sent.`)
    const group = built?.attributes.MessageGroupId ?? send.messageGroupId ?? ''
    if (q.fifo && group === '') configError(NAME, `message ${seq} needs a \`messageGroupId\`: the queue is FIFO.`)
    const sentAt =
      built !== undefined
        ? timeAfter(NAME, `records[${seq}].attributes.SentTimestamp`, 0, Number(built.attributes?.SentTimestamp))
        : timeAfter(NAME, `records[${seq}].at`, q.startMs, send.at ?? 0)
    const message: QueuedMessage = {
      ...(built === undefined ? {} : { template: built }),
      id: built?.messageId ?? nextId(),
      body,
      group,
      sentAt,
      seq,
      bytes: 0,
      visibleAt: sentAt,
      receives: 0,
      state: 'queued',
      deliveries: 0,
    }
    // Its size as delivered, with a receipt handle and counts of the lengths the simulator gives them.
    const delivered = sqsRecord({ ...message, receives: 1, firstReceiveAt: sentAt }, RECEIPT_HANDLE, q)
    return { ...message, bytes: Buffer.byteLength(JSON.stringify(delivered), 'utf8') }
  })
  return messages.sort((a, b) => a.sentAt - b.sentAt || a.seq - b.seq)
}

// Fact 81.
/** Event filtering on the body: a message no filter matches is deleted before it reaches the function. */
function filterMessages(messages: readonly QueuedMessage[], criteria: FilterCriteria, q: SqsRun): void {
  const accept = compileFilterVerdict(criteria, 'sqs')
  for (const m of messages) {
    const verdict = accept({
      ...m.template,
      messageId: m.id,
      body: m.body,
      eventSource: 'aws:sqs',
      eventSourceARN: q.queueArn,
      awsRegion: REGION,
    })
    if (verdict !== true) m.state = 'filtered'
    if (typeof verdict === 'string') m.filteredBecause = verdict
  }
}

/** As long as the receipt handles `invoke` makes: an id without its dashes and the receive count. */
const RECEIPT_HANDLE = 'x'.repeat(33)

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex')

/** A received message as Lambda puts it in the event. */
function sqsRecord(m: QueuedMessage, receiptHandle: string, q: SqsRun): SQSRecord {
  const firstReceive = String(m.firstReceiveAt)
  if (m.template !== undefined) {
    return {
      ...m.template,
      receiptHandle,
      attributes: { ...m.template.attributes, ApproximateReceiveCount: String(m.receives), ApproximateFirstReceiveTimestamp: firstReceive },
    }
  }
  return {
    messageId: m.id,
    receiptHandle,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receives),
      SentTimestamp: String(m.sentAt),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: firstReceive,
      ...(q.fifo
        ? { SequenceNumber: String(18849496460467696128n + BigInt(m.seq)), MessageGroupId: m.group, MessageDeduplicationId: md5(m.body) }
        : {}),
    },
    messageAttributes: {},
    md5OfBody: md5(m.body),
    eventSource: 'aws:sqs',
    eventSourceARN: q.queueArn,
    awsRegion: REGION,
  }
}

/** The simulation's state on the virtual clock. */
interface SqsState extends Queue {
  readonly q: SqsRun
  readonly nextId: () => string
  readonly call: Caller
  readonly invocations: InvocationReport[]
  /** Invocations running, each with when it ends and what it does to the queue then. */
  readonly inflight: { end: number; apply: () => void }[]
  readonly deadLetters: { messageId: string; body: string; receiveCount: number }[]
  readonly ignoredResponses: { invocation: number; ids: string[] }[]
  /** Failed messages: true while each failure was only collateral (an earlier message of the group failed). */
  readonly behindOnly: Map<string, boolean>
  now: number
  /** When the last invocation ended: the next batching window opens then. */
  lastEnd: number
}

/** When the first running invocation ends, or `Infinity`. */
const firstEnd = (st: SqsState): number => st.inflight.reduce((min, f) => Math.min(min, f.end), Infinity)

/** Ends the invocation that finishes first: its messages are deleted or come back. */
function finishFirst(st: SqsState): void {
  const end = firstEnd(st)
  const i = st.inflight.findIndex((f) => f.end === end)
  st.now = end
  st.lastEnd = end
  ;(st.inflight.splice(i, 1)[0] as { apply: () => void }).apply()
}

/** Invokes the function with a received batch, reports it, and schedules what its answer does to the queue. */
async function invoke(st: SqsState, batch: readonly QueuedMessage[]): Promise<InvocationReport> {
  const { q } = st
  const at = st.now
  const event: SQSEvent = { Records: batch.map((m) => sqsRecord(m, `${st.nextId().replaceAll('-', '')}${m.receives}`, q)) }
  const ids = batch.map((m) => m.id)
  const context = lambdaContext({ timeoutMs: q.timeoutMs, now: () => at, awsRequestId: st.nextId(), functionName: q.functionName })
  const result = await st.call(event, context)
  const verdict = callVerdict(result) ?? sqsVerdict(result.response, ids, q.reportBatchItemFailures)
  const index = st.invocations.length
  const answer = answerReport(result, verdict, q.timeoutMs)
  const invocation = receiveReport(index, at, q.queueName, Math.max(...batch.map((m) => m.receives)), event, answer)
  st.invocations.push(invocation)
  const ignored = answer.ignoredBatchItemFailures ?? []
  if (ignored.length > 0) {
    st.ignoredResponses.push({ invocation: index, ids: [...ignored] })
    for (const m of batch) if (ignored.includes(m.id)) m.reportedButIgnored = true
  }
  const behind = sqsCollateral(batch, verdict, result.error, q.fifo)
  for (const m of batch) if (failedBy(verdict, m.id)) st.behindOnly.set(m.id, (st.behindOnly.get(m.id) ?? true) && behind.has(m.id))
  st.inflight.push({ end: at + result.durationMs, apply: () => settleReceive(st, batch, verdict, q) })
  return invocation
}

/** Runs the SQS simulation (see `simulate`). */
export async function simulateSqs(handler: (event: SQSEvent, context: Context) => unknown, o: SqsSimulation): Promise<MappingReport> {
  const q = sqsRunSettings(o)
  const nextId = requestIds(o.seed ?? 1)
  const messages = queueMessages(o.records, q, nextId)
  if (o.FilterCriteria !== undefined) filterMessages(messages, o.FilterCriteria, q)
  const st: SqsState = {
    q,
    ...createQueue(messages),
    nextId,
    call: virtualCaller(handler, (o.durationMs ?? 0) as number | ((event: never) => number), q.timeoutMs),
    invocations: [],
    inflight: [],
    deadLetters: [],
    ignoredResponses: [],
    behindOnly: new Map(),
    now: q.startMs,
    lastEnd: -Infinity,
  }
  let count = 0
  for (;;) {
    const receiveAt = st.inflight.length >= q.concurrency ? Infinity : nextReceiveAt(st, st.now, q, st.lastEnd)
    const done = firstEnd(st)
    if (done === Infinity && receiveAt === Infinity) break
    if (done <= receiveAt) {
      finishFirst(st)
      continue
    }
    st.now = receiveAt
    const { batch, deadLettered } = receive(st, st.now, q)
    for (const m of deadLettered) st.deadLetters.push({ messageId: m.id, body: m.body, receiveCount: m.receives })
    if (batch.length === 0) {
      // Everything visible went to the DLQ, or a FIFO group is blocked: wait for the next change.
      const later = nextVisibleAt(st, st.now)
      if (later === Infinity && st.inflight.length === 0) {
        if (messages.some((m) => m.state === 'queued')) throw new Error('internal: queued messages that can never be delivered')
        break
      }
      if (later < firstEnd(st)) st.now = later
      else finishFirst(st)
      continue
    }
    if (++count > q.maxInvocations)
      configError(
        NAME,
        st.invocations.some((i) => i.result !== 'success')
          ? `stopped after ${q.maxInvocations} invocations: messages keep failing. Set \`maxReceiveCount\` (a redrive policy) or raise \`maxInvocations\`.`
          : `stopped after ${q.maxInvocations} invocations with messages still to deliver; raise \`maxInvocations\`.`,
      )
    const invocation = await invoke(st, batch)
    o.onInvocation?.(invocation, st.settled)
  }
  return sqsReport(st)
}

/** The report: every message's story, the dead-letter queue, the costly cases. */
function sqsReport(st: SqsState): MappingReport {
  const outcomes: RecordReport[] = st.messages.map((m) => ({
    id: m.id,
    shardId: st.q.queueName,
    key: m.group,
    deliveries: m.deliveries,
    arrivedAt: new Date(m.sentAt).toISOString(),
    fate:
      m.state === 'deleted' ? 'succeeded' : m.state === 'dead-lettered' ? 'dead-lettered' : m.state === 'filtered' ? 'filtered' : 'pending',
    ...(m.state === 'dead-lettered' && st.behindOnly.get(m.id) === true ? { discardedBehindFailure: true } : {}),
    ...(m.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
    ...(m.filteredBecause === undefined ? {} : { filteredBecause: m.filteredBecause }),
  }))
  return {
    invocations: st.invocations,
    outcomes,
    shards: [],
    failureDestination: [],
    deadLetters: st.deadLetters,
    costly: {
      discardedBehindFailure: outcomes.filter((r) => r.discardedBehindFailure === true).map((r) => r.id),
      ignoredPartialResponses: st.ignoredResponses,
      duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
      lostWindows: [],
    },
    assumptions: SQS_ASSUMPTIONS,
    endedAt: new Date(st.now).toISOString(),
  }
}
