import type { DynamoDBWindowEvent } from '../windows/dynamodb.js'
import type { KinesisWindowEvent } from '../windows/kinesis.js'
import type { Context, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord, SQSEvent } from 'aws-lambda'
import { ConfigurationError } from '../engine/errors.js'
import { describeValue } from '../engine/options.js'
import { compileFilterVerdict } from '../filtering/filter.js'
import type { InvocationReport, MappingReport } from './report.js'
import {
  checkSettings,
  configError,
  MAX_DATE_MS,
  MAPPING_SETTING_NAMES,
  SIMULATION_CLOCK_SETTINGS,
  STREAM_SETTINGS,
  STREAM_SIMULATION_SETTINGS,
  streamSettings,
  timeAfter,
  type FunctionSettings,
  type SettingsTable,
  type StreamMappingSettings,
} from './settings.js'
import { requestIds, virtualCaller } from './invocation.js'
import { createStreamMapping, startAssumptions, startAt, STREAM_ASSUMPTIONS } from './stream-mapping.js'
import { dynamodbSource } from '../sources/dynamodb/index.js'
import { kinesisSource } from '../sources/kinesis/index.js'
import { kinesisRecordsOf, streamItem, type KinesisPut, type StreamSource } from './stream-rows.js'
import type { StreamItem } from './rules.js'
import { simulateSqs, sqsRunSettings, type SqsSimulation } from './sqs.js'
import type { EventSourceMapping } from './mapping.js'
import { kafkaSettings, simulateKafka, type KafkaSimulation } from './kafka.js'
import { withMetrics } from './metrics.js'
import type { KafkaEvent } from '../sources/kafka/types.js'

/** What every simulation takes besides the source: the clock, the function, a seed. */
export interface SimulationClock extends FunctionSettings {
  /** The virtual clock's start. Default: the earliest given record's arrival, or 2026-01-01T00:00:00Z. */
  readonly start?: Date
  /**
   * How long each invocation takes on the virtual clock, in ms (default 0): a number, or a function
   * of the event. An invocation longer than `timeoutSeconds` fails with a timeout, whatever the
   * function returned (its side effects stay done, as on Lambda).
   */
  readonly durationMs?: number | ((event: never) => number)
  /** Seeds the request ids, so that two runs give the same report. Default 1. */
  readonly seed?: number
  /** How long the stream keeps records, in hours. Default 24 (Kinesis' default); DynamoDB's is fixed at 24 and takes no other. */
  readonly retentionHours?: number
  /** A guard against a simulation that never ends. Default 100,000. */
  readonly maxInvocations?: number
  /** Called after each invocation with it and the number of records settled so far, for progress. */
  readonly onInvocation?: (invocation: InvocationReport, settled: number) => void
}

/** A Kinesis simulation: records put on a stream of `shards` shards, read by the mapping. */
export interface KinesisSimulation extends StreamMappingSettings, SimulationClock {
  readonly source: 'kinesis'
  /**
   * What is on the stream: puts (`{ data, partitionKey, at }`, spread over shards by partition key
   * as Kinesis does), or records built by the test kit (`kinesisEvent(...).Records`, kept in their
   * shard), or a whole event.
   */
  readonly records: readonly (KinesisPut | KinesisStreamRecord)[] | KinesisStreamEvent
  /** Shards for puts. Default 1. */
  readonly shards?: number
  /** Default `'simulated-stream'`. */
  readonly streamName?: string
  /** How long each invocation takes on the virtual clock, in ms: a number, or a function of the event. */
  readonly durationMs?: number | ((event: KinesisStreamEvent) => number)
}

/** A DynamoDB Streams simulation: stream records (from the test kit or captured), in one shard unless they say otherwise. */
export interface DynamoDBSimulation extends StreamMappingSettings, SimulationClock {
  readonly source: 'dynamodb'
  /** Records in stream order; `ApproximateCreationDateTime` is their arrival. */
  readonly records: readonly DynamoDBRecord[] | DynamoDBStreamEvent
  /** How long each invocation takes on the virtual clock, in ms: a number, or a function of the event. */
  readonly durationMs?: number | ((event: DynamoDBStreamEvent) => number)
}

