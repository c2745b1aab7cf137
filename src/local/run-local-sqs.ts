import type { Message, SQSClient } from '@aws-sdk/client-sqs'
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { toError } from '../engine/outcome.js'
import { compileFilter, type FilterCriteria, type RecordFilter } from '../filtering/filter.js'
import { lambdaContext } from '../testing/context.js'
import { checkClient, type SdkClient } from './client.js'
import { answerReport, callVerdict, realCaller, receiveReport, sqsCollateral, type Caller } from './invocation.js'
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
import { EVENT_OVERHEAD_BYTES, PAYLOAD_LIMIT_BYTES } from './rules.js'
import { failedBy, sqsVerdict } from './sqs-rules.js'
import { idleWithin, loadSdk, sleep, type LocalRun } from './stream-runner.js'

/** Options of {@link runLocal} for an SQS queue. */
export interface SqsLocalOptions {
  readonly source: 'sqs'
  /** The SQS client to poll with. */
  readonly client: SdkClient
  /** The queue's URL (as CreateQueue or GetQueueUrl give it). */
  readonly queueUrl: string
  /**
   * Default 10. Up to 10 on a FIFO queue; up to 10,000 on a standard queue, where more than 10
   * needs a `MaximumBatchingWindowInSeconds` of 1 or more (the runner receives 10 at a time).
   */
  readonly BatchSize?: number
  /**
   * 0–300, default 0: how long a poller gathers messages before it invokes, unless `BatchSize`
   * messages or 6 MB come first. The window opens when the poller's previous invocation ends. FIFO
   * queues do not take it.
   */
  readonly MaximumBatchingWindowInSeconds?: number
  /** `['ReportBatchItemFailures']` to let the runner read `batchItemFailures`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /** Concurrent pollers (each one batch at a time), 2–1,000. Default 5: Lambda starts with 5. */
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number }
  /** The function's timeout in seconds, 1–900. Default 3. It may not exceed the queue's visibility timeout. */
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
  BatchSize: wholeNumber(1, 10_000),
  MaximumBatchingWindowInSeconds: wholeNumber(0, 300),
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

/** What the runner knows of one message it received. */
interface Entry {
  readonly id: string
  /** The FIFO message group, or ''. */
  readonly key: string
  readonly body: string
  /** The FIFO sequence number, or the order the run first saw it in. */
  readonly seq: bigint
  deliveries: number
  /** `ApproximateReceiveCount` at its last receive. */
  receives: number
  fate?: RecordReport['fate']
  reportedButIgnored?: boolean
  /** Received and not settled: it comes back when its visibility timeout ends (then ms), or the queue moves it. */
  awaitingFrom?: number | undefined
  /** It failed in an invocation by itself, not only because a message before it in its group did. */
  failedItself?: boolean
  /** It failed at least once. */
  failed?: boolean
}

/** A local SQS run: its client and settings, what it has seen so far, and how to stop it. */
interface SqsPollers {
  readonly sdk: typeof import('@aws-sdk/client-sqs')
  readonly client: SQSClient
  readonly queueUrl: string
  readonly arn: string
  readonly fifo: boolean
  /** The redrive policy's `maxReceiveCount`; `Infinity` without one. */
  readonly maxReceive: number
  readonly visibilityMs: number
  readonly batchSize: number
  readonly windowMs: number
  readonly pollers: number
  readonly timeoutMs: number
  readonly pollIntervalMs: number
  readonly reportBatchItemFailures: boolean
  readonly logger: RecordLogger
  readonly accept: RecordFilter | undefined
  readonly call: Caller
  readonly onInvocation: ((invocation: InvocationReport) => void) | undefined
  readonly stopping: AbortController
  readonly entries: Map<string, Entry>
  readonly invocations: InvocationReport[]
  readonly ignored: { invocation: number; ids: string[] }[]
  readonly deadLetters: { messageId: string; body: string; receiveCount: number }[]
  /** FIFO: the message groups with a batch in flight in this run. */
  readonly busyGroups: Set<string>
  /** FIFO: messages the server gave out of turn (their group busy), left to come back. */
  heldBack: number
  readonly idleWaiters: Set<() => void>
  emptyPolls: number
  busy: number
  lastError: string | undefined
}

