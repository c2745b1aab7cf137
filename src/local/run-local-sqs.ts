import type { Message, SQSClient } from '@aws-sdk/client-sqs'
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { toError } from '../engine/outcome.js'
import { compileFilter, type FilterCriteria, type RecordFilter } from '../filtering/filter.js'
import { lambdaContext } from '../testing/context.js'
import { checkClient, type SdkClient } from './client.js'
import { answerReport, callVerdict, realCaller, receiveReport, type Caller } from './invocation.js'
import type { InvocationReport, MappingReport, RecordReport } from './report.js'
import {
  checkSettings,
  configError,
  LOCAL_RUN_SETTINGS,
  maximumConcurrency,
  RESPONSE_TYPES,
  wholeNumber,
  type SettingsTable,
} from './settings.js'
import { failedBy, sqsVerdict } from './sqs-rules.js'
import { loadSdk, sleep, type LocalRun } from './stream-runner.js'

/** Options of {@link runLocal} for an SQS queue. */
export interface SqsLocalOptions {
  readonly source: 'sqs'
  /** The SQS client to poll with. */
  readonly client: SdkClient
  /** The queue's URL (as CreateQueue or GetQueueUrl give it). */
  readonly queueUrl: string
  /** 1–10 here (one ReceiveMessage call per batch). Default 10. */
  readonly BatchSize?: number
  /** `['ReportBatchItemFailures']` to let the runner read `batchItemFailures`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /** Concurrent pollers (each one batch at a time), 2–1,000. Default 5: Lambda starts with 5. */
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number }
  /** The function's timeout in seconds. Default 3. */
  readonly timeoutSeconds?: number
  /** How long a poller waits after an empty receive. Default 1000 ms. */
  readonly pollIntervalMs?: number
  /** Stops the run when aborted, as `stop()` does. */
  readonly signal?: AbortSignal
  /**
   * The mapping's filters: a message that matches none is deleted without reaching the function
   * and ends `filtered`.
   */
  readonly FilterCriteria?: FilterCriteria
  /** Called after each invocation, for progress. */
  readonly onInvocation?: (invocation: InvocationReport) => void
  /** Where receive and delete errors are logged. Default: the default logger (JSON lines, at `LOG_LEVEL`). */
  readonly logger?: RecordLogger
}

const NAME = 'runLocal'
/** The options of an SQS run. */
const SQS_RUN_SETTINGS: SettingsTable = {
  ...LOCAL_RUN_SETTINGS,
  queueUrl: null,
  BatchSize: wholeNumber(1, 10, ' here'),
  FunctionResponseTypes: RESPONSE_TYPES,
  ScalingConfig: null,
  timeoutSeconds: wholeNumber(1, 900),
  FilterCriteria: null,
}

/**
 * An SQS message as `ReceiveMessage` of `@aws-sdk/client-sqs` returns it (its `Message`), as far as
 * {@link lambdaSqsRecord} reads it: typed by shape, so that this package's types do not need the SDK.
 */
export interface SqsApiMessage {
  readonly MessageId?: string | undefined
  readonly ReceiptHandle?: string | undefined
  readonly Body?: string | undefined
  readonly MD5OfBody?: string | undefined
  readonly MD5OfMessageAttributes?: string | undefined
  readonly Attributes?: Partial<Record<string, string>> | undefined
  readonly MessageAttributes?:
    | Record<
        string,
        { readonly StringValue?: string | undefined; readonly BinaryValue?: Uint8Array | undefined; readonly DataType: string | undefined }
      >
    | undefined
}

/**
 * An SQS message (as `ReceiveMessage` returns it) as Lambda's poller puts it in the event:
 * camelCase attributes, base64 binary, `md5OfMessageAttributes` null when there are none.
 *
 * @example
 * ```ts
 * const event: SQSEvent = { Records: messages.map((m) => lambdaSqsRecord(m, queueArn)) }
 * ```
 */
export function lambdaSqsRecord(m: SqsApiMessage, queueArn: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {}
  for (const [name, a] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(a.StringValue === undefined ? {} : { stringValue: a.StringValue }),
      ...(a.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(a.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.DataType ?? 'String',
    }
  }
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes: (m.Attributes ?? {}) as unknown as SQSRecord['attributes'],
    messageAttributes,
    md5OfBody: m.MD5OfBody ?? '',
    // Observed on AWS: null, not absent, when the message has no attributes (fact 10).
    md5OfMessageAttributes: (m.MD5OfMessageAttributes ?? null) as string,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  }
}

