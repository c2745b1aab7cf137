import type { KinesisClient, _Record as KinesisApiRecord } from '@aws-sdk/client-kinesis'
import type { KinesisWindowEvent } from '../windows/kinesis.js'
import type { Context, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord, SQSEvent } from 'aws-lambda'
import type { DynamoDBWindowEvent } from '../windows/dynamodb.js'
import { withCallback, type ExpectedHandler, type Lambda } from './simulate.js'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import { compileFilter } from '../filtering/filter.js'
import { checkClient, type SdkClient } from './client.js'
import {
  checkSettings,
  configError,
  LOCAL_RUN_SETTINGS,
  STREAM_SETTINGS,
  streamSettings,
  type FunctionSettings,
  type SettingsTable,
  type StreamMappingSettings,
} from './settings.js'
import { kinesisSource } from '../sources/kinesis/index.js'
import { runLocalSqs, type SqsLocalOptions } from './run-local-sqs.js'
import { runLocalDynamoDB, type DynamoDBLocalOptions } from './run-local-dynamodb.js'
import {
  DEFAULT_FUNCTION_NAME,
  loadSdk,
  pollShard,
  sleep,
  startStreamRun,
  type LocalRun,
  type LocalRunHooks,
  type ShardFeed,
  type ShardInfo,
  type ShardPage,
} from './stream-runner.js'

export type { LocalRun } from './stream-runner.js'

/** The run options of `O`'s source, by their `source`. */
type LocalOptionsOf<O> = O extends { readonly source: 'kinesis' }
  ? KinesisLocalOptions
  : O extends { readonly source: 'dynamodb' }
    ? DynamoDBLocalOptions
    : SqsLocalOptions

/** Options of {@link runLocal} for a Kinesis stream. */
export interface KinesisLocalOptions extends StreamMappingSettings, FunctionSettings, LocalRunHooks {
  readonly source: 'kinesis'
  /**
   * The `KinesisClient` (`@aws-sdk/client-kinesis`) to read with. Against kinesalite, build it with
   * {@link localClient}: the client's default HTTP/2 handler fails there with "Protocol error".
   */
  readonly client: SdkClient
  /** The stream's name (kinesalite does not take ARNs). */
  readonly streamName: string
  /**
   * Read through an enhanced fan-out consumer of this name instead of polling: `RegisterStreamConsumer`
   * (or the stream's consumer of that name), then `SubscribeToShard` on every shard, records pushed
   * as they arrive, as a mapping whose `EventSourceArn` is a consumer ARN. A consumer
   * runLocal registered is deregistered by `stop()`. Needs a server that has it (kinesis-local, or
   * AWS; not kinesalite); against kinesis-local too, give the client an HTTP/1.1 handler.
   */
  readonly consumerName?: string
  /** How long a shard's poller waits after an empty read. Default 1000 ms: Lambda polls once a second. */
  readonly pollIntervalMs?: number
  /** Used in the function ARN of failure records and in the context. Default `'local-function'`. */
  readonly functionName?: string
}

const NAME = 'runLocal'
/** The options of a Kinesis run. */
const KINESIS_RUN_SETTINGS: SettingsTable = { ...LOCAL_RUN_SETTINGS, streamName: null, consumerName: null, ...STREAM_SETTINGS }

/**
 * Runs a handler against a real Kinesis stream, DynamoDB stream or SQS queue (kinesalite, DynamoDB
 * Local or local-aws-sqs on the laptop, or AWS with credentials) as Lambda's event source mapping
 * would. DynamoDB Streams: each shard polled with `GetShardIterator`/`GetRecords` 4 times a second
 * as Lambda does, a child shard after its parent, with the Kinesis rules. SQS: pollers receive,
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
 * const kinesis = await localClient(KinesisClient, { endpoint })
 * const run = await runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', pollIntervalMs: 100 })
 * await run.idle()
 * const report = await run.stop()
 * ```
 *
 * @example
 * ```ts
 * const client = await localClient(DynamoDBStreamsClient, { endpoint })
 * const run = await runLocal(handler, { source: 'dynamodb', client, streamArn, FunctionResponseTypes: ['ReportBatchItemFailures'] })
 * ```
 */
