/**
 * Kafka in the simulator (Amazon MSK and self-managed Apache Kafka). The mapping's rules are pure
 * functions here: its settings (provisioned mode's error handling, the 500 ms batching window, the
 * 10-retry cap), its records as the stream rules read them (one lane per partition), its event,
 * its object identifier, and what each kind of on-failure destination receives.
 * {@link simulateKafka} runs them on the stream mapping of `stream-mapping.ts`.
 */
import type { Context } from 'aws-lambda'
import { MalformedEventError } from '../engine/errors.js'
import { describeValue, isFunction } from '../engine/options.js'
import { compileFilterVerdict } from '../filtering/filter.js'
import { kafkaSource } from '../sources/kafka/index.js'
import type { KafkaEvent, KafkaRecord } from '../sources/kafka/types.js'
import { payloadBytes, type RawData } from '../testing/raw.js'
import { requestIds, virtualCaller } from './invocation.js'
import type { MappingReport } from './report.js'
import type { StreamItem, StreamSettings } from './rules.js'
import {
  checkSettings,
  configError,
  destinationKind,
  isProvisioned,
  KAFKA_MAPPING_SETTINGS,
  type KafkaDestinationKind,
  type KafkaMappingSettings,
  kafkaModeProblem,
  STREAM_SETTINGS,
  type SettingsTable,
  streamSettings,
  TOPIC,
  TOPIC_SIMULATION_SETTINGS,
  unchecked,
} from './settings.js'
import type { SimulationClock } from './simulate.js'
import {
  createStreamMapping,
  startAssumptions,
  startAt,
  STREAM_ASSUMPTIONS,
  type FailureContext,
  type FailureSent,
} from './stream-mapping.js'
import { failureHead, withPayload, type FailureDestinationRecord, type StreamSource } from './stream-rows.js'

export type { KafkaDestinationKind, KafkaMappingSettings }

/** One record produced to the simulated topic. */
export interface KafkaProduce {
  /** The value: JSON-encoded, unless it is `raw(...)` or a `Uint8Array`; `null` is a tombstone. */
  readonly value: unknown
  /** The key, as text (stored as UTF-8). Default: none. */
  readonly key?: string
  /** Default: the simulation's `topic`. */
  readonly topic?: string
  /** Default 0. Each partition is read in order, partitions side by side. */
  readonly partition?: number
  /** When the record is produced (its timestamp), in ms after the simulation's start. Default 0. */
  readonly at?: number
}

/**
 * A Kafka simulation: records produced to the partitions of a topic (or built by the test kit), read by the mapping.
 *
 * @example
 * ```ts
 * const mapping: KafkaSimulation = {
 *   source: 'kafka',
 *   topic: 'orders',
 *   records: [{ value: { orderId: 'o-1', total: 5 } }, { value: 'not an order' }, { value: { orderId: 'o-3', total: 7 } }],
 *   ProvisionedPollerConfig: { MinimumPollers: 1 },
 *   FunctionResponseTypes: ['ReportBatchItemFailures'],
 *   MaximumRetryAttempts: 2,
 *   DestinationConfig: { OnFailure: { Destination: 'kafka://orders-failed' } },
 * }
 * ```
 */
export interface KafkaSimulation extends KafkaMappingSettings, Omit<SimulationClock, 'durationMs' | 'retentionHours'> {
  readonly source: 'kafka'
  /** Records produced (`{ value, key?, partition?, at? }`), records built by the test kit, or a whole event (`kafkaEvent(...)`). */
  readonly records: readonly (KafkaProduce | KafkaRecord)[] | KafkaEvent
  /** The cluster's kind, for the event: `'msk'` (default) or `'self-managed'`. A given event keeps its own. */
  readonly cluster?: 'msk' | 'self-managed'
  /** The topic of produced records. Default `'simulated-topic'`. */
  readonly topic?: string
  /** How long the topic keeps records, in hours. Default 168 (Kafka's `log.retention.hours`). */
  readonly retentionHours?: number
  /** How long each invocation takes on the virtual clock, in ms: a number, or a function of the event. */
  readonly durationMs?: number | ((event: KafkaEvent) => number)
}