/**
 * A simulation of a mapping read by `readMappings` (or built by hand in its shape): the mapping's
 * settings, the stream's shards, the queue's and the function's settings all come from it; the
 * records and the clock from the test.
 */
export interface MappingSimulation extends Omit<SimulationClock, 'timeoutSeconds'> {
  readonly mapping: EventSourceMapping
  /** What is on the stream, queue or topic, as for a `source: 'kinesis'`, `'dynamodb'`, `'sqs'` or `'kafka'` simulation. */
  readonly records: KinesisSimulation['records'] | DynamoDBSimulation['records'] | SqsSimulation['records'] | KafkaSimulation['records']
  /** Kinesis: default `'simulated-stream'`. */
  readonly streamName?: string
  /** Tumbling windows: how long after a window's end the mapping waits for its late records. Default 120. */
  readonly windowGraceSeconds?: number
}

/**
 * A Lambda handler for event `E`, as `simulate()` takes it: any `(event, context, callback?) =>
 * unknown`, so a handler typed `KinesisStreamHandler`, `SQSHandler` or `DynamoDBStreamHandler`
 * (Powertools, Middy) is taken as it is.
 */
export type Lambda<E> = (event: E, context: Context, callback: never) => unknown

/** The simulation type of options `O`, by their `source`. */
type SimulationOf<O> = O extends { readonly source: 'kinesis' }
  ? KinesisSimulation
  : O extends { readonly source: 'dynamodb' }
    ? DynamoDBSimulation
    : SqsSimulation

/** The handler options `O` expect: the source's event, with the window's fields under `TumblingWindowInSeconds`. */
export type ExpectedHandler<O> = O extends { readonly source: 'kinesis' }
  ? O extends { readonly TumblingWindowInSeconds: number }
    ? Lambda<KinesisWindowEvent>
    : Lambda<KinesisStreamEvent>
  : O extends { readonly source: 'dynamodb' }
    ? O extends { readonly TumblingWindowInSeconds: number }
      ? Lambda<DynamoDBWindowEvent>
      : Lambda<DynamoDBStreamEvent>
    : Lambda<SQSEvent>

const NAME = 'simulate'
const DEFAULT_START = Date.UTC(2026, 0, 1)
/** The options of a stream simulation. */
const SIMULATION_SETTINGS: SettingsTable = {
  ...SIMULATION_CLOCK_SETTINGS,
  ...STREAM_SIMULATION_SETTINGS,
  ...STREAM_SETTINGS,
}

/**
 * Runs a handler as a Kinesis, DynamoDB Streams, SQS or Kafka event source mapping would, on a virtual
 * clock. Streams: batching, one batch per shard (or per lane under a parallelization factor),
 * retries, bisection, partial batch responses and the checkpoint, record age, the 6 MB limit.
 * Kafka: the same rules with one lane per partition, the 500 ms batching window, provisioned
 * mode's error handling, and the on-failure record of each destination kind.
 * SQS: the visibility timeout, `maxReceiveCount` and the dead-letter queue, FIFO message groups,
 * `ScalingConfig.MaximumConcurrency`. All: the function timeout.
 * Deterministic: the same handler and options give the same report.
 *
 * The report lists every invocation (event, response or error), every record's fate and delivery
 * count, each shard's checkpoint, the failure-destination records, the costly cases (records
 * discarded behind a poison record, partial responses ignored, duplicates), the metrics the mapping
 * would publish to CloudWatch (`report.metrics`, in total and per minute), and the choices made
 * where AWS's behaviour is undocumented.
 *
 * @example
 * ```ts
 * const report = await simulate(handler, {
 *   source: 'kinesis',
 *   records: [{ data: { orderId: 'o-1', total: 5 } }, { data: 'not an order' }, { data: { orderId: 'o-3', total: 7 } }],
 *   BatchSize: 10,
 *   MaximumRetryAttempts: 2,
 *   FunctionResponseTypes: ['ReportBatchItemFailures'],
 * })
 * report.outcomes.map((o) => o.fate) // ['succeeded', 'discarded', 'discarded']
 * report.costly.discardedBehindFailure // the sequence number of o-3: lost with the poison record
 * ```
 */