export function runLocal(handler: Lambda<KinesisStreamEvent>, options: KinesisLocalOptions): Promise<LocalRun>
export function runLocal(handler: Lambda<SQSEvent>, options: SqsLocalOptions): Promise<LocalRun>
export function runLocal(handler: Lambda<DynamoDBStreamEvent>, options: DynamoDBLocalOptions): Promise<LocalRun>
export function runLocal(
  handler: Lambda<KinesisWindowEvent>,
  options: KinesisLocalOptions & { readonly TumblingWindowInSeconds: number },
): Promise<LocalRun>
export function runLocal(
  handler: Lambda<DynamoDBWindowEvent>,
  options: DynamoDBLocalOptions & { readonly TumblingWindowInSeconds: number },
): Promise<LocalRun>
// Last, so that a handler no overload takes is reported against the handler its options expect.
export function runLocal<O extends KinesisLocalOptions | SqsLocalOptions | DynamoDBLocalOptions>(
  handler: ExpectedHandler<O>,
  options: O & { readonly [K in Exclude<keyof O, keyof LocalOptionsOf<O>>]: never },
): Promise<LocalRun>
export async function runLocal(
  lambda: Lambda<never>,
  opts: KinesisLocalOptions | SqsLocalOptions | DynamoDBLocalOptions,
): Promise<LocalRun> {
  if (typeof lambda !== 'function')
    configError(NAME, `the first argument must be the Lambda handler, a function; received ${describeValue(lambda)}.`)
  // A handler that takes Lambda's callback gets it, as in simulate().
  const handler = withCallback(lambda)
  if (typeof opts !== 'object' || opts === null) configError(NAME, `the options must be an object; received ${describeValue(opts)}.`)
  if (opts.source === 'sqs') return runLocalSqs(handler as (event: SQSEvent, context: Context) => unknown, opts)
  if (opts.source === 'dynamodb') return runLocalDynamoDB(handler, opts)
  const options = opts
  checkSettings(NAME, options, KINESIS_RUN_SETTINGS)
  if (options.source !== 'kinesis')
    configError(
      NAME,
      `\`source\` must be 'kinesis', 'dynamodb' or 'sqs'; received ${describeValue((options as { source?: unknown }).source)}.`,
    )
  checkClient(NAME, options.client, 'Kinesis', 'a KinesisClient from @aws-sdk/client-kinesis')
  if (typeof options.streamName !== 'string' || options.streamName === '') configError(NAME, '`streamName` must be the name of the stream.')
  if (
    options.consumerName !== undefined &&
    (typeof options.consumerName !== 'string' || !/^[a-zA-Z0-9_.-]{1,128}$/.test(options.consumerName))
  ) {
    configError(
      NAME,
      `\`consumerName\` must be 1 to 128 letters, digits, '_', '.' or '-'; received ${describeValue(options.consumerName)}.`,
    )
  }
  const pollIntervalMs = options.pollIntervalMs ?? 1000
  const s = streamSettings(NAME, options)
  const logger = options.logger ?? quietLogger

  const sdk = await loadSdk('@aws-sdk/client-kinesis', () => import('@aws-sdk/client-kinesis'))
  const { streamName } = options
  const client = options.client as unknown as KinesisClient
  const summary = await client.send(new sdk.DescribeStreamSummaryCommand({ StreamName: streamName }))
  const streamArn = summary.StreamDescriptionSummary?.StreamARN ?? `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`
  const [, , , region, account] = streamArn.split(':')
  const position = options.StartingPosition ?? 'TRIM_HORIZON'
  const k: KinesisStream = {
    sdk,
    client,
    streamName,
    streamArn,
    region: region ?? 'us-east-1',
    account: account ?? '000000000000',
    position,
    ...(position === 'AT_TIMESTAMP' ? { timestamp: new Date((options.StartingPositionTimestamp as number) * 1000) } : {}),
    pollIntervalMs,
    logger,
  }
  const shards = await listShards(k)
  const consumer = options.consumerName === undefined ? undefined : await registerConsumer(sdk, client, streamArn, options.consumerName)
  // Every shard's iterator is taken now: LATEST means the records written from now on.
  const iterators = consumer !== undefined ? new Map<string, string | undefined>() : await shardIterators(k, shards)
  const functionArn = `arn:aws:lambda:${k.region}:${k.account}:function:${options.functionName ?? DEFAULT_FUNCTION_NAME}`

  return startStreamRun(handler, {
    destination: options.DestinationConfig?.OnFailure?.Destination,
    source: kinesisSource,
    settings: s,
    functionArn,
    ...(options.FilterCriteria === undefined ? {} : { accept: compileFilter(options.FilterCriteria, 'kinesis') }),
    shards,
    reader: {
      list: () => listShards(k),
      read: (feed, shardId, atStart) =>
        consumer !== undefined
          ? subscribe(k, feed, shardId, consumer.arn, atStart)
          : pollKinesisShard(k, feed, shardId, atStart, atStart ? iterators.get(shardId) : undefined),
    },
    pollIntervalMs,
    logger,
    signal: options.signal,
    onInvocation: options.onInvocation,
    ...(consumer?.registered === true
      ? {
          cleanup: () =>
            client.send(new sdk.DeregisterStreamConsumerCommand({ ConsumerARN: consumer.arn })).then(
              () => undefined,
              (e: unknown) => logger.warn(`runLocal: could not deregister the consumer: ${toError(e).message}`),
            ),
        }
      : {}),
  })
}

