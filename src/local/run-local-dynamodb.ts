import type { DynamoDBStreamsClient, GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams'
import type { Context, DynamoDBRecord } from 'aws-lambda'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'
import { compileFilter } from '../filtering/filter.js'
import { dynamodbSource } from '../sources/dynamodb/index.js'
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
import { loadSdk, pollShard, startStreamRun, type LocalRun, type LocalRunHooks, type ShardFeed } from './stream-runner.js'

/** Options of {@link runLocal} for a DynamoDB stream. */
export interface DynamoDBLocalOptions extends StreamMappingSettings, FunctionSettings, LocalRunHooks {
  readonly source: 'dynamodb'
  /** The DynamoDB Streams client to read with (`@aws-sdk/client-dynamodb-streams`). */
  readonly client: SdkClient
  /** The stream's ARN: the table's `LatestStreamArn`. It is the events' `eventSourceARN`. */
  readonly streamArn: string
  /** How long a shard's poller waits after an empty read. Default 250 ms: Lambda polls 4 times a second. */
  readonly pollIntervalMs?: number
}

const NAME = 'runLocal'
/** The options of a DynamoDB Streams run. */
const DYNAMODB_RUN_SETTINGS: SettingsTable = {
  ...LOCAL_RUN_SETTINGS,
  streamArn: null,
  // DynamoDB Streams have no AT_TIMESTAMP, so no StartingPositionTimestamp either.
  ...Object.fromEntries(Object.entries(STREAM_SETTINGS).filter(([key]) => key !== 'StartingPositionTimestamp')),
}

/**
 * A record as `GetRecords` of `@aws-sdk/client-dynamodb-streams` returns it (its `_Record`), as far
 * as {@link lambdaDynamoDBRecord} reads it: typed by shape, so that this package's types do not need the SDK.
 */
export interface DynamoDBStreamsApiRecord {
  readonly eventID?: string | undefined
  readonly eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' | undefined
  readonly eventVersion?: string | undefined
  readonly eventSource?: string | undefined
  readonly awsRegion?: string | undefined
  /** `Keys`, `NewImage`, `OldImage` (AttributeValue maps), `SequenceNumber`, `SizeBytes`, `StreamViewType`. */
  readonly dynamodb?: (object & { readonly ApproximateCreationDateTime?: Date | undefined }) | undefined
  readonly userIdentity?: { readonly PrincipalId?: string | undefined; readonly Type?: string | undefined } | undefined
}

/** The service's JSON for a value: bytes as base64, as the wire and Lambda's event carry them. */
function wire(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
  if (Array.isArray(v)) return v.map(wire)
  if (v instanceof Set) return [...v].map(wire)
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = wire(x)
    return out
  }
  return v
}

/**
 * A record as `GetRecords` of `@aws-sdk/client-dynamodb-streams` returns it, as Lambda puts it in
 * the event: the same fields, with `ApproximateCreationDateTime` in Unix seconds (the SDK makes it
 * a `Date`), binary values in base64 (the SDK makes them bytes), `userIdentity` in the event's
 * lower case, and the stream's ARN as `eventSourceARN`.
 *
 * @example
 * ```ts
 * const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }))
 * const event: DynamoDBStreamEvent = { Records: Records.map((r) => lambdaDynamoDBRecord(r, streamArn)) }
 * ```
 */
export function lambdaDynamoDBRecord(record: DynamoDBStreamsApiRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime, ...rest } = record.dynamodb ?? {}
  const who = record.userIdentity
  return {
    ...(record.eventID === undefined ? {} : { eventID: record.eventID }),
    ...(record.eventName === undefined ? {} : { eventName: record.eventName }),
    ...(record.eventVersion === undefined ? {} : { eventVersion: record.eventVersion }),
    ...(record.eventSource === undefined ? {} : { eventSource: record.eventSource }),
    ...(record.awsRegion === undefined ? {} : { awsRegion: record.awsRegion }),
    dynamodb: {
      ...(ApproximateCreationDateTime === undefined ? {} : { ApproximateCreationDateTime: ApproximateCreationDateTime.getTime() / 1000 }),
      ...(wire(rest) as DynamoDBRecord['dynamodb']),
    },
    eventSourceARN: streamArn,
    ...(who === undefined ? {} : { userIdentity: { type: who.Type, principalId: who.PrincipalId } }),
  }
}