/** The SQS side of `runLocal`: receive, invoke, delete what succeeded; the queue does visibility and redrive. */
export async function runLocalSqs(handler: (event: SQSEvent, context: Context) => unknown, o: SqsLocalOptions): Promise<LocalRun> {
  checkSettings(NAME, o, SQS_RUN_SETTINGS)
  checkClient(NAME, o.client, 'SQS', 'an SQSClient from @aws-sdk/client-sqs')
  if (typeof o.queueUrl !== 'string' || o.queueUrl === '') configError(NAME, '`queueUrl` must be the queue URL.')
  const pollers = maximumConcurrency(NAME, o.ScalingConfig)
  const batchSize = o.BatchSize ?? 10
  const windowSeconds = o.MaximumBatchingWindowInSeconds ?? 0
  // Fact 15: more than 10 messages a batch needs a batching window.
  if (batchSize > 10 && windowSeconds < 1)
    configError(NAME, `a \`BatchSize\` above 10 (${batchSize}) needs \`MaximumBatchingWindowInSeconds\` of 1 or more.`)
  const timeoutMs = (o.timeoutSeconds ?? 3) * 1000
  const sdk = await loadSdk('@aws-sdk/client-sqs', () => import('@aws-sdk/client-sqs'))
  const client = o.client as unknown as SQSClient
  const queue = await queueAttributes(sdk, client, o.queueUrl, timeoutMs, o.timeoutSeconds === undefined)
  if (queue.fifo && windowSeconds > 0) configError(NAME, '`MaximumBatchingWindowInSeconds` is not available for FIFO queues.')
  if (queue.fifo && batchSize > 10) configError(NAME, `\`BatchSize\` is at most 10 for a FIFO queue; received ${batchSize}.`)
  const st: SqsPollers = {
    sdk,
    client,
    queueUrl: o.queueUrl,
    ...queue,
    batchSize,
    windowMs: windowSeconds * 1000,
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
    deadLetters: [],
    busyGroups: new Set(),
    heldBack: 0,
    idleWaiters: new Set(),
    emptyPolls: 0,
    busy: 0,
    lastError: undefined,
  }
  const running = Array.from({ length: pollers }, () => poll(st))
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      st.stopping.abort()
      await Promise.all(running)
      for (const w of [...st.idleWaiters]) w()
      return sqsRunReport(st)
    })())
  o.signal?.addEventListener('abort', () => void stop(), { once: true })
  return {
    stop,
    report: () => sqsRunReport(st),
    idle: (options) =>
      idleWithin(
        options,
        (ready) => {
          st.idleWaiters.add(ready)
          return () => st.idleWaiters.delete(ready)
        },
        () => sqsBusy(st),
      ),
  }
}

/** What keeps an SQS run from being idle, for `idle()`'s timeout. */
function sqsBusy(st: SqsPollers): { what: string; unsettled: readonly string[] } {
  const unsettled = [...st.entries.values()].filter((e) => e.fate === undefined).map((e) => e.id)
  const what = [
    `${unsettled.length} message${unsettled.length === 1 ? '' : 's'} received and not settled (deleted or moved to the dead-letter queue)`,
    `${st.busy} invocation${st.busy === 1 ? '' : 's'} running`,
    ...(st.maxReceive === Infinity ? ['the queue has no redrive policy, so a message that keeps failing comes back for ever'] : []),
    ...(st.lastError === undefined ? [] : [`the last failed invocation: ${st.lastError}`]),
  ].join('; ')
  return { what, unsettled }
}