export function simulate(handler: Lambda<KinesisStreamEvent>, options: KinesisSimulation): Promise<MappingReport>
export function simulate(handler: Lambda<DynamoDBStreamEvent>, options: DynamoDBSimulation): Promise<MappingReport>
export function simulate(handler: Lambda<SQSEvent>, options: SqsSimulation): Promise<MappingReport>
export function simulate(handler: Lambda<KafkaEvent>, options: KafkaSimulation): Promise<MappingReport>
export function simulate(handler: Lambda<never>, options: MappingSimulation): Promise<MappingReport>
export function simulate(
  handler: Lambda<KinesisWindowEvent>,
  options: KinesisSimulation & { readonly TumblingWindowInSeconds: number },
): Promise<MappingReport>
export function simulate(
  handler: Lambda<DynamoDBWindowEvent>,
  options: DynamoDBSimulation & { readonly TumblingWindowInSeconds: number },
): Promise<MappingReport>
// Last, so that a handler no overload takes is reported against the handler its options expect.
export function simulate<O extends KinesisSimulation | DynamoDBSimulation | SqsSimulation>(
  handler: ExpectedHandler<O>,
  options: O & { readonly [K in Exclude<keyof O, keyof SimulationOf<O>>]: never },
): Promise<MappingReport>
export async function simulate(
  lambda: Lambda<never>,
  given: KinesisSimulation | DynamoDBSimulation | SqsSimulation | KafkaSimulation | MappingSimulation,
): Promise<MappingReport> {
  if (typeof lambda !== 'function')
    configError(NAME, `the first argument must be the Lambda handler, a function; received ${describeValue(lambda)}.`)
  if (typeof given !== 'object' || given === null)
    configError(NAME, `the options must be an object with \`source\` and \`records\`; received ${describeValue(given)}.`)
  const options = 'mapping' in given ? simulationOf(given) : given
  const handler = withCallback(lambda)
  const simulated =
    options.source === 'sqs'
      ? await simulateSqs(handler as (event: SQSEvent, context: Context) => unknown, options)
      : options.source === 'kafka'
        ? await simulateKafka(handler as (event: KafkaEvent, context: Context) => unknown, options)
        : await simulateStream(handler, options)
  // What the template sets that no simulation models is said, never silently dropped.
  const notSimulated = 'mapping' in given ? (given.mapping.notSimulated ?? []) : []
  const report = notSimulated.length === 0 ? simulated : { ...simulated, assumptions: [...simulated.assumptions, ...notSimulated] }
  // The mapping's own CloudWatch metrics, the same for every source (facts 133-143).
  return withMetrics(report, {
    source: options.source,
    destination: options.source !== 'sqs' && options.DestinationConfig?.OnFailure?.Destination !== undefined,
    filter: options.FilterCriteria !== undefined,
  })
}