/** The stream a Kinesis run reads, and how. */
interface KinesisStream {
  readonly sdk: typeof import('@aws-sdk/client-kinesis')
  readonly client: KinesisClient
  readonly streamName: string
  readonly streamArn: string
  readonly region: string
  readonly account: string
  readonly position: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP'
  /** With `AT_TIMESTAMP`: where reading starts. */
  readonly timestamp?: Date
  readonly pollIntervalMs: number
  readonly logger: RecordLogger
}

/** The stream's shards with their parents, every page of `ListShards`. */
async function listShards(k: KinesisStream): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = []
  let nextToken: string | undefined
  do {
    const page = await k.client.send(
      nextToken === undefined
        ? new k.sdk.ListShardsCommand({ StreamName: k.streamName })
        : new k.sdk.ListShardsCommand({ NextToken: nextToken }),
    )
    for (const shard of page.Shards ?? []) {
      if (shard.ShardId === undefined) continue
      const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => p !== undefined)
      shards.push({ shardId: shard.ShardId, parents })
    }
    nextToken = page.NextToken
  } while (nextToken !== undefined)
  return shards
}

/** A shard's iterator: at the mapping's starting position, after a sequence number, or (a child found later) at its beginning. */
async function shardIterator(
  k: KinesisStream,
  ShardId: string,
  from: { atStart: boolean; after?: string | undefined },
): Promise<string | undefined> {
  const position =
    from.after !== undefined
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: from.after }
      : from.atStart
        ? { ShardIteratorType: k.position, ...(k.timestamp === undefined ? {} : { Timestamp: k.timestamp }) }
        : { ShardIteratorType: 'TRIM_HORIZON' as const }
  try {
    return (await k.client.send(new k.sdk.GetShardIteratorCommand({ StreamName: k.streamName, ShardId, ...position }))).ShardIterator
  } catch (e) {
    const name = (e as { name?: unknown }).name
    if (position.ShardIteratorType === 'AT_TIMESTAMP' && (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'AbortError')) {
      // Fact 113: kinesalite never answers AT_TIMESTAMP with a time after the shard's last record.
      throw new Error(
        `runLocal: GetShardIterator with AT_TIMESTAMP on ${ShardId} did not answer (${toError(e).message}). kinesalite never answers it when the timestamp is after the shard's last record (a known kinesalite limit); there, use 'TRIM_HORIZON' or 'LATEST', or a server such as kinesis-local.`,
        { cause: e },
      )
    }
    throw e
  }
}

/** Every shard's iterator at the starting position, all taken now (LATEST: the records written from now on). */
async function shardIterators(k: KinesisStream, shards: readonly ShardInfo[]): Promise<Map<string, string | undefined>> {
  return new Map(
    await Promise.all(shards.map(async ({ shardId }) => [shardId, await shardIterator(k, shardId, { atStart: true })] as const)),
  )
}