/** runLocal for a DynamoDB stream: the shards polled through the DynamoDB Streams API. */
export async function runLocalDynamoDB(
  handler: (event: never, context: Context) => unknown,
  options: DynamoDBLocalOptions,
): Promise<LocalRun> {
  checkSettings(NAME, options, DYNAMODB_RUN_SETTINGS)
  checkClient(NAME, options.client, 'DynamoDB Streams', 'a DynamoDBStreamsClient from @aws-sdk/client-dynamodb-streams')
  if (typeof options.streamArn !== 'string' || !/^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/.test(options.streamArn)) {
    configError(
      NAME,
      `\`streamArn\` must be the stream's ARN (the table's LatestStreamArn, arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>); received ${describeValue(options.streamArn)}.`,
    )
  }
  // §11.12: AWS refuses AT_TIMESTAMP for DynamoDB Streams.
  if (options.StartingPosition === 'AT_TIMESTAMP')
    configError(NAME, "`StartingPosition: 'AT_TIMESTAMP'` is not available for DynamoDB Streams; use 'TRIM_HORIZON' or 'LATEST'.")
  const pollIntervalMs = options.pollIntervalMs ?? 250 // 4 polls a second per shard (fact 17)
  const s = streamSettings(NAME, options)
  const accept = options.FilterCriteria === undefined ? {} : { accept: compileFilter(options.FilterCriteria, 'dynamodb') }
  const logger = options.logger ?? quietLogger

  const sdk = await loadSdk('@aws-sdk/client-dynamodb-streams', () => import('@aws-sdk/client-dynamodb-streams'))
  const { streamArn } = options
  const client = options.client as unknown as DynamoDBStreamsClient
  const [, , , region, account] = streamArn.split(':')
  const parents = await shardParents(sdk, client, streamArn)
  const shardIds = [...parents.keys()]

  const position = options.StartingPosition ?? 'TRIM_HORIZON'
  const iteratorOf = async (ShardId: string, after: string | undefined): Promise<string | undefined> =>
    (
      await client.send(
        new sdk.GetShardIteratorCommand(
          after === undefined
            ? { StreamArn: streamArn, ShardId, ShardIteratorType: position }
            : { StreamArn: streamArn, ShardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after },
        ),
      )
    ).ShardIterator
  // LATEST means the records written after the mapping starts: every shard's iterator is taken now.
  const iterators = new Map(await Promise.all(shardIds.map(async (id) => [id, await iteratorOf(id, undefined)] as const)))

  return startStreamRun(handler, {
    source: dynamodbSource,
    settings: s,
    functionArn: `arn:aws:lambda:${region || 'us-east-1'}:${account || '000000000000'}:function:${options.functionName ?? 'local-function'}`,
    ...accept,
    shardIds,
    pollIntervalMs,
    logger,
    signal: options.signal,
    onInvocation: options.onInvocation,
    read: (feed) => readShards({ sdk, client, streamArn, parents, iterators, iteratorOf, pollIntervalMs, logger }, feed),
  })
}

/** Every shard of the stream with its parent, every page of `DescribeStream`. */
async function shardParents(
  sdk: DynamoDBStreamsSdk,
  client: DynamoDBStreamsClient,
  streamArn: string,
): Promise<Map<string, string | undefined>> {
  const parents = new Map<string, string | undefined>()
  let start: string | undefined
  do {
    const page = await client.send(
      new sdk.DescribeStreamCommand({ StreamArn: streamArn, ...(start === undefined ? {} : { ExclusiveStartShardId: start }) }),
    )
    for (const shard of page.StreamDescription?.Shards ?? [])
      if (shard.ShardId !== undefined) parents.set(shard.ShardId, shard.ParentShardId)
    start = page.StreamDescription?.LastEvaluatedShardId
  } while (start !== undefined)
  return parents
}

type DynamoDBStreamsSdk = typeof import('@aws-sdk/client-dynamodb-streams')

/** Reads every shard, a child after its parent, so a key's changes stay in order across a split. */
function readShards(
  d: {
    sdk: DynamoDBStreamsSdk
    client: DynamoDBStreamsClient
    streamArn: string
    parents: ReadonlyMap<string, string | undefined>
    iterators: ReadonlyMap<string, string | undefined>
    iteratorOf: (shardId: string, after: string | undefined) => Promise<string | undefined>
    pollIntervalMs: number
    logger: RecordLogger
  },
  feed: ShardFeed<DynamoDBRecord>,
): Promise<unknown> {
  const { sdk, client, streamArn, parents, iterators, iteratorOf, pollIntervalMs, logger } = d
  const done = new Map<string, Promise<void>>()
  const readShard = async (shardId: string): Promise<void> => {
    const parent = parents.get(shardId)
    if (parent !== undefined && parents.has(parent)) await started(parent)
    let last: string | undefined
    await pollShard(
      feed,
      shardId,
      iterators.get(shardId),
      async (iterator) => {
        let out: GetRecordsCommandOutput
        try {
          out = await client.send(new sdk.GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }), { abortSignal: feed.signal })
        } catch (e) {
          // Iterators expire after 15 minutes (a child waiting on its parent, say): take a new one where reading stopped.
          if ((e as { name?: unknown }).name !== 'ExpiredIteratorException') throw e
          const fresh = await iteratorOf(shardId, last)
          if (fresh === undefined) return { records: [], next: undefined }
          out = await client.send(new sdk.GetRecordsCommand({ ShardIterator: fresh, Limit: 1000 }), { abortSignal: feed.signal })
        }
        const records = out.Records ?? []
        last = records[records.length - 1]?.dynamodb?.SequenceNumber ?? last
        return { records: records.map((r) => lambdaDynamoDBRecord(r, streamArn)), next: out.NextShardIterator ?? undefined }
      },
      { intervalMs: pollIntervalMs, logger, what: 'GetRecords' },
    )
  }
  function started(shardId: string): Promise<void> {
    let p = done.get(shardId)
    if (p === undefined) done.set(shardId, (p = readShard(shardId)))
    return p
  }
  return Promise.all([...parents.keys()].map(started))
}