// Fact 50: Lambda refuses a function timeout above the queue's visibility timeout.
/** The queue's ARN, kind and redrive policy; refuses a function timeout above the visibility timeout, as Lambda does. */
async function queueAttributes(
  sdk: SqsPollers['sdk'],
  client: SQSClient,
  queueUrl: string,
  timeoutMs: number,
  defaultTimeout: boolean,
): Promise<{ arn: string; fifo: boolean; maxReceive: number; visibilityMs: number }> {
  const attrs =
    (
      await client.send(
        new sdk.GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['QueueArn', 'RedrivePolicy', 'VisibilityTimeout', 'FifoQueue'],
        }),
      )
    ).Attributes ?? {}
  const maxReceive =
    attrs.RedrivePolicy === undefined
      ? Infinity
      : Number((JSON.parse(attrs.RedrivePolicy) as { maxReceiveCount?: unknown }).maxReceiveCount ?? Infinity)
  const visibilityMs = Number(attrs.VisibilityTimeout ?? 30) * 1000
  if (visibilityMs < timeoutMs) {
    configError(
      NAME,
      `the function timeout (\`timeoutSeconds\`: ${timeoutMs / 1000} s${defaultTimeout ? ', the default' : ''}) must not exceed the queue's visibility timeout (${visibilityMs / 1000} s), as Lambda checks when the mapping is created: set \`timeoutSeconds\` to ${visibilityMs / 1000} or less, or raise the queue's VisibilityTimeout.`,
    )
  }
  return { arn: attrs.QueueArn ?? queueUrl, fifo: attrs.FifoQueue === 'true' || queueUrl.endsWith('.fifo'), maxReceive, visibilityMs }
}

/** One poller: gather a batch, drop what the filters refuse, invoke, until the run stops. */
async function poll(st: SqsPollers): Promise<void> {
  let carried: Message[] = []
  while (!st.stopping.signal.aborted) {
    const gathered = await gather(st, carried)
    if (gathered === undefined) return
    let messages = gathered
    if (st.accept !== undefined && messages.length > 0) messages = await dropFiltered(st, messages)
    messages = st.fifo ? inTurn(st, messages) : messages
    const { batch, rest } = fitPayload(st, messages)
    carried = rest
    if (batch.length === 0) {
      st.emptyPolls++
      if (st.busy === 0 && st.emptyPolls >= st.pollers && [...st.entries.values()].every((e) => e.fate !== undefined)) {
        for (const w of [...st.idleWaiters]) w()
        st.idleWaiters.clear()
      }
      await sleep(st.pollIntervalMs, st.stopping.signal)
      continue
    }
    st.emptyPolls = 0
    st.busy++
    const invocation = await invokeBatch(st, batch)
    st.busy--
    st.onInvocation?.(invocation)
  }
}

// Fact 22: a batch goes when BatchSize messages are there or the window closes.
/**
 * Gathers one batch: a receive, or with a batching window receives until `BatchSize` messages are
 * there or the window closes. Undefined once the run stops.
 */
async function gather(st: SqsPollers, carried: readonly Message[]): Promise<Message[] | undefined> {
  const batch = [...carried]
  const closes = Date.now() + st.windowMs
  for (;;) {
    const got = await receiveMessages(st, Math.min(10, st.batchSize - batch.length))
    if (got === undefined) return undefined
    batch.push(...got)
    if (batch.length >= st.batchSize || Date.now() >= closes) return batch
    if (got.length === 0) await sleep(Math.min(st.pollIntervalMs, closes - Date.now()), st.stopping.signal)
    if (st.stopping.signal.aborted) return undefined
  }
}

// Fact 16: one invocation carries at most 6 MB.
/** The messages that fit one invocation's 6 MB (at least one), and the rest, for the poller's next batch. */
function fitPayload(st: SqsPollers, messages: readonly Message[]): { batch: Message[]; rest: Message[] } {
  let bytes = EVENT_OVERHEAD_BYTES
  for (let i = 0; i < messages.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(lambdaSqsRecord(messages[i] as Message, st.arn)), 'utf8') + 1
    if (i > 0 && bytes > PAYLOAD_LIMIT_BYTES) return { batch: messages.slice(0, i), rest: messages.slice(i) }
  }
  return { batch: [...messages], rest: [] }
}