/** A local SQS run: its client and settings, what it has seen so far, and how to stop it. */
interface SqsPollers {
  readonly sdk: typeof import('@aws-sdk/client-sqs')
  readonly client: SQSClient
  readonly queueUrl: string
  readonly arn: string
  /** The redrive policy's `maxReceiveCount`; `Infinity` without one. */
  readonly maxReceive: number
  readonly batchSize: number
  readonly pollers: number
  readonly timeoutMs: number
  readonly pollIntervalMs: number
  readonly reportBatchItemFailures: boolean
  readonly logger: RecordLogger
  readonly accept: RecordFilter | undefined
  readonly call: Caller
  readonly onInvocation: ((invocation: InvocationReport) => void) | undefined
  readonly stopping: AbortController
  readonly entries: Map<string, { id: string; key: string; deliveries: number; fate?: RecordReport['fate']; reportedButIgnored?: boolean }>
  readonly invocations: InvocationReport[]
  readonly ignored: { invocation: number; ids: string[] }[]
  idleWaiters: (() => void)[]
  emptyPolls: number
  busy: number
}

/** The SQS side of `runLocal`: receive, invoke, delete what succeeded; the queue does visibility and redrive. */
export async function runLocalSqs(handler: (event: SQSEvent, context: Context) => unknown, o: SqsLocalOptions): Promise<LocalRun> {
  checkSettings(NAME, o, SQS_RUN_SETTINGS)
  checkClient(NAME, o.client, 'SQS', 'an SQSClient from @aws-sdk/client-sqs')
  if (typeof o.queueUrl !== 'string' || o.queueUrl === '') configError(NAME, '`queueUrl` must be the queue URL.')
  const pollers = maximumConcurrency(NAME, o.ScalingConfig)
  const timeoutMs = (o.timeoutSeconds ?? 3) * 1000
  const sdk = await loadSdk('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs'))
  const client = o.client as unknown as SQSClient
  const queue = await queueAttributes(sdk, client, o.queueUrl, timeoutMs)
  const st: SqsPollers = {
    sdk,
    client,
    queueUrl: o.queueUrl,
    ...queue,
    batchSize: o.BatchSize ?? 10,
    pollers,
    timeoutMs,
    pollIntervalMs: o.pollIntervalMs ?? 1000,
    reportBatchItemFailures: (o.FunctionResponseTypes ?? []).length === 1,
    logger: o.logger ?? quietLogger,
    accept: o.FilterCriteria === undefined ? undefined : compileFilter(o.FilterCriteria, 'sqs'),
    call: realCaller(handler, timeoutMs),
    onInvocation: o.onInvocation,
    stopping: new AbortController(),
    entries: new Map(),
    invocations: [],
    ignored: [],
    idleWaiters: [],
    emptyPolls: 0,
    busy: 0,
  }
  const running = Array.from({ length: pollers }, () => poll(st))
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      st.stopping.abort()
      await Promise.all(running)
      for (const w of st.idleWaiters.splice(0)) w()
      return sqsRunReport(st)
    })())
  o.signal?.addEventListener('abort', () => void stop(), { once: true })
  return {
    stop,
    report: () => sqsRunReport(st),
    idle: () => new Promise<void>((resolve) => st.idleWaiters.push(resolve)),
  }
}

