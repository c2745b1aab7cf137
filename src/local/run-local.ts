import type { KinesisClient, _Record as KinesisApiRecord } from '@aws-sdk/client-kinesis'
import type { KinesisWindowEvent } from '../windows/kinesis.js'
import type { Context, KinesisStreamEvent, KinesisStreamRecord, SQSEvent } from 'aws-lambda'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import { compileFilter } from '../filtering/filter.js'
import type { InvocationReport, MappingReport } from './report.js'
import { configError, streamSettings, type FunctionSettings, type StreamMappingSettings } from './settings.js'
import { createStreamMapping, requestIds, type Caller } from './stream-mapping.js'
import { kinesisRow } from './stream-rows.js'
import { runLocalSqs, type SqsLocalOptions } from './run-local-sqs.js'

/** Options of {@link runLocal} for a Kinesis stream. */
export interface KinesisLocalOptions extends StreamMappingSettings, FunctionSettings {
  readonly source: 'kinesis'
  /**
   * The Kinesis client to read with. Against kinesalite, give it an HTTP/1.1 handler
   * (`new NodeHttpHandler()` from `@smithy/node-http-handler`): the default HTTP/2 one fails there.
   */
  readonly client: KinesisClient
  /** The stream's name (kinesalite does not take ARNs). */
  readonly streamName: string
  /**
   * Read through an enhanced fan-out consumer of this name instead of polling: `RegisterStreamConsumer`
   * (or the stream's consumer of that name), then `SubscribeToShard` on every shard, records pushed
   * as they arrive (fact 17), as a mapping whose `EventSourceArn` is a consumer ARN. A consumer
   * runLocal registered is deregistered by `stop()`. Needs a server that has it (kinesis-local, or
   * AWS; not kinesalite); against kinesis-local too, give the client an HTTP/1.1 handler.
   */
  readonly consumerName?: string
  /** How long a shard's poller waits after an empty read. Default 1000 ms, as Lambda (fact 17). */
  readonly pollIntervalMs?: number
  /** Stops the run when aborted, as `stop()` does. */
  readonly signal?: AbortSignal
  /** Called after each invocation, for progress. */
  readonly onInvocation?: (invocation: InvocationReport) => void
  /** Where read errors are logged. Default: warnings and errors to stderr. */
  readonly logger?: RecordLogger
}

/** A local run in progress. */
export interface LocalRun {
  /** Stops polling, waits for the running invocations, and resolves to the report. Records not settled are `pending`. */
  stop(): Promise<MappingReport>
  /** The report so far. */
  report(): MappingReport
  /**
   * Kinesis: resolves when every shard's last read came back empty, every record read is settled
   * and no invocation is running: the stream is drained (until more records are put). SQS: when
   * the pollers found the queue empty with nothing running; messages waiting out a visibility
   * timeout are invisible then, so they may still come back.
   */
  idle(): Promise<void>
}

const NAME = 'runLocal'
const KNOWN = new Set([
  'source', 'client', 'streamName', 'consumerName', 'pollIntervalMs', 'signal', 'onInvocation', 'logger', 'timeoutSeconds', 'functionName', 'retryDelayMs',
  'BatchSize', 'MaximumBatchingWindowInSeconds', 'ParallelizationFactor', 'StartingPosition', 'StartingPositionTimestamp', 'BisectBatchOnFunctionError',
  'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'FunctionResponseTypes', 'FilterCriteria', 'TumblingWindowInSeconds', 'windowGraceSeconds',
])

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })

/**
 * Runs a handler against a real Kinesis stream or SQS queue (kinesalite or local-aws-sqs on the
 * laptop, or AWS with credentials) as Lambda's event source mapping would. SQS: pollers receive,
 * invoke, and delete what succeeded; the queue applies the visibility timeout and the redrive
 * policy. Kinesis: it polls each shard with `GetShardIterator`/`GetRecords` (or, with
 * `consumerName`, subscribes to each through an enhanced fan-out consumer),
 * builds the events as Lambda builds them, and applies the same rules as {@link simulate}
 * (batching, retries, bisection, partial batch responses, record age, the function timeout) on the
 * real clock. The checkpoints live in memory only.
 *
 * Resolves once the shards are found and the pollers started; `stop()` ends the run and leaves
 * nothing running.
 *
 * @example
 * ```ts
 * const client = new KinesisClient({ endpoint, region: 'us-east-1', credentials, requestHandler: new NodeHttpHandler() })
 * const run = await runLocal(handler, { source: 'kinesis', client, streamName: 'orders', BatchSize: 100, pollIntervalMs: 100 })
 * await run.idle()
 * const report = await run.stop()
 * ```
 */