/** One `ReceiveMessage` of up to `max` messages; a failed one is logged and counts as empty. Undefined once the run stops. */
async function receiveMessages(st: SqsPollers, max: number): Promise<Message[] | undefined> {
  const started = Date.now()
  let messages: Message[]
  try {
    const out = await st.client.send(
      new st.sdk.ReceiveMessageCommand({
        QueueUrl: st.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: 0,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: st.stopping.signal },
    )
    messages = out.Messages ?? []
  } catch (e) {
    if (st.stopping.signal.aborted) return undefined
    st.logger.warn(`runLocal: ReceiveMessage failed: ${toError(e).message}; trying again.`)
    return []
  }
  const received = Date.now()
  const back = new Set<string>()
  for (const m of messages) {
    const id = m.MessageId ?? ''
    back.add(id)
    let e = st.entries.get(id)
    if (e === undefined) {
      const seq = m.Attributes?.SequenceNumber
      e = {
        id,
        key: m.Attributes?.MessageGroupId ?? '',
        body: m.Body ?? '',
        seq: seq !== undefined && /^\d+$/.test(seq) ? BigInt(seq) : BigInt(st.entries.size),
        deliveries: 0,
        receives: 0,
      }
      st.entries.set(id, e)
    }
    e.receives = Number(m.Attributes?.ApproximateReceiveCount ?? e.receives + 1)
    e.awaitingFrom = received + st.visibilityMs // until deleted, it comes back then
  }
  if (messages.length < max) movedToDeadLetterQueue(st, started, back)
  return messages
}

// Facts 51 and 112: the queue moves a message to its dead-letter queue on the receive that would
// deliver it once more than maxReceiveCount times; it stays in the source queue until then.
/**
 * After a receive that started at `started` and did not fill up (the queue had nothing more to
 * give), a message received `maxReceiveCount` times, visible again by then and not returned, has
 * been moved to the dead-letter queue.
 */
function movedToDeadLetterQueue(st: SqsPollers, started: number, returned: ReadonlySet<string>): void {
  for (const e of st.entries.values()) {
    if (e.fate !== undefined || e.awaitingFrom === undefined || returned.has(e.id)) continue
    if (e.receives < st.maxReceive || e.awaitingFrom > started) continue
    e.fate = 'dead-lettered'
    e.awaitingFrom = undefined
    st.deadLetters.push({ messageId: e.id, body: e.body, receiveCount: e.receives })
  }
}

// Facts 31 and 111: SQS gives no message of a FIFO group while one of the group is in flight;
// local-aws-sqs does, so the runner keeps the rule itself.
/**
 * FIFO: the received messages whose turn it is. A message whose group has a batch in flight, or an
 * earlier message that has not come back yet, is not invoked: it is left to come back after its
 * visibility timeout (the queue has counted the receive).
 */
function inTurn(st: SqsPollers, messages: readonly Message[]): Message[] {
  const here = new Set(messages.map((m) => m.MessageId ?? ''))
  const kept: Message[] = []
  for (const m of messages) {
    const e = st.entries.get(m.MessageId ?? '') as Entry
    const waiting = [...st.entries.values()].some(
      (x) => x.key === e.key && x.seq < e.seq && x.fate === undefined && x.awaitingFrom !== undefined && !here.has(x.id),
    )
    if (st.busyGroups.has(e.key) || waiting) {
      st.heldBack++
      continue
    }
    kept.push(m)
  }
  return kept
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
      continue
    }
    for (const m of chunk) {
      const e = st.entries.get(m.MessageId ?? '')
      if (e !== undefined) e.awaitingFrom = undefined
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
      const e = st.entries.get(m.MessageId ?? '')
      if (e !== undefined) e.fate = 'filtered'
    }
  }
  return kept
}