/** `simulate()` for a Kinesis or DynamoDB Streams mapping. */
async function simulateStream(
  handler: (event: never, context: Context) => unknown,
  options: KinesisSimulation | DynamoDBSimulation,
): Promise<MappingReport> {
  checkSettings(NAME, options, SIMULATION_SETTINGS)
  const seed = options.seed ?? 1
  const maxInvocations = options.maxInvocations ?? 100_000
  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${options.functionName ?? 'simulated-function'}`
  const list = Array.isArray(options.records) ? options.records : (options.records as { Records?: unknown } | undefined)?.Records
  if (!Array.isArray(list))
    configError(NAME, `\`records\` must be an array of records or an event with \`Records\`; received ${describeValue(options.records)}.`)

  let items: StreamItem[]
  let source: StreamSource<unknown>
  let startMs: number
  if (options.source === 'kinesis') {
    source = kinesisSource as StreamSource<unknown>
    const shards = options.shards ?? 1
    const built = list.filter((r): r is KinesisStreamRecord => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:kinesis')
    const puts = list.filter((r) => (r as { eventSource?: unknown } | null)?.eventSource !== 'aws:kinesis') as KinesisPut[]
    puts.forEach((p, i) => {
      if (typeof p !== 'object' || p === null || !('data' in p))
        configError(NAME, `records[${i}] must be a put \`{ data, partitionKey?, at? }\` or a Lambda Kinesis record.`)
      if (
        p.partitionKey !== undefined &&
        (typeof p.partitionKey !== 'string' || p.partitionKey.length < 1 || p.partitionKey.length > 256)
      ) {
        configError(NAME, `records[${i}].partitionKey must be a string of 1 to 256 characters, as Kinesis requires.`)
      }
    })
    const earliest = built.reduce((m, r) => Math.min(m, Math.round(r.kinesis.approximateArrivalTimestamp * 1000)), Infinity)
    startMs = options.start?.getTime() ?? (earliest === Infinity ? DEFAULT_START : earliest)
    for (const [i, p] of puts.entries()) if (p.at !== undefined) timeAfter(NAME, `records[${i}].at`, startMs, p.at)
    const fromPuts = kinesisRecordsOf(puts, {
      shards,
      startMs,
      streamName: options.streamName ?? 'simulated-stream',
      region: 'us-east-1',
      accountId: '123456789012',
    })
    items = [...built, ...fromPuts].map((r, i) => itemOf(source, r, i))
  } else if (options.source === 'dynamodb') {
    const kinesisOnly = ['shards', 'streamName'].filter((k) => k in options)
    if (kinesisOnly.length > 0)
      configError(
        NAME,
        `${kinesisOnly.map((k) => `\`${k}\``).join(', ')} only apply to Kinesis; DynamoDB records keep the shard of their stream.`,
      )
    // Fact 34: a DynamoDB stream keeps its records 24 hours, which no setting changes.
    if (options.retentionHours !== undefined && options.retentionHours !== 24)
      configError(
        NAME,
        '`retentionHours` is fixed at 24 for DynamoDB Streams; leave it out. To see records age out sooner, set `MaximumRecordAgeInSeconds`.',
      )
    // §11.12: AWS refuses AT_TIMESTAMP for DynamoDB Streams.
    if (options.StartingPosition === 'AT_TIMESTAMP')
      configError(NAME, "`StartingPosition: 'AT_TIMESTAMP'` is not available for DynamoDB Streams; use 'TRIM_HORIZON' or 'LATEST'.")
    source = dynamodbSource as StreamSource<unknown>
    // A record without ApproximateCreationDateTime (AWS's sample events have none) reached the
    // stream when the simulation starts: its age counts from there, not from 1970 (facts 33-34).
    // NaN marks it until the start is known, which the dated records decide.
    items = (list as DynamoDBRecord[]).map((r, i) => itemOf(source, r, i, Number.NaN))
    const earliest = items.reduce((m, i) => (Number.isNaN(i.arrivalMs) ? m : Math.min(m, i.arrivalMs)), Infinity)
    startMs = options.start?.getTime() ?? (earliest === Infinity ? DEFAULT_START : earliest)
    const arrived = startMs
    items = items.map((i) => (Number.isNaN(i.arrivalMs) ? { ...i, arrivalMs: arrived } : i))
  } else {
    return configError(
      NAME,
      `\`source\` must be 'kinesis', 'dynamodb', 'sqs' or 'kafka'; received ${describeValue((options as { source?: unknown }).source)}.`,
    )
  }
  const seen = new Set<string>()
  for (const i of items) {
    const id = `${i.shardId}:${i.id}`
    if (seen.has(id))
      configError(
        NAME,
        `two records share shard ${i.shardId} and sequence number ${i.id}; give each built event its own \`firstSequenceNumber\` (or shard).`,
      )
    seen.add(id)
  }
  // Stream order: by shard, then sequence number.
  items.sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))

  const s = streamSettings(NAME, options, startMs)
  const accept = options.FilterCriteria === undefined ? {} : { accept: compileFilterVerdict(options.FilterCriteria, options.source) }
  const mapping = createStreamMapping(source, s, {
    functionArn,
    timeoutMs: s.timeoutMs,
    nextRequestId: requestIds(seed),
    assumptions: [...STREAM_ASSUMPTIONS, ...startAssumptions(options)],
    destination: options.DestinationConfig?.OnFailure?.Destination,
    ...accept,
  })
  startAt(mapping, items, options, startMs)

  const call = virtualCaller(handler, options.durationMs ?? 0, s.timeoutMs)

  let count = 0
  let retrying = false
  let now = startMs
  for (let next = mapping.next(); next !== undefined; next = mapping.next()) {
    if (++count > maxInvocations) {
      configError(
        NAME,
        retrying
          ? `stopped after ${maxInvocations} batches: the mapping was still retrying. Set MaximumRetryAttempts or MaximumRecordAgeInSeconds, or raise \`maxInvocations\`.`
          : `stopped after ${maxInvocations} batches with records still to deliver; raise \`maxInvocations\`.`,
      )
    }
    now = Math.max(startMs, next.at)
    const invocation = await mapping.run(next.lane, now, call, (started, result) => started + result.durationMs)
    if (invocation !== undefined && invocation.result !== 'success') retrying = true
    if (invocation !== undefined) options.onInvocation?.(invocation, mapping.settledCount())
  }
  return mapping.report(now)
}