/** Where one partition's discarded records lie (SQS, SNS and S3 destinations). */
export interface KafkaPartitionInfo {
  readonly firstRecordOffset: string
  readonly lastRecordOffset: string
  readonly firstRecordTimestamp: string
  readonly lastRecordTimestamp: string
}

/**
 * The `KafkaBatchInfo` of a Kafka mapping's on-failure record. SQS, SNS and S3 destinations get
 * `recordsInfo`, keyed by `"<topic>-<partition>"`; a Kafka topic destination gets one message per
 * record, with `recordInfo`.
 */
export interface KafkaBatchInfo {
  readonly batchSize: number
  /** The cluster's ARN (Amazon MSK; absent for self-managed Kafka). */
  readonly eventSourceArn?: string
  readonly bootstrapServers: string
  /** The size of the event that held the records, in bytes. */
  readonly payloadSize: number
  readonly recordsInfo?: Readonly<Record<string, KafkaPartitionInfo>>
  readonly recordInfo?: { readonly offset: string; readonly timestamp: string }
}

/**
 * What a Kafka mapping's on-failure destination receives, as a consumer of that queue, topic or
 * bucket reads it: the failure's context and {@link KafkaBatchInfo}; for S3 the event as a JSON
 * string in `payload`, for a Kafka topic the one record's event.
 *
 * @example
 * ```ts
 * const failure = JSON.parse(body) as KafkaFailureRecord
 * const { condition } = failure.requestContext
 * ```
 */
export interface KafkaFailureRecord extends Omit<FailureDestinationRecord, 'KinesisBatchInfo' | 'DDBStreamBatchInfo' | 'KafkaBatchInfo'> {
  readonly KafkaBatchInfo: KafkaBatchInfo
}

const NAME = 'simulate'
const DEFAULT_START = Date.UTC(2026, 0, 1)
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A reported `itemIdentifier` as text: a non-empty string as it is, a Kafka identifier
 * (`{ partition: "<topic>-<partition>", offset }`) as `"<topic>-<partition>:<offset>"`, the text
 * a Kafka record's outcome and log lines carry. `undefined` for anything else.
 */
export function itemIdentifierText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw === '' ? undefined : raw
  return kafkaIdentifierText(raw)
}