/** Invokes the function with received messages, deletes what succeeded and writes down each message's fate. */
async function invokeBatch(st: SqsPollers, messages: readonly Message[]): Promise<InvocationReport> {
  const event: SQSEvent = { Records: messages.map((m) => lambdaSqsRecord(m, st.arn)) }
  const ids = event.Records.map((r) => r.messageId)
  const groups = st.fifo ? new Set(event.Records.map((r) => r.attributes.MessageGroupId ?? '')) : new Set<string>()
  for (const g of groups) st.busyGroups.add(g)
  for (const id of ids) (st.entries.get(id) as Entry).deliveries++
  try {
    const started = Date.now()
    const result = await st.call(event, lambdaContext({ timeoutMs: st.timeoutMs }))
    const verdict = callVerdict(result) ?? sqsVerdict(result.response, ids, st.reportBatchItemFailures)
    const index = st.invocations.length
    const answer = answerReport(result, verdict, st.timeoutMs)
    const attempt = Math.max(...event.Records.map((r) => Number(r.attributes.ApproximateReceiveCount ?? 1)))
    const invocation = receiveReport(index, started, st.arn, attempt, event, answer)
    st.invocations.push(invocation)
    if (invocation.error !== undefined) st.lastError = `${invocation.error.name}: ${invocation.error.message}`
    const ignored = answer.ignoredBatchItemFailures ?? []
    if (ignored.length > 0) st.ignored.push({ invocation: index, ids: [...ignored] })
    const done = messages.filter((m) => !failedBy(verdict, m.MessageId ?? ''))
    const behind = sqsCollateral(
      messages.map((m) => ({ id: m.MessageId ?? '', group: m.Attributes?.MessageGroupId ?? '' })),
      verdict,
      result.error,
      st.fifo,
    )
    // Facts 48, 52: delete what succeeded; failures come back after the visibility timeout.
    await deleteAll(st, done)
    for (const m of messages) {
      const e = st.entries.get(m.MessageId ?? '') as Entry
      if (done.includes(m)) {
        e.fate = 'succeeded'
        if (ignored.includes(e.id)) e.reportedButIgnored = true
      } else {
        e.failed = true
        if (!behind.has(e.id)) e.failedItself = true
      }
    }
    return invocation
  } finally {
    for (const g of groups) st.busyGroups.delete(g)
  }
}

/** The report so far. */
function sqsRunReport(st: SqsPollers): MappingReport {
  const outcomes: RecordReport[] = [...st.entries.values()].map((e) => ({
    id: e.id,
    shardId: st.arn,
    key: e.key,
    deliveries: e.deliveries,
    fate: e.fate ?? 'pending',
    ...(e.fate === 'dead-lettered' && e.failed === true && e.failedItself !== true ? { discardedBehindFailure: true } : {}),
    ...(e.reportedButIgnored === true ? { reportedButIgnored: true } : {}),
  }))
  return {
    invocations: st.invocations,
    outcomes,
    shards: [],
    failureDestination: [],
    deadLetters: [...st.deadLetters],
    costly: {
      discardedBehindFailure: outcomes.filter((r) => r.discardedBehindFailure === true).map((r) => r.id),
      ignoredPartialResponses: st.ignored,
      duplicates: outcomes.filter((r) => r.deliveries > 1).map((r) => ({ id: r.id, deliveries: r.deliveries })),
      lostWindows: [],
    },
    assumptions: [
      'SQS: the queue applies the visibility timeout and the redrive policy; a message is reported dead-lettered once it failed its maxReceiveCount-th receive, became visible again, and a receive that did not fill up (the queue had nothing more to give) did not return it: the queue moves it on that receive.',
      ...(st.fifo
        ? [
            'SQS FIFO: the run invokes one batch per message group at a time, and a message only after every earlier message of its group is settled; a message the server gives out of turn is not invoked and comes back after its visibility timeout, its receive counted by the queue.',
          ]
        : []),
      ...(st.heldBack > 0
        ? [
            `The server gave ${st.heldBack} FIFO message${st.heldBack === 1 ? '' : 's'} while an earlier message of the same group was in flight or waiting to come back, which SQS does not do (local-aws-sqs does not lock message groups): the run left ${st.heldBack === 1 ? 'it' : 'them'} to come back, so receive counts there are higher than on SQS.`,
          ]
        : []),
    ],
    endedAt: new Date().toISOString(),
  }
}