/** A given record as the rules see it; one the source cannot read is refused, naming it. */
function itemOf(source: StreamSource<unknown>, record: unknown, index: number, arrivalMs?: number): StreamItem {
  let item: StreamItem
  try {
    item = streamItem(source, record, undefined, arrivalMs)
  } catch (e) {
    if (e instanceof TypeError) configError(NAME, `records[${index}] is not a record of this source: ${e.message}`)
    // The source refuses an arrival time that is not a number, as the handler would.
    return configError(NAME, `records[${index}]: ${e instanceof Error ? e.message : describeValue(e)}`)
  }
  // The report, the failure records and the windows write the arrival as a date.
  // NaN is the caller's mark for "no time given" (DynamoDB), never a record's own time.
  const noTime = Number.isNaN(item.arrivalMs) && arrivalMs !== undefined
  if (!noTime && !(Math.abs(item.arrivalMs) <= MAX_DATE_MS))
    configError(
      NAME,
      `records[${index}] (sequence number ${item.id}) has ${source.name === 'kinesisHandler' ? 'kinesis.approximateArrivalTimestamp' : 'dynamodb.ApproximateCreationDateTime'} ${item.arrivalMs / 1000}: not a time in epoch seconds that a Date holds.`,
    )
  return item
}

/** The settings a mapping decides: given beside `mapping`, they would contradict it. */
const FROM_MAPPING = new Set<string>([
  'source',
  ...MAPPING_SETTING_NAMES,
  'timeoutSeconds',
  'shards',
  'fifo',
  'visibilityTimeoutSeconds',
  'maxReceiveCount',
  'cluster',
])

/**
 * The simulator's options for a mapping: its settings as they are, the source's and the function's
 * under the simulator's names. The one way a mapping becomes settings; `simulate()` and
 * `checkMapping()` then check them with the same tables.
 */