// Fact 100.
/** A Kafka `itemIdentifier` as text; `undefined` unless it is `{ partition: string, offset: whole number }`. */
export function kafkaIdentifierText(raw: unknown): string | undefined {
  if (!isPlainObject(raw)) return undefined
  const { partition, offset } = raw
  if (typeof partition !== 'string' || partition === '' || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
    return undefined
  return `${partition}:${offset}`
}

const pick = (table: SettingsTable, ...keys: readonly string[]): SettingsTable => Object.fromEntries(keys.map((k) => [k, table[k] ?? null]))

/** The options of a Kafka simulation, each with its check: the mapping's settings and the simulation's own. */
export const KAFKA_SETTINGS: SettingsTable = {
  ...unchecked('source', 'records', 'start', 'functionName'),
  ...pick(STREAM_SETTINGS, 'timeoutSeconds', 'retryDelayMs'),
  ...KAFKA_MAPPING_SETTINGS,
  seed: [Number.isInteger, 'a whole number'],
  maxInvocations: [(v) => Number.isSafeInteger(v) && (v as number) >= 1, 'a whole number, 1 or more'],
  onInvocation: [isFunction, 'a function'],
  durationMs: [
    (v) => isFunction(v) || (typeof v === 'number' && Number.isFinite(v) && v >= 0),
    'a number of milliseconds, 0 or more, or a function of the event',
  ],
  ...TOPIC_SIMULATION_SETTINGS,
}

/** The rules' settings of a Kafka mapping, and what the simulator needs besides. */
export interface KafkaRunSettings extends StreamSettings {
  readonly timeoutMs: number
  readonly provisioned: boolean
  readonly destination: { readonly kind: KafkaDestinationKind; readonly topic?: string } | undefined
}

/**
 * Checks a Kafka mapping's settings as Lambda does when the mapping is created, and gives them in
 * milliseconds with Kafka's defaults: the 500 ms batching window, retries until the
 * records leave the topic, and at most 10 retries when an on-failure destination meets infinite
 * retries in provisioned mode. Outside provisioned mode the error-handling settings and
 * a Kafka topic destination are refused.
 */
export function kafkaSettings(name: string, o: KafkaSimulation): KafkaRunSettings {
  // Fact 105: no tumbling windows for Kafka, and no parallelization factor.
  for (const key of ['TumblingWindowInSeconds', 'ParallelizationFactor', 'windowGraceSeconds', 'shards', 'streamName']) {
    if (key in o)
      configError(
        name,
        `\`${key}\` does not apply to Kafka: ${key === 'ParallelizationFactor' || key === 'shards' ? 'each partition is read in order by one consumer; add partitions instead' : key === 'streamName' ? 'name the `topic`' : 'Lambda has no tumbling windows for Kafka'}.`,
      )
  }
  checkSettings(name, o, KAFKA_SETTINGS)
  const provisioned = isProvisioned(o.ProvisionedPollerConfig)
  const destination = o.DestinationConfig?.OnFailure?.Destination
  const kind = destination === undefined ? undefined : destinationKind(destination)
  // Facts 106 and 124: the error-handling controls need provisioned mode.
  const problem = kafkaModeProblem(o)
  if (problem !== undefined) configError(name, problem)
  if (o.topic !== undefined && o.Topics !== undefined && o.Topics[0] !== o.topic)
    configError(name, `\`topic\` (${o.topic}) is not the mapping's topic, \`Topics: ['${o.Topics[0]}']\`; give one of them.`)
  // Fact 123: the destination topic must not be one the mapping reads.
  if (kind === 'kafka' && o.Topics?.includes((destination as string).slice(8)))
    configError(name, `the on-failure destination ${destination} is a topic the mapping reads; Lambda refuses it.`)
  const s = streamSettings(name, {
    ...(o.BatchSize === undefined ? {} : { BatchSize: o.BatchSize }),
    ...(o.StartingPosition === undefined ? {} : { StartingPosition: o.StartingPosition }),
    ...(o.StartingPositionTimestamp === undefined ? {} : { StartingPositionTimestamp: o.StartingPositionTimestamp }),
    ...(o.BisectBatchOnFunctionError === undefined ? {} : { BisectBatchOnFunctionError: o.BisectBatchOnFunctionError }),
    ...(o.MaximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: o.MaximumRetryAttempts }),
    ...(o.MaximumRecordAgeInSeconds === undefined ? {} : { MaximumRecordAgeInSeconds: o.MaximumRecordAgeInSeconds }),
    ...(o.FunctionResponseTypes === undefined ? {} : { FunctionResponseTypes: o.FunctionResponseTypes }),
    ...(o.retryDelayMs === undefined ? {} : { retryDelayMs: o.retryDelayMs }),
    ...(o.timeoutSeconds === undefined ? {} : { timeoutSeconds: o.timeoutSeconds }),
    retentionHours: o.retentionHours ?? 168,
  })
  return {
    ...s,
    // Fact 125: 500 ms unless the setting says otherwise.
    windowMs: o.MaximumBatchingWindowInSeconds === undefined ? 500 : o.MaximumBatchingWindowInSeconds * 1000,
    parallelization: 1,
    windowOpensAtFirstRecord: true,
    // Fact 106: infinite retries with a destination are capped at 10.
    maxRetries: provisioned && s.maxRetries === -1 && kind !== undefined ? 10 : s.maxRetries,
    provisioned,
    destination: kind === undefined ? undefined : { kind, ...(kind === 'kafka' ? { topic: (destination as string).slice(8) } : {}) },
  }
}

