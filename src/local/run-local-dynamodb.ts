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
import type { StreamItem } from './rules.js'
import {
  DEFAULT_FUNCTION_NAME,
  loadSdk,
  pollShard,
  startStreamRun,
  type LocalRun,
  type LocalRunHooks,
  type ShardFeed,
  type ShardInfo,
} from './stream-runner.js'

/** Options of {@link runLocal} for a DynamoDB stream. */
export interface DynamoDBLocalOptions extends StreamMappingSettings, FunctionSettings, LocalRunHooks {
  readonly source: 'dynamodb'
  /** The DynamoDB Streams client to read with (`@aws-sdk/client-dynamodb-streams`). */
  readonly client: SdkClient
  /** The stream's ARN: the table's `LatestStreamArn`. It is the events' `eventSourceARN`. */
  readonly streamArn: string
  /** How long a shard's poller waits after an empty read. Default 250 ms: Lambda polls 4 times a second. */
  readonly pollIntervalMs?: number
  /** Used in the function ARN of failure records and in the context. Default `'local-function'`. */
  readonly functionName?: string
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
  const position = options.StartingPosition ?? 'TRIM_HORIZON'
  const d: DynamoDBStream = { sdk, client, streamArn, position, pollIntervalMs, logger }
  const shards = await listShards(d)
  // LATEST means the records written after the mapping starts: every shard's iterator is taken now.
  const iterators = new Map(await Promise.all(shards.map(async ({ shardId }) => [shardId, await iteratorOf(d, shardId, true)] as const)))
  // Fact 110: DynamoDB Local (region 'ddblocal') cuts ApproximateCreationDateTime to the minute.
  const local = region === 'ddblocal'

  return startStreamRun(handler, {
    destination: options.DestinationConfig?.OnFailure?.Destination,
    source: dynamodbSource,
    settings: s,
    functionArn: `arn:aws:lambda:${region || 'us-east-1'}:${account || '000000000000'}:function:${options.functionName ?? DEFAULT_FUNCTION_NAME}`,
    ...accept,
    shards,
    reader: {
      list: () => listShards(d),
      read: (feed, shardId, atStart) => readShard(d, feed, shardId, atStart, atStart ? iterators.get(shardId) : undefined),
    },
    pollIntervalMs,
    logger,
    signal: options.signal,
    onInvocation: options.onInvocation,
    ...(local ? { arrival: minuteArrival, assumptions: [LOCAL_AGE_ASSUMPTION] } : {}),
  })
}

const LOCAL_AGE_ASSUMPTION =
  "DynamoDB Local gives each change's ApproximateCreationDateTime cut to the minute (AWS gives whole seconds): the run takes a change as created at the earlier of that minute's end and the moment it read the change, so record ages (MaximumRecordAgeInSeconds), tumbling windows and the failure records' arrival times are approximate there, and a record never expires before its real age; the events carry the server's time unchanged."

/**
 * When a change read from DynamoDB Local was made: no earlier than its minute (the time it
 * carries), no later than the minute's end or the moment it was read, whichever comes first.
 * Taking the latest possible time keeps a record from expiring before its real age.
 */
function minuteArrival(item: StreamItem<DynamoDBRecord>, readAtMs: number): number {
  const carried = item.arrivalMs
  if (carried % 60_000 !== 0) return carried // not cut to the minute: trust it
  return Math.max(carried, Math.min(carried + 59_999, readAtMs))
}

type DynamoDBStreamsSdk = typeof import('@aws-sdk/client-dynamodb-streams')

/** The stream a DynamoDB run reads, and how. */
interface DynamoDBStream {
  readonly sdk: DynamoDBStreamsSdk
  readonly client: DynamoDBStreamsClient
  readonly streamArn: string
  readonly position: 'TRIM_HORIZON' | 'LATEST'
  readonly pollIntervalMs: number
  readonly logger: RecordLogger
}

/** Every shard of the stream with its parent, every page of `DescribeStream`. */
async function listShards(d: DynamoDBStream): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = []
  let start: string | undefined
  do {
    const page = await d.client.send(
      new d.sdk.DescribeStreamCommand({ StreamArn: d.streamArn, ...(start === undefined ? {} : { ExclusiveStartShardId: start }) }),
    )
    for (const shard of page.StreamDescription?.Shards ?? [])
      if (shard.ShardId !== undefined)
        shards.push({ shardId: shard.ShardId, parents: shard.ParentShardId === undefined ? [] : [shard.ParentShardId] })
    start = page.StreamDescription?.LastEvaluatedShardId
  } while (start !== undefined)
  return shards
}

/** A shard's iterator: at the mapping's starting position, after a sequence number, or (a child found later) at its beginning. */
async function iteratorOf(d: DynamoDBStream, ShardId: string, atStart: boolean, after?: string): Promise<string | undefined> {
  const StreamArn = d.streamArn
  const out = await d.client.send(
    new d.sdk.GetShardIteratorCommand(
      after !== undefined
        ? { StreamArn, ShardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
        : { StreamArn, ShardId, ShardIteratorType: atStart ? d.position : 'TRIM_HORIZON' },
    ),
  )
  return out.ShardIterator
}

/** Polls one shard with `GetRecords`; resolves true once it is closed and read to its end. */
async function readShard(
  d: DynamoDBStream,
  feed: ShardFeed<DynamoDBRecord>,
  shardId: string,
  atStart: boolean,
  taken: string | undefined,
): Promise<boolean> {
  const { sdk, client, streamArn } = d
  let last: string | undefined
  const get = (ShardIterator: string) =>
    client.send(new sdk.GetRecordsCommand({ ShardIterator, Limit: 1000 }), { abortSignal: feed.signal })
  const iterator = taken ?? (await iteratorOf(d, shardId, atStart))
  return pollShard(
    feed,
    shardId,
    iterator,
    async (iterator) => {
      let out: GetRecordsCommandOutput
      try {
        out = await get(iterator)
      } catch (e) {
        // Iterators expire after 15 minutes (a child waiting on its parent, say): take a new one where reading stopped.
        if ((e as { name?: unknown }).name !== 'ExpiredIteratorException') throw e
        const fresh = await iteratorOf(d, shardId, atStart, last)
        if (fresh === undefined) return { records: [], next: undefined }
        out = await get(fresh)
      }
      const records = out.Records ?? []
      last = records[records.length - 1]?.dynamodb?.SequenceNumber ?? last
      return { records: records.map((r) => lambdaDynamoDBRecord(r, streamArn)), next: out.NextShardIterator ?? undefined }
    },
    { intervalMs: d.pollIntervalMs, logger: d.logger, what: 'GetRecords' },
  )
}