/** A record as `GetRecords` or `SubscribeToShard` return it, as Lambda puts it in the event. */
function toLambda(k: KinesisStream, shardId: string, r: KinesisApiRecord): KinesisStreamRecord {
  return {
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
    invokeIdentityArn: `arn:aws:iam::${k.account}:role/lambda-role`,
    awsRegion: k.region,
    eventSourceARN: k.streamArn,
  }
}

/** Polls one shard with `GetRecords`; resolves true once it is closed and read to its end. */
function pollKinesisShard(
  k: KinesisStream,
  feed: ShardFeed<KinesisStreamRecord>,
  shardId: string,
  atStart: boolean,
  taken: string | undefined,
): Promise<boolean> {
  let last: string | undefined
  const get = (ShardIterator: string) =>
    k.client.send(new k.sdk.GetRecordsCommand({ ShardIterator, Limit: 10_000 }), { abortSignal: feed.signal })
  const read = async (iterator: string): Promise<ShardPage<KinesisStreamRecord>> => {
    let out: Awaited<ReturnType<typeof get>>
    try {
      out = await get(iterator)
    } catch (e) {
      // An iterator expires after 5 minutes (a child waiting for its parent, say): take a new one where reading stopped.
      if ((e as { name?: unknown }).name !== 'ExpiredIteratorException') throw e
      const fresh = await shardIterator(k, shardId, { atStart, after: last })
      if (fresh === undefined) return { records: [], next: undefined }
      out = await get(fresh)
    }
    const records = out.Records ?? []
    last = records[records.length - 1]?.SequenceNumber ?? last
    return { records: records.map((r) => toLambda(k, shardId, r)), next: out.NextShardIterator ?? undefined }
  }
  return (async () => {
    const iterator = taken ?? (await shardIterator(k, shardId, { atStart }))
    return pollShard(feed, shardId, iterator, read, { intervalMs: k.pollIntervalMs, logger: k.logger, what: 'GetRecords' })
  })()
}

// Enhanced fan-out: one subscription per shard, renewed from the last continuation sequence
// number when it ends (AWS ends each after 5 minutes). Resolves true once the shard is closed.
async function subscribe(
  k: KinesisStream,
  feed: ShardFeed<KinesisStreamRecord>,
  shardId: string,
  consumerArn: string,
  atStart: boolean,
): Promise<boolean> {
  let from: import('@aws-sdk/client-kinesis').StartingPosition = !atStart
    ? { Type: 'TRIM_HORIZON' }
    : k.timestamp !== undefined
      ? { Type: 'AT_TIMESTAMP', Timestamp: k.timestamp }
      : { Type: k.position }
  while (!feed.signal.aborted) {
    try {
      const out = await k.client.send(
        new k.sdk.SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: from }),
        { abortSignal: feed.signal },
      )
      for await (const message of out.EventStream ?? []) {
        const e = message.SubscribeToShardEvent
        if (e === undefined) continue
        const records = e.Records ?? []
        if (records.length > 0)
          feed.add(
            shardId,
            records.map((r) => toLambda(k, shardId, r)),
          )
        // A closed shard, read to its end: no continuation, or its children named.
        if (e.ContinuationSequenceNumber === undefined || (e.ChildShards ?? []).length > 0) return true
        // At the tip of the shard: everything on it has been read.
        feed.caughtUp(shardId, e.MillisBehindLatest === 0)
        from = { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: e.ContinuationSequenceNumber }
        if (feed.signal.aborted) return false
      }
    } catch (e) {
      if (feed.signal.aborted) return false
      k.logger.warn(`runLocal: SubscribeToShard on ${shardId} failed: ${toError(e).message}; subscribing again.`)
      await sleep(k.pollIntervalMs, feed.signal)
    }
  }
  return false
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
    arn = (await client.send(new sdk.DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: name }))).ConsumerDescription
      ?.ConsumerARN
  }
  if (arn === undefined) throw new Error(`runLocal: the server returned no ARN for the consumer ${name}.`)
  for (let i = 0; ; i++) {
    const status = (await client.send(new sdk.DescribeStreamConsumerCommand({ ConsumerARN: arn }))).ConsumerDescription?.ConsumerStatus
    if (status === 'ACTIVE') return { arn, registered }
    if (i === 600) throw new Error(`runLocal: the consumer ${name} is still ${status ?? 'not found'} after 30 s.`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