/** What the event says of the cluster, the same in every event of one mapping. */
export interface KafkaCluster {
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka'
  readonly eventSourceArn?: string
  readonly bootstrapServers: string
}

const MSK: KafkaCluster = {
  eventSource: 'aws:kafka',
  eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/simulated-cluster/0b7d1c2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e-1',
  bootstrapServers: 'b-1.simulated-cluster.abc123.c1.kafka.us-east-1.amazonaws.com:9092',
}
const SELF_MANAGED: KafkaCluster = { eventSource: 'SelfManagedKafka', bootstrapServers: 'kafka-1.example.internal:9092' }

// Facts 93-94.
/** The event of some records of one cluster: grouped under `"<topic>-<partition>"`, in order. */
export function kafkaEventOf(cluster: KafkaCluster, records: readonly KafkaRecord[]): KafkaEvent {
  const grouped: Record<string, KafkaRecord[]> = {}
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(r)
  return cluster.eventSource === 'aws:kafka'
    ? {
        eventSource: 'aws:kafka',
        eventSourceArn: cluster.eventSourceArn ?? (MSK.eventSourceArn as string),
        bootstrapServers: cluster.bootstrapServers,
        records: grouped,
      }
    : { eventSource: 'SelfManagedKafka', bootstrapServers: cluster.bootstrapServers, records: grouped }
}

const jsonBytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8')

/** A Kafka record as the stream rules read it: its partition is its lane, its offset its sequence number. */
export function kafkaItem(record: KafkaRecord): StreamItem<KafkaRecord> {
  const partition = `${record.topic}-${record.partition}`
  return {
    record,
    id: `${partition}:${record.offset}`,
    seq: BigInt(record.offset),
    key: partition,
    shardId: partition,
    arrivalMs: record.timestamp,
    bytes: jsonBytes(record),
  }
}

/**
 * The simulation's records: those given as Lambda delivers them, and those produced, which take
 * the next offsets of their partition and their time as timestamp. Records are checked as
 * `kafkaHandler` checks an event; a record it would refuse is refused here, naming it.
 */