export function simulationOf(o: MappingSimulation): KinesisSimulation | DynamoDBSimulation | SqsSimulation | KafkaSimulation {
  const { mapping, ...rest } = o
  if (typeof mapping !== 'object' || mapping === null || typeof mapping.settings !== 'object' || mapping.settings === null)
    configError(NAME, `\`mapping\` must be a mapping read by readMappings(); received ${describeValue(mapping)}.`)
  const clash = Object.keys(rest).filter((k) => FROM_MAPPING.has(k))
  if (clash.length > 0)
    configError(
      NAME,
      `${clash.map((k) => `\`${k}\``).join(', ')} come${clash.length === 1 ? 's' : ''} from \`mapping\` (${mapping.logicalId}); leave ${clash.length === 1 ? 'it' : 'them'} out, or change the template.`,
    )
  const src = mapping.sourceSettings ?? {}
  const timeout = mapping.function?.Timeout === undefined ? {} : { timeoutSeconds: mapping.function.Timeout }
  if (mapping.source === 'sqs') {
    const { MaximumConcurrency } = mapping.settings.ScalingConfig ?? {}
    return {
      ...(rest as Omit<SqsSimulation, 'source'>),
      ...(mapping.settings as object),
      source: 'sqs',
      ...(MaximumConcurrency === undefined ? { ScalingConfig: undefined } : {}),
      ...timeout,
      ...(src.VisibilityTimeout === undefined ? {} : { visibilityTimeoutSeconds: src.VisibilityTimeout }),
      ...(src.RedrivePolicy?.maxReceiveCount === undefined ? {} : { maxReceiveCount: src.RedrivePolicy.maxReceiveCount }),
      ...(src.FifoQueue === undefined ? {} : { fifo: src.FifoQueue }),
    } as SqsSimulation
  }
  if (mapping.source === 'kafka')
    return {
      ...(rest as object),
      ...(mapping.settings as object),
      source: 'kafka',
      ...timeout,
      ...(src.Cluster === undefined ? {} : { cluster: src.Cluster }),
    } as KafkaSimulation
  if (mapping.source !== 'kinesis' && mapping.source !== 'dynamodb')
    configError(NAME, `the mapping ${mapping.logicalId} reads ${describeValue(mapping.source)}, which the simulator does not know.`)
  return {
    ...(rest as object),
    ...(mapping.settings as object),
    source: mapping.source,
    ...timeout,
    ...(mapping.source === 'kinesis' && src.ShardCount !== undefined ? { shards: src.ShardCount } : {}),
  } as KinesisSimulation | DynamoDBSimulation
}

/**
 * Checks a mapping's settings as `simulate()` checks them, with the same tables: `undefined` when
 * they are settings AWS would take, else the reason.
 */
export function mappingProblem(mapping: EventSourceMapping): string | undefined {
  try {
    const o = simulationOf({ mapping, records: [] })
    // Fact 75: Lambda checks the filter patterns when the mapping is created.
    if (o.FilterCriteria !== undefined) compileFilterVerdict(o.FilterCriteria, o.source)
    if (o.source === 'sqs') sqsRunSettings({ ...o, records: [] })
    else if (o.source === 'kafka') kafkaSettings(NAME, { ...o, records: [] })
    else {
      checkSettings(NAME, o, SIMULATION_SETTINGS)
      if (o.source === 'dynamodb' && o.StartingPosition === 'AT_TIMESTAMP')
        configError(NAME, "`StartingPosition: 'AT_TIMESTAMP'` is not available for DynamoDB Streams; use 'TRIM_HORIZON' or 'LATEST'.")
      streamSettings(NAME, o)
    }
    return undefined
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message.replace(/^simulate: /, '')
    throw e
  }
}

/**
 * The handler as `(event, context) => Promise`: one that takes a third parameter gets Lambda's
 * callback, and its answer is the callback's or its promise's, whichever comes first.
 */
export function withCallback(handler: Lambda<never>): (event: never, context: Context) => unknown {
  if (handler.length < 3) return handler as (event: never, context: Context) => unknown
  return (event, context) =>
    new Promise((resolve, reject) => {
      const callback = (error: unknown, result?: unknown): void => (error === null || error === undefined ? resolve(result) : reject(error))
      const returned = (handler as (e: unknown, c: Context, cb: typeof callback) => unknown)(event, context, callback)
      if (typeof (returned as { then?: unknown } | null)?.then === 'function') (returned as Promise<unknown>).then(resolve, reject)
    })
}