export function runLocal(handler: (event: KinesisStreamEvent, context: Context) => unknown, options: KinesisLocalOptions): Promise<LocalRun>
export function runLocal(handler: (event: SQSEvent, context: Context) => unknown, options: SqsLocalOptions): Promise<LocalRun>
export function runLocal(handler: (event: KinesisWindowEvent, context: Context) => unknown, options: KinesisLocalOptions & { readonly TumblingWindowInSeconds: number }): Promise<LocalRun>
export async function runLocal(handler: (event: never, context: Context) => unknown, opts: KinesisLocalOptions | SqsLocalOptions): Promise<LocalRun> {
  if (typeof handler !== 'function') configError(NAME, `the first argument must be the Lambda handler, a function; received ${describeValue(handler)}.`)
  if (typeof opts !== 'object' || opts === null) configError(NAME, `the options must be an object; received ${describeValue(opts)}.`)
  if (opts.source === 'sqs') return runLocalSqs(handler as (event: SQSEvent, context: Context) => unknown, opts)
  const options = opts
  const unknown = Object.keys(options).filter((k) => !KNOWN.has(k))
  if (unknown.length > 0) configError(NAME, `unknown option ${unknown.map((k) => `\`${k}\``).join(', ')}.`)
  if (options.source !== 'kinesis') configError(NAME, `\`source\` must be 'kinesis' or 'sqs' (DynamoDB Streams is not supported yet); received ${describeValue((options as { source?: unknown }).source)}.`)
  if (typeof options.client?.send !== 'function') configError(NAME, '`client` must be a KinesisClient from @aws-sdk/client-kinesis.')
  if (typeof options.streamName !== 'string' || options.streamName === '') configError(NAME, '`streamName` must be the name of the stream.')
  if (options.consumerName !== undefined && (typeof options.consumerName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(options.consumerName))) {
    configError(NAME, `\`consumerName\` must be 1 to 128 letters, digits, '_', '.' or '-'; received ${describeValue(options.consumerName)}.`)
  }
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  if (typeof pollIntervalMs !== 'number' || !(pollIntervalMs >= 10)) configError(NAME, `\`pollIntervalMs\` must be 10 or more; received ${describeValue(pollIntervalMs)}.`)
  const s = streamSettings(NAME, options)
  const logger = options.logger ?? quietLogger

  let sdk: typeof import('@aws-sdk/client-kinesis')
  try {
    sdk = await import('@aws-sdk/client-kinesis')
  } catch (e) {
    throw new Error('runLocal needs @aws-sdk/client-kinesis: npm install -D @aws-sdk/client-kinesis', { cause: e })
  }
  const { client, streamName } = options
  const summary = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: streamName }))
  const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`
  const [, , , region, account] = streamArn.split(':')
  const shardIds: string[] = []
  let nextToken: string | undefined
  do {
    const page = await client.send(nextToken === undefined ? new sdk.ListShardsCommand({ StreamName: streamName }) : new sdk.ListShardsCommand({ NextToken: nextToken }))
    for (const shard of page.Shards ?? []) if (shard.ShardId !== undefined) shardIds.push(shard.ShardId)
    nextToken = page.NextToken
  } while (nextToken !== undefined)

  const position = options.StartingPosition ?? 'TRIM_HORIZON'
  const consumer = options.consumerName === undefined ? undefined : await registerConsumer(sdk, client, streamArn, options.consumerName)
  const iterators = consumer !== undefined ? [] : await Promise.all(
    shardIds.map(async (ShardId) => {
      const out = await client.send(
        new sdk.GetShardIteratorCommand({
          StreamName: streamName,
          ShardId,
          ShardIteratorType: position,
          ...(position === 'AT_TIMESTAMP' ? { Timestamp: new Date((options.StartingPositionTimestamp as number) * 1000) } : {}),
        }),
      )
      return out.ShardIterator
    }),
  )

  const functionArn = `arn:aws:lambda:${region ?? 'us-east-1'}:${account ?? '000000000000'}:function:${options.functionName ?? 'local-function'}`
  const accept = options.FilterCriteria === undefined ? {} : { accept: compileFilter(options.FilterCriteria, 'kinesis') }
  const mapping = createStreamMapping(kinesisRow, s, { functionArn, timeoutMs: s.timeoutMs, nextRequestId: requestIds(Date.now()), ...accept, readerCaughtUp: (shardId) => caughtUp.has(shardId) })
  const stopping = new AbortController()
  const running = new Set<Promise<void>>()
  let wakeScheduler: () => void = () => {}
  let idleWaiters: (() => void)[] = []
  const kick = (): void => wakeScheduler()
  // Shards whose last read was empty (or that are closed): everything on them has been read.
  const caughtUp = new Set<string>()

  const toLambda = (shardId: string, r: KinesisApiRecord): KinesisStreamRecord => ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.PartitionKey ?? '',
      sequenceNumber: r.SequenceNumber ?? '',
      data: Buffer.from(r.Data ?? new Uint8Array()).toString('base64'),
      approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
      ...(r.EncryptionType === undefined ? {} : { encryptionType: r.EncryptionType }),
    } as KinesisStreamRecord['kinesis'],
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${shardId}:${r.SequenceNumber ?? ''}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${account ?? '000000000000'}:role/lambda-role`,
    awsRegion: region ?? 'us-east-1',
    eventSourceARN: streamArn,
  })

  async function poll(shardId: string, iterator: string | undefined): Promise<void> {
    while (iterator !== undefined && !stopping.signal.aborted) {
      try {
        const out = await client.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }), { abortSignal: stopping.signal })
        iterator = out.NextShardIterator ?? undefined
        const records = out.Records ?? []
        if (records.length > 0) {
          caughtUp.delete(shardId)
          mapping.add(records.map((r) => kinesisRow.item(toLambda(shardId, r))))
          kick()
          continue // a backlog is read back to back (fact 17)
        }
        caughtUp.add(shardId)
        kick()
      } catch (e) {
        if (stopping.signal.aborted) return
        logger.warn(`runLocal: GetRecords on ${shardId} failed: ${toError(e).message}; trying again.`)
      }
      await sleep(pollIntervalMs, stopping.signal)
    }
    caughtUp.add(shardId) // closed (NextShardIterator null) or stopping
    kick()
  }

  // Enhanced fan-out: one subscription per shard, renewed from the last continuation sequence
  // number when it ends (AWS ends each after 5 minutes).
  async function subscribe(shardId: string, consumerArn: string): Promise<void> {
    let from: import('@aws-sdk/client-kinesis').StartingPosition =
      position === 'AT_TIMESTAMP' ? { Type: 'AT_TIMESTAMP', Timestamp: new Date((options.StartingPositionTimestamp as number) * 1000) } : { Type: position }
    while (!stopping.signal.aborted) {
      try {
        const out = await client.send(new sdk.SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: from }), { abortSignal: stopping.signal })
        for await (const message of out.EventStream ?? []) {
          const e = message.SubscribeToShardEvent
          if (e === undefined) continue
          const records = e.Records ?? []
          if (records.length > 0) mapping.add(records.map((r) => kinesisRow.item(toLambda(shardId, r))))
          // At the tip of the shard (or past its end): everything on it has been read.
          if (e.MillisBehindLatest === 0 || e.ContinuationSequenceNumber === undefined) caughtUp.add(shardId)
          else caughtUp.delete(shardId)
          kick()
          if (e.ContinuationSequenceNumber === undefined) return // a closed shard (ChildShards follow)
          from = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: e.ContinuationSequenceNumber }
          if (stopping.signal.aborted) return
        }
      } catch (e) {
        if (stopping.signal.aborted) return
        logger.warn(`runLocal: SubscribeToShard on ${shardId} failed: ${toError(e).message}; subscribing again.`)
        await sleep(pollIntervalMs, stopping.signal)
      }
    }
  }

  const call: Caller = async (event, context) => {
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), s.timeoutMs)
    })
    try {
      const result = await Promise.race([Promise.resolve().then(() => (handler as (e: KinesisStreamEvent, c: Context) => unknown)(event as KinesisStreamEvent, context)), timeout])
      if (result === 'timeout') return { timedOut: true, durationMs: Date.now() - started }
      return { response: result, durationMs: Date.now() - started }
    } catch (e) {
      return { error: toError(e), durationMs: Date.now() - started }
    } finally {
      clearTimeout(timer)
    }
  }

  async function schedule(): Promise<void> {
    while (!stopping.signal.aborted) {
      const now = Date.now()
      const { lanes, wake } = mapping.due(now)
      for (const lane of lanes) {
        const p = mapping
          .run(lane, now, call, () => Date.now())
          .then((invocation) => {
            if (invocation !== undefined) options.onInvocation?.(invocation)
          })
          .catch((e: unknown) => logger.error(`runLocal: an invocation could not be run: ${toError(e).message}`))
          .finally(() => {
            running.delete(p)
            kick()
          })
        running.add(p)
      }
      if (running.size === 0 && caughtUp.size === shardIds.length && mapping.settled()) {
        for (const w of idleWaiters) w()
        idleWaiters = []
      }
      await new Promise<void>((resolve) => {
        const delay = Math.max(0, Math.min(wake - Date.now(), pollIntervalMs))
        const t = setTimeout(done, delay)
        function done(): void {
          clearTimeout(t)
          stopping.signal.removeEventListener('abort', done)
          wakeScheduler = () => {}
          resolve()
        }
        wakeScheduler = done
        stopping.signal.addEventListener('abort', done)
      })
    }
  }

  const pollers = shardIds.map((id, i) => (consumer === undefined ? poll(id, iterators[i]) : subscribe(id, consumer.arn)))
  const scheduler = schedule()
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      stopping.abort()
      await Promise.all([...pollers, scheduler])
      while (running.size > 0) await Promise.all([...running])
      if (consumer?.registered === true) {
        await client.send(new sdk.DeregisterStreamConsumerCommand({ ConsumerARN: consumer.arn })).catch((e: unknown) => logger.warn(`runLocal: could not deregister the consumer: ${toError(e).message}`))
      }
      for (const w of idleWaiters) w()
      return mapping.report(Date.now(), true)
    })())
  options.signal?.addEventListener('abort', () => void stop(), { once: true })
  if (options.signal?.aborted === true) void stop()

  return {
    stop,
    report: () => mapping.report(Date.now(), true),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve)
        kick()
      }),
  }
}

/** The stream's enhanced fan-out consumer of this name, registered if missing, once it is ACTIVE. */
async function registerConsumer(
  sdk: typeof import('@aws-sdk/client-kinesis'),
  client: KinesisClient,
  streamArn: string,
  name: string,
): Promise<{ arn: string; registered: boolean }> {
  let arn: string | undefined
  let registered = false
  try {
    arn = (await client.send(new sdk.RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }))).Consumer?.ConsumerARN
    registered = true
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUseException') throw e
    arn = (await client.send(new sdk.DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }))).ConsumerDescription?.ConsumerARN
  }
  if (arn === undefined) throw new Error(`runLocal: the server returned no ARN for the consumer ${name}.`)
  for (let i = 0; ; i++) {
    const status = (await client.send(new sdk.DescribeStreamConsumerCommand({ ConsumerARN: arn }))).ConsumerDescription?.ConsumerStatus
    if (status === 'ACTIVE') return { arn, registered }
    if (i === 600) throw new Error(`runLocal: the consumer ${name} is still ${status ?? 'not found'} after 30 s.`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