// Fact 50: Lambda refuses a function timeout above the queue's visibility timeout.
/** The queue's ARN and redrive policy; refuses a function timeout above the visibility timeout, as Lambda does. */
async function queueAttributes(
  sdk: SqsPollers['sdk'],
  client: SQSClient,
  queueUrl: string,
  timeoutMs: number,
): Promise<{ arn: string; maxReceive: number }> {
  const attrs =
    (
      await client.send(
        new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy', 'VisibilityTimeout'] }),
      )
    ).Attributes ?? {}
  const maxReceive =
    attrs.RedrivePolicy === undefined
      ? Infinity
      : Number((JSON.parse(attrs.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount ?? Infinity)
  if (Number(attrs.VisibilityTimeout ?? 30) * 1000 < timeoutMs) {
    configError(
      NAME,
      `the function timeout must not exceed the queue's visibility timeout (${attrs.VisibilityTimeout} s), as Lambda checks when the mapping is created.`,
    )
  }
  return { arn: attrs.QueueArn ?? queueUrl, maxReceive }
}

/** One poller: receive, drop what the filters refuse, invoke, until the run stops. */
async function poll(st: SqsPollers): Promise<void> {
  while (!st.stopping.signal.aborted) {
    let messages = await receiveMessages(st)
    if (messages === undefined) return
    if (st.accept !== undefined && messages.length > 0) messages = await dropFiltered(st, messages)
    if (messages.length === 0) {
      st.emptyPolls++
      if (st.busy === 0 && st.emptyPolls >= st.pollers) for (const w of st.idleWaiters.splice(0)) w()
      await sleep(st.pollIntervalMs, st.stopping.signal)
      continue
    }
    st.emptyPolls = 0
    st.busy++
    const invocation = await invokeBatch(st, messages)
    st.busy--
    st.onInvocation?.(invocation)
  }
}

/** One `ReceiveMessage`; a failed one is logged and counts as empty. Undefined once the run stops. */
async function receiveMessages(st: SqsPollers): Promise<Message[] | undefined> {
  try {
    const out = await st.client.send(
      new st.sdk.ReceiveMessageCommand({
        QueueUrl: st.queueUrl,
        MaxNumberOfMessages: st.batchSize,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: st.stopping.signal },
    )
    return out.Messages ?? []
  } catch (e) {
    if (st.stopping.signal.aborted) return undefined
    st.logger.warn(`runLocal: ReceiveMessage failed: ${toError(e).message}; trying again.`)
    return []
  }
}

/** Deletes messages, 10 a call; a failed delete is logged, and those messages will come back. */
async function deleteAll(st: SqsPollers, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10)
    try {
      await st.client.send(
        new st.sdk.DeleteMessageBatchCommand({
          QueueUrl: st.queueUrl,
          Entries: chunk.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      )
    } catch (e) {
      st.logger.warn(`runLocal: DeleteMessageBatch failed: ${toError(e).message}; those messages will come back.`)
    }
  }
}

// Fact 81: Lambda deletes the messages no filter matches; they never reach the function.
async function dropFiltered(st: SqsPollers, messages: Message[]): Promise<Message[]> {
  const kept: Message[] = []
  const dropped: Message[] = []
  for (const m of messages) (st.accept?.(lambdaSqsRecord(m, st.arn)) === false ? dropped : kept).push(m)
  if (dropped.length > 0) {
    await deleteAll(st, dropped)
    for (const m of dropped) {
      const id = m.MessageId ?? ''
      st.entries.set(id, { id, key: m.Attributes?.MessageGroupId ?? '', deliveries: 0, fate: 'filtered' })
    }
  }
  return kept
}

/** Invokes the function with received messages, deletes what succeeded and writes down each message's fate. */
async function invokeBatch(st: SqsPollers, messages: readonly Message[]): Promise<InvocationReport> {
  const event: SQSEvent = { Records: messages.map((m) => lambdaSqsRecord(m, st.arn)) }
  const ids = event.Records.map((r) => r.messageId)
  for (const r of event.Records) {
    const e = st.entries.get(r.messageId) ?? { id: r.messageId, key: r.attributes.MessageGroupId ?? '', deliveries: 0 }
    e.deliveries++
    st.entries.set(r.messageId, e)
  }
  const started = Date.now()
  const result = await st.call(event, lambdaContext({ timeoutMs: st.timeoutMs }))
  const verdict = callVerdict(result) ?? sqsVerdict(result.response, ids, st.reportBatchItemFailures)
  const index = st.invocations.length
  const answer = answerReport(result, verdict, st.timeoutMs)
  const attempt = Math.max(...event.Records.map((r) => Number(r.attributes.ApproximateReceiveCount ?? 1)))
  const invocation = receiveReport(index, started, st.arn, attempt, event, answer)
  st.invocations.push(invocation)
  const ignored = answer.ignoredBatchItemFailures ?? []
  if (ignored.length > 0) st.ignored.push({ invocation: index, ids: [...ignored] })
  const done = messages.filter((m) => !failedBy(verdict, m.MessageId ?? ''))
  // Facts 48, 52: delete what succeeded; failures come back after the visibility timeout.
  await deleteAll(st, done)
  for (const m of messages) {
    const e = st.entries.get(m.MessageId ?? '')
    if (e === undefined) continue
    if (done.includes(m)) {
      e.fate = 'succeeded'
      if (ignored.includes(e.id)) e.reportedButIgnored = true
    } else if (Number(m.Attributes?.ApproximateReceiveCount ?? 1) >= st.maxReceive) e.fate = 'dead-lettered' // the queue's redrive moves it on its next receive (fact 51)
  }
  return invocation
}

/** The report so far. */
function sqsRunReport(st: SqsPollers): MappingReport {
  const outcomes: RecordReport[] = [...st.entries.values()].map((e) => ({
    id: e.id,
    shardId: st.arn,
    key: e.key,
    deliveries: e.deliveries,
    fate: e.fate ?? 'pending',
    ...(e.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
  }))
  return {
    invocations: st.invocations,
    outcomes,
    shards: [],
    failureDestination: [],
    costly: {
      discardedBehindFailure: [],
      ignoredPartialResponses: st.ignored,
      duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
    },
    assumptions: [
      'SQS: the queue applies the visibility timeout and the redrive policy; a message is reported dead-lettered when it failed on its maxReceiveCount-th receive.',
    ],
    endedAt: new Date().toISOString(),
  }
}