export function kafkaRecordsOf(
  given: KafkaSimulation['records'],
  o: { readonly start?: Date | undefined; readonly topic: string },
): { records: KafkaRecord[]; cluster: KafkaCluster | undefined; startMs: number } {
  let list: readonly unknown[]
  let cluster: KafkaCluster | undefined
  if (Array.isArray(given)) list = given
  else if (isPlainObject(given) && isPlainObject(given.records)) {
    const event = given as unknown as KafkaEvent
    const source: unknown = event.eventSource
    if (source !== 'aws:kafka' && source !== 'SelfManagedKafka')
      configError(NAME, `the event's \`eventSource\` must be 'aws:kafka' or 'SelfManagedKafka'; received ${describeValue(source)}.`)
    if (typeof event.bootstrapServers !== 'string' || (event.eventSource === 'aws:kafka' && typeof event.eventSourceArn !== 'string'))
      configError(NAME, "the event needs its `bootstrapServers` (and, from Amazon MSK, its `eventSourceArn`), as Lambda's events have.")
    cluster = {
      eventSource: event.eventSource,
      ...(event.eventSource === 'aws:kafka' ? { eventSourceArn: event.eventSourceArn } : {}),
      bootstrapServers: event.bootstrapServers,
    }
    list = Object.values(event.records).flat()
  } else return configError(NAME, `\`records\` must be an array of records or a Kafka event; received ${describeValue(given)}.`)
  const built: KafkaRecord[] = []
  const produced: { p: KafkaProduce; i: number }[] = []
  list.forEach((r, i) => {
    if (!isPlainObject(r))
      configError(NAME, `records[${i}] must be a produced record \`{ value, key?, partition?, at? }\` or a Lambda Kafka record.`)
    if ('offset' in r || 'timestampType' in r) built.push(r as unknown as KafkaRecord)
    else if ('value' in r) produced.push({ p: r as unknown as KafkaProduce, i })
    else configError(NAME, `records[${i}] must be a produced record \`{ value, key?, partition?, at? }\` or a Lambda Kafka record.`)
  })
  // The built records pass the handler's own checks of an event (facts 93-95).
  try {
    kafkaSource.records(kafkaEventOf(cluster ?? MSK, built))
  } catch (e) {
    if (e instanceof MalformedEventError) configError(NAME, `a given record is not one Lambda delivers: ${e.message}`)
    throw e
  }
  const earliest = built.reduce((m, r) => Math.min(m, r.timestamp), Infinity)
  const startMs = o.start?.getTime() ?? (earliest === Infinity ? DEFAULT_START : earliest)
  const next = new Map<string, number>()
  for (const r of built) next.set(`${r.topic}-${r.partition}`, Math.max(next.get(`${r.topic}-${r.partition}`) ?? 0, r.offset + 1))
  const order = produced
    .map(({ p, i }) => {
      if (p.at !== undefined && (typeof p.at !== 'number' || !Number.isFinite(p.at) || Math.abs(startMs + p.at) > 8.64e15))
        configError(NAME, `records[${i}].at must be a number of ms after the start; received ${describeValue(p.at)}.`)
      if (p.partition !== undefined && !(Number.isSafeInteger(p.partition) && p.partition >= 0))
        configError(NAME, `records[${i}].partition must be a whole number, 0 or more; received ${describeValue(p.partition)}.`)
      if (p.topic !== undefined && !(typeof p.topic === 'string' && TOPIC.test(p.topic)))
        configError(NAME, `records[${i}].topic must be a topic name; received ${describeValue(p.topic)}.`)
      if (p.key !== undefined && typeof p.key !== 'string')
        configError(NAME, `records[${i}].key must be text; received ${describeValue(p.key)}.`)
      let value: string | null = null
      if (p.value !== null) {
        try {
          value = Buffer.from(payloadBytes(p.value as RawData)).toString('base64')
        } catch (e) {
          configError(NAME, `records[${i}].value cannot be encoded as JSON: ${(e as Error).message}`)
        }
      }
      return { p, i, at: startMs + (p.at ?? 0), value }
    })
    .sort((a, b) => a.at - b.at || a.i - b.i)
  const records = [...built]
  for (const { p, at, value } of order) {
    const topic = p.topic ?? o.topic
    const partition = p.partition ?? 0
    const group = `${topic}-${partition}`
    const offset = next.get(group) ?? 0
    next.set(group, offset + 1)
    records.push({
      topic,
      partition,
      offset,
      timestamp: at,
      timestampType: 'CREATE_TIME',
      ...(p.key === undefined ? {} : { key: Buffer.from(p.key, 'utf8').toString('base64') }),
      value,
      headers: [],
    })
  }
  return { records, cluster, startMs }
}

const iso = (ms: number): string => new Date(ms).toISOString()

/**
 * What the on-failure destination receives for records discarded together (one partition's):
 * for SQS and SNS the batch's place, by partition; for S3 the same and the whole event as a JSON
 * string; for a Kafka topic one message per record, with the record's event. With no
 * destination set, the report shows the SQS and SNS form.
 */
