import type { Message, SQSClient } from '@aws-sdk/client-sqs'
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { checkKnownKeys, describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import { compileFilter, type FilterCriteria } from '../filtering/filter.js'
import { lambdaContext } from '../testing/context.js'
import type { InvocationReport, MappingReport, RecordReport } from './report.js'
import { checkClient, type SdkClient } from './client.js'
import { configError } from './settings.js'
import { sqsVerdict } from './sqs.js'
import { loadSdk, type LocalRun } from './stream-runner.js'

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
const KNOWN = new Set(['source', 'client', 'queueUrl', 'BatchSize', 'FunctionResponseTypes', 'ScalingConfig', 'timeoutSeconds', 'pollIntervalMs', 'signal', 'onInvocation', 'logger', 'FilterCriteria'])

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
    | Record<string, { readonly StringValue?: string | undefined; readonly BinaryValue?: Uint8Array | undefined; readonly DataType: string | undefined }>
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

/** The SQS side of `runLocal`: receive, invoke, delete what succeeded; the queue does visibility and redrive. */
export async function runLocalSqs(handler: (event: SQSEvent, context: Context) => unknown, o: SqsLocalOptions): Promise<LocalRun> {
  checkKnownKeys(NAME, o, [...KNOWN])
  checkClient(NAME, o.client, 'SQS', 'an SQSClient from @aws-sdk/client-sqs')
  if (typeof o.queueUrl !== 'string' || o.queueUrl === '') configError(NAME, '`queueUrl` must be the queue URL.')
  const batchSize = o.BatchSize ?? 10
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) configError(NAME, `\`BatchSize\` must be a whole number from 1 to 10 here; received ${describeValue(batchSize)}.`)
  const pollers = o.ScalingConfig?.MaximumConcurrency ?? 5
  if (!Number.isInteger(pollers) || pollers < 2 || pollers > 1000) configError(NAME, `\`ScalingConfig.MaximumConcurrency\` must be from 2 to 1000; received ${describeValue(pollers)}.`)
  const timeoutMs = (o.timeoutSeconds ?? 3) * 1000
  const pollIntervalMs = o.pollIntervalMs ?? 1000
  const rbif = (o.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures')
  const logger = o.logger ?? quietLogger
  const accept = o.FilterCriteria === undefined ? undefined : compileFilter(o.FilterCriteria, 'sqs')
  const sdk = await loadSdk('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs'))
  const { queueUrl } = o
  const client = o.client as unknown as SQSClient
  const attrs = (await client.send(new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy', 'VisibilityTimeout'] }))).Attributes ?? {}
  const arn = attrs.QueueArn ?? queueUrl
  const maxReceive = attrs.RedrivePolicy === undefined ? Infinity : Number((JSON.parse(attrs.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount ?? Infinity)
  if (Number(attrs.VisibilityTimeout ?? 30) * 1000 < timeoutMs) configError(NAME, `the function timeout must not exceed the queue's visibility timeout (${attrs.VisibilityTimeout} s), as Lambda checks when the mapping is created.`)

  const stopping = new AbortController()
  const entries = new Map<string, { id: string; key: string; deliveries: number; fate?: RecordReport['fate']; reportedButIgnored?: boolean }>()
  const invocations: InvocationReport[] = []
  const ignored: { invocation: number; ids: string[] }[] = []
  let idleWaiters: (() => void)[] = []
  let emptyPolls = 0
  let busy = 0

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms)
      function done(): void {
        clearTimeout(t)
        stopping.signal.removeEventListener('abort', done)
        resolve()
      }
      stopping.signal.addEventListener('abort', done)
    })

  async function invoke(event: SQSEvent, context: Context): Promise<{ response?: unknown; error?: Error; timedOut?: boolean }> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)))
    try {
      const r = await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout])
      return r === 'timeout' ? { timedOut: true } : { response: r }
    } catch (e) {
      return { error: toError(e) }
    } finally {
      clearTimeout(timer)
    }
  }

  async function deleteAll(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10)
      try {
        await client.send(new sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle ?? '' })) }))
      } catch (e) {
        logger.warn(`runLocal: DeleteMessageBatch failed: ${toError(e).message}; those messages will come back.`)
      }
    }
  }

  // Fact 81: Lambda deletes the messages no filter matches; they never reach the function.
  async function dropFiltered(messages: Message[]): Promise<Message[]> {
    const kept: Message[] = []
    const dropped: Message[] = []
    for (const m of messages) (accept?.(lambdaSqsRecord(m, arn)) === false ? dropped : kept).push(m)
    if (dropped.length > 0) {
      await deleteAll(dropped)
      for (const m of dropped) {
        const id = m.MessageId ?? ''
        entries.set(id, { id, key: m.Attributes?.MessageGroupId ?? '', deliveries: 0, fate: 'filtered' })
      }
    }
    return kept
  }

  async function poll(): Promise<void> {
    while (!stopping.signal.aborted) {
      let messages: Message[]
      try {
        const out = await client.send(
          new sdk.ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: batchSize, WaitTimeSeconds: 0, AttributeNames: ['All'], MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }),
          { abortSignal: stopping.signal },
        )
        messages = out.Messages ?? []
      } catch (e) {
        if (stopping.signal.aborted) return
        logger.warn(`runLocal: ReceiveMessage failed: ${toError(e).message}; trying again.`)
        messages = []
      }
      if (accept !== undefined && messages.length > 0) messages = await dropFiltered(messages)
      if (messages.length === 0) {
        emptyPolls++
        if (busy === 0 && emptyPolls >= pollers) for (const w of idleWaiters.splice(0)) w()
        await sleep(pollIntervalMs)
        continue
      }
      emptyPolls = 0
      busy++
      const event: SQSEvent = { Records: messages.map((m) => lambdaSqsRecord(m, arn)) }
      const ids = event.Records.map((r) => r.messageId)
      for (const r of event.Records) {
        const e = entries.get(r.messageId) ?? { id: r.messageId, key: r.attributes.MessageGroupId ?? '', deliveries: 0 }
        e.deliveries++
        entries.set(r.messageId, e)
      }
      const started = Date.now()
      const result = await invoke(event, lambdaContext({ timeoutMs }))
      const failedCall = result.timedOut === true || result.error !== undefined
      const v = failedCall ? { failed: 'all' as const, malformed: false, ignored: [] } : sqsVerdict(result.response, ids, rbif)
      const index = invocations.length
      const invocation: InvocationReport = {
        index,
        at: new Date(started).toISOString(),
        shardId: arn,
        lane: 0,
        trigger: 'receive',
        attempt: Math.max(...event.Records.map((r) => Number(r.attributes.ApproximateReceiveCount ?? 1))),
        records: ids,
        event,
        ...(failedCall ? {} : { response: result.response }),
        ...(result.timedOut === true ? { error: { name: 'TimeoutError', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } } : result.error !== undefined ? { error: { name: result.error.name, message: result.error.message } } : {}),
        durationMs: Date.now() - started,
        result: result.timedOut === true ? 'timeout' : result.error !== undefined ? 'error' : v.malformed ? 'malformed-response' : v.failed.length > 0 ? 'partial' : 'success',
        ...(v.ignored.length > 0 ? { ignoredBatchItemFailures: v.ignored } : {}),
      }
      invocations.push(invocation)
      if (v.ignored.length > 0) ignored.push({ invocation: index, ids: [...v.ignored] })
      const done = messages.filter((m) => !(v.failed === 'all' || v.failed.includes(m.MessageId ?? '')))
      // Facts 48, 52: delete what succeeded; failures come back after the visibility timeout.
      await deleteAll(done)
      for (const m of messages) {
        const e = entries.get(m.MessageId ?? '')
        if (e === undefined) continue
        if (done.includes(m)) {
          e.fate = 'succeeded'
          if (v.ignored.includes(e.id)) e.reportedButIgnored = true
        } else if (Number(m.Attributes?.ApproximateReceiveCount ?? 1) >= maxReceive) e.fate = 'dead-lettered' // the queue's redrive moves it on its next receive (fact 51)
      }
      busy--
      o.onInvocation?.(invocation)
    }
  }

  const running = Array.from({ length: pollers }, () => poll())
  const report = (): MappingReport => {
    const outcomes: RecordReport[] = [...entries.values()].map((e) => ({
      id: e.id,
      shardId: arn,
      key: e.key,
      deliveries: e.deliveries,
      fate: e.fate ?? 'pending',
      ...(e.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
    }))
    return {
      invocations,
      outcomes,
      shards: [],
      failureDestination: [],
      costly: { discardedBehindFailure: [], ignoredPartialResponses: ignored, duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })) },
      assumptions: ['SQS: the queue applies the visibility timeout and the redrive policy; a message is reported dead-lettered when it failed on its maxReceiveCount-th receive.'],
      endedAt: new Date().toISOString(),
    }
  }
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      stopping.abort()
      await Promise.all(running)
      for (const w of idleWaiters.splice(0)) w()
      return report()
    })())
  o.signal?.addEventListener('abort', () => void stop(), { once: true })
  return {
    stop,
    report,
    idle: () => new Promise<void>((resolve) => idleWaiters.push(resolve)),
  }
}