export function kafkaFailureRecords(
  kind: KafkaDestinationKind | undefined,
  cluster: KafkaCluster,
  items: readonly StreamItem<KafkaRecord>[],
  c: FailureContext,
): FailureSent<KafkaRecord>[] {
  // Facts 120-122.
  const aged = c.condition === 'RecordAgeExceeded'
  const arn = cluster.eventSourceArn === undefined ? {} : { eventSourceArn: cluster.eventSourceArn }
  if (kind === 'kafka') {
    // Fact 122: one message per record; the example names the condition `RetriesExhausted`.
    return items.map((item) => {
      const payload = kafkaEventOf(cluster, [item.record])
      const sent: FailureDestinationRecord = {
        ...failureHead(c, aged ? 'RecordAgeExceeded' : 'RetriesExhausted'),
        KafkaBatchInfo: {
          batchSize: 1,
          ...arn,
          bootstrapServers: cluster.bootstrapServers,
          payloadSize: jsonBytes(payload),
          recordInfo: { offset: String(item.record.offset), timestamp: iso(item.record.timestamp) },
        },
        payload,
      }
      return { sent, items: [item] }
    })
  }
  const event = kafkaEventOf(
    cluster,
    items.map((i) => i.record),
  )
  const recordsInfo: Record<string, KafkaPartitionInfo> = {}
  for (const [partition, records] of Object.entries(event.records)) {
    const first = records[0] as KafkaRecord
    const last = records[records.length - 1] as KafkaRecord
    recordsInfo[partition] = {
      firstRecordOffset: String(first.offset),
      lastRecordOffset: String(last.offset),
      firstRecordTimestamp: iso(first.timestamp),
      lastRecordTimestamp: iso(last.timestamp),
    }
  }
  const sent: FailureDestinationRecord = {
    ...failureHead(c),
    KafkaBatchInfo: {
      batchSize: items.length,
      ...arn,
      bootstrapServers: cluster.bootstrapServers,
      payloadSize: jsonBytes(event),
      recordsInfo,
    },
  }
  return [{ sent: kind === 's3' ? withPayload(sent, event) : sent, items }]
}

/** Where Kafka's behaviour is not documented, what the simulation chose (besides the stream rules' choices it shares). */
export const KAFKA_ASSUMPTIONS: readonly string[] = [
  'Each partition is a lane: an event holds the records of one partition, and a partition runs one batch at a time. Lambda may put several partitions in one event; it keeps order per partition, which the lanes keep.',
  'After a partial failure, the partition resumes at its lowest reported offset and the offsets after it are delivered again, with a fresh retry count (AWS documents that only the failed records are retried, not where the partition resumes).',
  'Outside provisioned mode a batch the function fails on is retried, whole, until it succeeds or the topic no longer keeps its records (retentionHours, default 168); its partial response is ignored.',
  'Records past MaximumRecordAgeInSeconds are sent to the destination with the condition RecordAgeExceeded, as for streams; a Kafka topic destination receives one message per discarded record.',
  'The committed position (shards[].checkpoint) is the last settled record; Kafka stores the offset after it.',
  'The 6 MB payload limit counts the records; the few hundred bytes of the event around them (the cluster, the partition keys) are not counted.',
  ...STREAM_ASSUMPTIONS.filter(
    (a) =>
      a.startsWith('BisectBatchOnFunctionError') ||
      a.startsWith('Retries wait') ||
      a.startsWith('A malformed') ||
      a.startsWith("The failure record's requestContext.requestId"),
  ),
]

/** The stream source the mapping reads Kafka records through: identifiers and keys are those of {@link kafkaItem}. */
const KAFKA_STREAM = {
  name: 'kafka',
  id: (r: KafkaRecord) => kafkaItem(r).id,
  key: (r: KafkaRecord) => kafkaItem(r).key,
  // Read only for tumbling windows and the default failure record, neither of which Kafka has.
  stream: {
    batchInfoKey: 'KinesisBatchInfo',
    arrivalPrecisionMs: 1,
    arrivalMs: (r: KafkaRecord) => r.timestamp,
    shardId: (r: KafkaRecord) => `${r.topic}-${r.partition}`,
    streamArn: () => '',
  },
} as unknown as StreamSource<KafkaRecord>

/** `simulate()` for an Amazon MSK or self-managed Kafka mapping. */
export async function simulateKafka(
  handler: (event: KafkaEvent, context: Context) => unknown,
  options: KafkaSimulation,
): Promise<MappingReport> {
  const s = kafkaSettings(NAME, options)
  if (options.start !== undefined && !(options.start instanceof Date && Number.isFinite(options.start.getTime())))
    configError(NAME, `\`start\` must be a valid Date; received ${describeValue(options.start)}.`)
  const topic = options.Topics?.[0] ?? options.topic ?? 'simulated-topic'
  const { records, cluster: fromEvent, startMs } = kafkaRecordsOf(options.records, { start: options.start, topic })
  // Fact 144: the mapping reads its one topic; a record of another would never reach the function.
  const stray = options.Topics === undefined ? undefined : records.find((r) => r.topic !== topic)
  if (stray !== undefined)
    configError(
      NAME,
      `a record is on topic ${describeValue(stray.topic)}, which the mapping does not read (\`Topics: ['${topic}']\`); produce it to ${topic}.`,
    )
  if (options.StartingPositionTimestamp !== undefined && options.StartingPositionTimestamp * 1000 > startMs)
    configError(NAME, "`StartingPositionTimestamp` is in the future of the simulation's start; AWS refuses it.")
  const cluster = fromEvent ?? (options.cluster === 'self-managed' ? SELF_MANAGED : MSK)
  const items = records.map((r) => {
    try {
      return kafkaItem(r)
    } catch (e) {
      // A value that JSON cannot write (nested past the stack, a bigint) could never be in an event.
      return configError(NAME, `the record at ${r.topic}-${r.partition}:${r.offset} cannot be written as JSON: ${(e as Error).message}`)
    }
  })
  const seen = new Set<string>()
  for (const i of items) {
    if (seen.has(i.id)) configError(NAME, `two records share partition ${i.shardId} and offset ${i.seq}; give each its own offset.`)
    seen.add(i.id)
  }
  // Fact 123: the destination topic must not be one the mapping reads.
  if (s.destination?.topic !== undefined && items.some((i) => i.record.topic === s.destination?.topic))
    configError(NAME, `the on-failure destination kafka://${s.destination.topic} is a topic the mapping reads; Lambda refuses it.`)
  items.sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0))

  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${options.functionName ?? 'simulated-function'}`
  const accept = options.FilterCriteria === undefined ? {} : { accept: compileFilterVerdict(options.FilterCriteria, 'kafka') }
  const kind = s.destination?.kind
  const mapping = createStreamMapping(KAFKA_STREAM, s, {
    functionArn,
    timeoutMs: s.timeoutMs,
    nextRequestId: requestIds(options.seed ?? 1),
    assumptions: [...KAFKA_ASSUMPTIONS, ...startAssumptions(options)],
    eventOf: (rs) => kafkaEventOf(cluster, rs),
    identify: kafkaIdentifierText,
    failureRecords: (failed, c) => kafkaFailureRecords(kind, cluster, failed, c),
    ...accept,
  })
  startAt(mapping, items, options, startMs)

  const call = virtualCaller(handler as (event: never, context: Context) => unknown, options.durationMs ?? 0, s.timeoutMs)
  const maxInvocations = options.maxInvocations ?? 100_000
  let count = 0
  let now = startMs
  for (let next = mapping.next(); next !== undefined; next = mapping.next()) {
    if (++count > maxInvocations)
      configError(
        NAME,
        `stopped after ${maxInvocations} batches with records still to deliver. A failing batch is retried until its records leave the topic unless MaximumRetryAttempts or MaximumRecordAgeInSeconds (provisioned mode) end it; or raise \`maxInvocations\`.`,
      )
    now = Math.max(startMs, next.at)
    const invocation = await mapping.run(next.lane, now, call, (started, result) => started + result.durationMs)
    if (invocation !== undefined) options.onInvocation?.(invocation, mapping.settledCount())
  }
  return mapping.report(now)
}
