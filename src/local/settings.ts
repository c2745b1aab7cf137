import { ConfigurationError } from '../engine/errors.js'
import { checkKnownKeys, checkRules, describeValue, isFunction, type OptionRule } from '../engine/options.js'
import type { FilterCriteria } from '../filtering/filter.js'
import { defaultRetryDelayMs, type StreamSettings } from './rules.js'

/**
 * The event source mapping settings of a Kinesis or DynamoDB Streams trigger, named as in the
 * Lambda API (`CreateEventSourceMapping`), with the same ranges and defaults.
 */
export interface StreamMappingSettings {
  /** 1–10,000. Default 100. */
  readonly BatchSize?: number
  /** 0–300. Default 0: invoke as soon as records are there. */
  readonly MaximumBatchingWindowInSeconds?: number
  /** 1–10. Default 1. Batches per shard at once; order is kept per partition key. */
  readonly ParallelizationFactor?: number
  /**
   * AWS requires it for streams; the simulator defaults to `'TRIM_HORIZON'`. `'LATEST'`
   * reads only records that arrive after the mapping starts.
   */
  readonly StartingPosition?: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP'
  /** With `AT_TIMESTAMP`: Unix seconds. */
  readonly StartingPositionTimestamp?: number
  /** Default false. Split a failed batch in two and retry the halves; splitting uses no retries. */
  readonly BisectBatchOnFunctionError?: boolean
  /** -1 (default: until the records expire) to 10,000. */
  readonly MaximumRetryAttempts?: number
  /** -1 (default) or 60–604,800. */
  readonly MaximumRecordAgeInSeconds?: number
  /** `['ReportBatchItemFailures']` to let Lambda read `batchItemFailures` (without it Lambda ignores them). Default `[]`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /**
   * 1–900 turns on tumbling windows (0, the default, leaves them off): windows aligned
   * to multiples of this length by arrival time, the state carried from one invocation of a window
   * to the next, and a final invocation per window (`isFinalInvokeForWindow`).
   */
  readonly TumblingWindowInSeconds?: number
  /**
   * Not an AWS setting: how long after a window's end the mapping waits for more of its records
   * before the final invocation, when no later record came. Default 120, the most Lambda waits.
   */
  readonly windowGraceSeconds?: number
  /**
   * Event filtering: records no pattern matches never reach the function and end
   * `filtered`. Checked when the run starts, as Lambda checks it when the mapping is created.
   */
  readonly FilterCriteria?: FilterCriteria
  /** Where Lambda sends a record of each discarded batch: an SQS queue, SNS topic or S3 bucket ARN. */
  readonly DestinationConfig?: { readonly OnFailure?: { readonly Destination?: string } }
  /** Enhanced metrics (`['EventCount']`); no effect on the simulation. */
  readonly MetricsConfig?: { readonly Metrics?: readonly string[] }
  /** Provisioned mode's pollers; no effect on the simulation. */
  readonly ProvisionedPollerConfig?: { readonly MinimumPollers?: number; readonly MaximumPollers?: number }
}

/** What the function is, for the mapping: its timeout and its name. */
export interface FunctionSettings {
  /** The function's timeout in seconds, 1–900. Default 3, as Lambda's. An invocation that runs longer fails. */
  readonly timeoutSeconds?: number
  /** Used in the function ARN of failure records and in the context. Default `'simulated-function'`. */
  readonly functionName?: string
  /** The wait before retry `n` (1, 2, …) of a failed batch, in ms. Default 1 s doubling to 60 s. */
  readonly retryDelayMs?: (retry: number) => number
}

/** Throws the `ConfigurationError` of a simulator or runner: `name: message`. */
export function configError(name: string, message: string): never {
  throw new ConfigurationError(`${name}: ${message}`)
}

/**
 * The options a simulator or runner takes, each with its check, or `null` where the value is
 * checked by a later step (or any value will do). One table per simulator or runner, read by
 * {@link checkSettings}.
 */
export type SettingsTable = Readonly<Record<string, OptionRule | null>>

/**
 * A table with an entry for every key of the settings type `T` and no other, so that a setting
 * added to the type without its check (or the other way round) does not compile.
 */
export type TableOf<T> = { readonly [K in keyof Required<T>]: OptionRule | null }

/** Table entries for the options a later step checks, or that take any value. */
export const unchecked = (...keys: readonly string[]): SettingsTable => Object.fromEntries(keys.map((key) => [key, null]))

/** The check of a whole number from `min` to `max`, the ranges the AWS APIs give. */
export const wholeNumber = (min: number, max: number, where = ''): OptionRule => [
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  `a whole number from ${min} to ${max}${where}`,
]

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Whether `v` is an object with no keys but `keys` (a misspelt inner key would otherwise be ignored). */
const objectOf = (v: unknown, ...keys: readonly string[]): v is Record<string, unknown> =>
  isPlainObject(v) && Object.keys(v).every((k) => keys.includes(k))

/** `MetricsConfig` and `ProvisionedPollerConfig` of the streams and SQS. */
export const MONITORING_SETTINGS = {
  MetricsConfig: [
    (v) => objectOf(v, 'Metrics') && (v.Metrics === undefined || (Array.isArray(v.Metrics) && v.Metrics.every((m) => m === 'EventCount'))),
    "`{ Metrics: ['EventCount'] }`",
  ],
  ProvisionedPollerConfig: [
    (v) =>
      objectOf(v, 'MinimumPollers', 'MaximumPollers') &&
      [v.MinimumPollers, v.MaximumPollers].every(
        (n) => n === undefined || (Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 2000),
      ),
    '`{ MinimumPollers?, MaximumPollers? }`, whole numbers from 1 to 2000',
  ],
} satisfies TableOf<Pick<StreamMappingSettings, 'MetricsConfig' | 'ProvisionedPollerConfig'>>

/** `FunctionResponseTypes`, the same for every source. */
export const RESPONSE_TYPES: OptionRule = [
  (v) => Array.isArray(v) && v.length <= 1 && v.every((t) => t === 'ReportBatchItemFailures'),
  "[] or ['ReportBatchItemFailures']",
]

/**
 * Refuses the options the table does not name (a misspelt one would otherwise be ignored; the
 * nearest name is suggested), then checks each value the table has a rule for.
 */
export function checkSettings(name: string, options: object, table: SettingsTable): void {
  checkKnownKeys(name, options, Object.keys(table))
  const rules: Record<string, OptionRule> = {}
  for (const [key, rule] of Object.entries(table)) if (rule !== null) rules[key] = rule
  checkRules(name, options, rules)
}

/** `ScalingConfig.MaximumConcurrency` of an SQS mapping, 2–1,000; default 5, Lambda's starting concurrency. */
export function maximumConcurrency(name: string, scaling: { readonly MaximumConcurrency?: number } | undefined): number {
  const value = scaling?.MaximumConcurrency
  checkRules(name, { 'ScalingConfig.MaximumConcurrency': value }, { 'ScalingConfig.MaximumConcurrency': wholeNumber(2, 1000) })
  return value ?? 5
}

/** The latest time a JavaScript `Date` holds, in ms either side of 1970. */
/** The most milliseconds from 1970 a `Date` holds, either way. */
export const MAX_DATE_MS = 8.64e15

/** The longest a retry can wait: a year, past which every record of a stream has expired. */
const MAX_RETRY_DELAY_MS = 8760 * 3_600_000

const POSITIONS: readonly unknown[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']

/** The settings of a stream mapping that AWS has: {@link StreamMappingSettings} but the simulator's `windowGraceSeconds`. */
export type StreamAwsSettings = Omit<StreamMappingSettings, 'windowGraceSeconds'>

/** A starting position and its timestamp, the same for streams and Kafka. */
const STARTING_POSITION = {
  StartingPosition: [(v) => POSITIONS.includes(v), "'TRIM_HORIZON', 'LATEST' or 'AT_TIMESTAMP'"],
  StartingPositionTimestamp: [
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v * 1000 <= MAX_DATE_MS,
    "a time in Unix seconds, a number (for example `Date.parse('2026-01-01T00:00:00Z') / 1000`)",
  ],
} satisfies TableOf<Pick<StreamMappingSettings, 'StartingPosition' | 'StartingPositionTimestamp'>>

/** The error handling of streams and of Kafka's provisioned mode. */
const ERROR_HANDLING_SETTINGS = {
  BisectBatchOnFunctionError: [(v) => typeof v === 'boolean', 'true or false'],
  MaximumRetryAttempts: wholeNumber(-1, 10_000),
  MaximumRecordAgeInSeconds: wholeNumber(-1, 604_800),
  FunctionResponseTypes: RESPONSE_TYPES,
} satisfies TableOf<
  Pick<StreamMappingSettings, 'BisectBatchOnFunctionError' | 'MaximumRetryAttempts' | 'MaximumRecordAgeInSeconds' | 'FunctionResponseTypes'>
>

/** The checks of {@link StreamMappingSettings} that AWS has, by their names in the Lambda API. */
export const STREAM_MAPPING_SETTINGS = {
  BatchSize: wholeNumber(1, 10_000),
  MaximumBatchingWindowInSeconds: wholeNumber(0, 300),
  ParallelizationFactor: wholeNumber(1, 10),
  ...STARTING_POSITION,
  ...ERROR_HANDLING_SETTINGS,
  FilterCriteria: null,
  TumblingWindowInSeconds: wholeNumber(0, 900),
  // Fact 41: a stream's on-failure destination is an SQS queue, an SNS topic or an S3 bucket.
  DestinationConfig: [
    (v) =>
      objectOf(v, 'OnFailure') &&
      (v.OnFailure === undefined ||
        (objectOf(v.OnFailure, 'Destination') &&
          (v.OnFailure.Destination === undefined ||
            (typeof v.OnFailure.Destination === 'string' && /^arn:[\w-]+:(sqs|sns|s3):/.test(v.OnFailure.Destination))))),
    '`{ OnFailure: { Destination } }` with the ARN of an SQS queue, an SNS topic or an S3 bucket',
  ],
  ...MONITORING_SETTINGS,
} satisfies TableOf<StreamAwsSettings>

/** The checks of {@link StreamMappingSettings} and {@link FunctionSettings}, shared by the stream simulator and runners. */
export const STREAM_SETTINGS: SettingsTable = {
  timeoutSeconds: wholeNumber(1, 900),
  functionName: null,
  retryDelayMs: [isFunction, 'a function of the retry number'],
  ...STREAM_MAPPING_SETTINGS,
  windowGraceSeconds: wholeNumber(0, 120),
}

/**
 * The event source mapping settings of an SQS trigger, named as in the Lambda API
 * (`CreateEventSourceMapping`), with the same ranges and defaults.
 */
export interface SqsMappingSettings {
  /** Default 10; standard ≤ 10,000, FIFO ≤ 10. Above 10 needs a batching window. */
  readonly BatchSize?: number
  /** 0–300, default 0; not supported for FIFO. */
  readonly MaximumBatchingWindowInSeconds?: number
  /** `['ReportBatchItemFailures']` to let Lambda read `batchItemFailures`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /** Concurrent invocations, 2–1,000. Without it the simulator uses 5, Lambda's starting concurrency. */
  readonly ScalingConfig?: { readonly MaximumConcurrency?: number }
  /**
   * Event filtering on the message `body`: a message no filter matches is deleted
   * without reaching the function and ends `filtered`.
   */
  readonly FilterCriteria?: FilterCriteria
  /** Enhanced metrics (`['EventCount']`); no effect on the simulation. */
  readonly MetricsConfig?: { readonly Metrics?: readonly string[] }
  /** Provisioned mode's pollers; no effect on the simulation. */
  readonly ProvisionedPollerConfig?: { readonly MinimumPollers?: number; readonly MaximumPollers?: number }
}

/** The checks of {@link SqsMappingSettings} (a FIFO queue's batch size is checked with the queue's settings). */
export const SQS_MAPPING_SETTINGS = {
  BatchSize: wholeNumber(1, 10_000),
  MaximumBatchingWindowInSeconds: wholeNumber(0, 300),
  FunctionResponseTypes: RESPONSE_TYPES,
  // Checked with the function's name, as `maximumConcurrency` reads it.
  ScalingConfig: null,
  FilterCriteria: null,
  ...MONITORING_SETTINGS,
} satisfies TableOf<SqsMappingSettings>

/**
 * The settings of an Amazon MSK or self-managed Kafka event source mapping, named as in the Lambda
 * API (`CreateEventSourceMapping`), with the same ranges and defaults. The error-handling settings
 * work in provisioned mode only (`ProvisionedPollerConfig`); outside it they are refused.
 */
export interface KafkaMappingSettings {
  /** 1–10,000. Default 100. */
  readonly BatchSize?: number
  /** 0–300. Without it the batching window is 500 ms, opened by the first record. */
  readonly MaximumBatchingWindowInSeconds?: number
  /** AWS requires it; the simulator defaults to `'TRIM_HORIZON'`. */
  readonly StartingPosition?: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP'
  /** With `AT_TIMESTAMP`: Unix seconds. */
  readonly StartingPositionTimestamp?: number
  /**
   * The topic the mapping reads, the one item of the list (AWS requires it). The simulator's
   * produced records go to it, and a record of another topic is refused. Default: the
   * simulation's `topic`.
   */
  readonly Topics?: readonly string[]
  /**
   * Provisioned mode: at least one of the two turns it on (`{}` leaves it off). Pollers change
   * throughput, which the simulator does not model; provisioned mode is what allows the settings below.
   */
  readonly ProvisionedPollerConfig?: {
    readonly MinimumPollers?: number
    readonly MaximumPollers?: number
    readonly PollerGroupName?: string
  }
  /** Provisioned mode. Split a batch the function failed on in two and retry the halves. Default false. */
  readonly BisectBatchOnFunctionError?: boolean
  /**
   * Provisioned mode. -1 (default: retry until the records leave the topic) to 10,000. With -1 and
   * an on-failure destination, Lambda retries at most 10 times.
   */
  readonly MaximumRetryAttempts?: number
  /** Provisioned mode. -1 (default) or 60–604,800: older records are sent to the destination unread. */
  readonly MaximumRecordAgeInSeconds?: number
  /** Provisioned mode. `['ReportBatchItemFailures']` to let Lambda read `batchItemFailures`. Default `[]`. */
  readonly FunctionResponseTypes?: readonly 'ReportBatchItemFailures'[]
  /**
   * Where Lambda sends what it discards: an SQS queue, SNS topic or S3 bucket ARN, or (provisioned
   * mode) `kafka://<topic>`, a topic of the same cluster that is not one it reads.
   */
  readonly DestinationConfig?: { readonly OnFailure?: { readonly Destination?: string } }
  /** Filtering on the record's `value`: records no pattern matches end `filtered`. */
  readonly FilterCriteria?: FilterCriteria
  /** Enhanced metrics; no effect on the simulation. */
  readonly MetricsConfig?: { readonly Metrics?: readonly ('EventCount' | 'ErrorCount' | 'KafkaMetrics')[] }
}

/** A Kafka topic's name: 1 to 249 letters, digits, `.`, `_` or `-`. */
export const TOPIC = /^[\w.-]{1,249}$/

/** The kind of an on-failure destination of a Kafka mapping, by its ARN or `kafka://` URI. */
export type KafkaDestinationKind = 'sqs' | 'sns' | 's3' | 'kafka'

/** The kind of a destination, or `undefined` when it is none Lambda takes for Kafka. */
export function destinationKind(destination: unknown): KafkaDestinationKind | undefined {
  if (typeof destination !== 'string') return undefined
  if (destination.startsWith('kafka://')) return TOPIC.test(destination.slice(8)) ? 'kafka' : undefined
  return /^arn:[\w-]+:(sqs|sns|s3):/.exec(destination)?.[1] as KafkaDestinationKind | undefined
}

/** The checks of {@link KafkaMappingSettings}; provisioned mode's rules are {@link kafkaModeProblem}'s. */
export const KAFKA_MAPPING_SETTINGS = {
  BatchSize: wholeNumber(1, 10_000),
  MaximumBatchingWindowInSeconds: wholeNumber(0, 300),
  ...STARTING_POSITION,
  // Fact 144: one topic, named as Kafka names topics.
  Topics: [
    (v) => Array.isArray(v) && v.length === 1 && typeof v[0] === 'string' && TOPIC.test(v[0]),
    "one topic name in a list, `['orders']`",
  ],
  ProvisionedPollerConfig: [
    (v) =>
      objectOf(v, 'MinimumPollers', 'MaximumPollers', 'PollerGroupName') &&
      (v.MinimumPollers === undefined ||
        (Number.isInteger(v.MinimumPollers) && (v.MinimumPollers as number) >= 1 && (v.MinimumPollers as number) <= 200)) &&
      (v.MaximumPollers === undefined ||
        (Number.isInteger(v.MaximumPollers) && (v.MaximumPollers as number) >= 1 && (v.MaximumPollers as number) <= 2000)) &&
      ((v.MinimumPollers ?? 1) as number) <= ((v.MaximumPollers ?? 2000) as number) &&
      (v.PollerGroupName === undefined || typeof v.PollerGroupName === 'string'),
    '`{ MinimumPollers?, MaximumPollers?, PollerGroupName? }`: a minimum from 1 to 200, a maximum from 1 to 2000 and not below the minimum',
  ],
  ...ERROR_HANDLING_SETTINGS,
  // Facts 107 and 123.
  DestinationConfig: [
    (v) =>
      objectOf(v, 'OnFailure') &&
      (v.OnFailure === undefined ||
        (objectOf(v.OnFailure, 'Destination') &&
          (v.OnFailure.Destination === undefined || destinationKind(v.OnFailure.Destination) !== undefined))),
    '`{ OnFailure: { Destination } }` with the ARN of an SQS queue, an SNS topic or an S3 bucket, or `kafka://<topic>`',
  ],
  FilterCriteria: null,
  MetricsConfig: [
    (v) =>
      objectOf(v, 'Metrics') &&
      (v.Metrics === undefined ||
        (Array.isArray(v.Metrics) &&
          v.Metrics.length <= 3 &&
          v.Metrics.every((m) => ['EventCount', 'ErrorCount', 'KafkaMetrics'].includes(m)))),
    "`{ Metrics }` with up to three of 'EventCount', 'ErrorCount', 'KafkaMetrics'",
  ],
} satisfies TableOf<KafkaMappingSettings>

/** Provisioned mode is on when `ProvisionedPollerConfig` sets a minimum or a maximum (`{}` turns it off). */
export const isProvisioned = (config: KafkaMappingSettings['ProvisionedPollerConfig']): boolean =>
  config?.MinimumPollers !== undefined || config?.MaximumPollers !== undefined

const KAFKA_ERROR_HANDLING = Object.keys(ERROR_HANDLING_SETTINGS) as (keyof typeof ERROR_HANDLING_SETTINGS)[]

// Facts 106, 123 and 124.
/**
 * What AWS refuses of a Kafka mapping's settings outside provisioned mode: the error-handling
 * settings and a Kafka topic destination. `undefined` when none is given.
 */
export function kafkaModeProblem(o: KafkaMappingSettings): string | undefined {
  if (isProvisioned(o.ProvisionedPollerConfig)) return undefined
  const given = KAFKA_ERROR_HANDLING.filter(
    (k) => o[k] !== undefined && !(k === 'FunctionResponseTypes' && o.FunctionResponseTypes?.length === 0),
  )
  if (given.length > 0)
    return `${given.map((k) => `\`${k}\``).join(', ')} work${given.length === 1 ? 's' : ''} for Kafka in provisioned mode only; add \`ProvisionedPollerConfig: { MinimumPollers: 1 }\`, or leave ${given.length === 1 ? 'it' : 'them'} out.`
  if (destinationKind(o.DestinationConfig?.OnFailure?.Destination) === 'kafka')
    return 'a Kafka topic as the on-failure destination needs provisioned mode; add `ProvisionedPollerConfig`.'
  return undefined
}

/**
 * The settings of an event source mapping of any source, named as in the Lambda API and
 * CloudFormation: each source takes those AWS allows for it.
 */
export type AnyMappingSettings = StreamAwsSettings & SqsMappingSettings & KafkaMappingSettings

/** The names of {@link AnyMappingSettings}: every setting of the tables above, the ones a template is read for. */
export const MAPPING_SETTING_NAMES: readonly (keyof AnyMappingSettings)[] = [
  ...new Set([...Object.keys(STREAM_MAPPING_SETTINGS), ...Object.keys(SQS_MAPPING_SETTINGS), ...Object.keys(KAFKA_MAPPING_SETTINGS)]),
] as (keyof AnyMappingSettings)[]

/** A valid `Date`, for a simulation's `start`. */
export const VALID_DATE: OptionRule = [
  (v) => v instanceof Date && Number.isFinite(v.getTime()),
  "a valid Date (for example `new Date('2026-01-01T00:00:00Z')`)",
]

/**
 * What every simulation takes besides its source's settings (the virtual clock, the seed, the
 * guard against a run that never ends). `maxInvocations` and the rest are refused at once when
 * they are not numbers a run can end with.
 */
export const SIMULATION_CLOCK_SETTINGS: SettingsTable = {
  ...unchecked('source', 'records', 'functionName', 'FilterCriteria'),
  start: VALID_DATE,
  durationMs: [
    (v) => isFunction(v) || (typeof v === 'number' && Number.isFinite(v) && v >= 0),
    'a number of milliseconds, 0 or more, or a function of the event',
  ],
  seed: [(v) => Number.isSafeInteger(v), 'a whole number'],
  maxInvocations: wholeNumber(1, Number.MAX_SAFE_INTEGER),
  onInvocation: [isFunction, 'a function'],
}

const RETENTION_HOURS: OptionRule = [(v) => typeof v === 'number' && v > 0 && v <= 8760, 'a number of hours above 0, up to 8760']

/** The simulated stream's own options (DynamoDB Streams refuses the first two, and keeps 24 hours). */
export const STREAM_SIMULATION_SETTINGS: SettingsTable = {
  streamName: null,
  shards: wholeNumber(1, 500),
  retentionHours: RETENTION_HOURS,
}

/** The simulated queue's own options: the SQS queue's attributes. */
export const QUEUE_SIMULATION_SETTINGS: SettingsTable = {
  fifo: null,
  visibilityTimeoutSeconds: wholeNumber(0, 43_200),
  maxReceiveCount: wholeNumber(1, 1000),
}

/** The simulated topic's and cluster's own options. */
export const TOPIC_SIMULATION_SETTINGS: SettingsTable = {
  topic: [(v) => typeof v === 'string' && TOPIC.test(v), 'a topic name: 1 to 249 letters, digits, ".", "_" or "-"'],
  cluster: [(v) => v === 'msk' || v === 'self-managed', "'msk' or 'self-managed'"],
  retentionHours: RETENTION_HOURS,
}

/**
 * Every option of a simulation, of any source: the mapping's settings, the function's, the
 * clock's, and the simulated stream's, queue's and topic's. The command line reads its flags from it.
 */
export const SIMULATION_OPTION_NAMES: readonly string[] = [
  ...new Set([
    ...MAPPING_SETTING_NAMES,
    ...[
      STREAM_SETTINGS,
      SIMULATION_CLOCK_SETTINGS,
      STREAM_SIMULATION_SETTINGS,
      QUEUE_SIMULATION_SETTINGS,
      TOPIC_SIMULATION_SETTINGS,
    ].flatMap((table) => Object.keys(table)),
  ]),
]

/**
 * The time `offsetMs` after `startMs`, refused with a reason naming `what` when it is not a
 * number or falls outside the range of a `Date`.
 */
export function timeAfter(name: string, what: string, startMs: number, offsetMs: unknown): number {
  if (typeof offsetMs !== 'number' || !Number.isFinite(offsetMs))
    configError(name, `${what} must be a number of ms after the start; received ${describeValue(offsetMs)}.`)
  const at = startMs + offsetMs
  if (Math.abs(at) > MAX_DATE_MS) configError(name, `${what} (${offsetMs} ms after the start) is past the latest time a Date holds.`)
  return at
}

/** What every local runner takes besides its source's settings: {@link LocalRunHooks}, the client, the poll interval. */
export const LOCAL_RUN_SETTINGS: SettingsTable = {
  ...unchecked('source', 'client', 'signal', 'onInvocation', 'logger'),
  pollIntervalMs: [(v) => typeof v === 'number' && v >= 10, '10 or more'],
}

/**
 * The stream settings in milliseconds, with their defaults, from options that {@link checkSettings}
 * passed against a table holding {@link STREAM_SETTINGS}; refuses the combinations AWS refuses.
 */
export function streamSettings(
  name: string,
  o: StreamMappingSettings & FunctionSettings & { retentionHours?: number },
  nowMs: number = Date.now(),
): StreamSettings & { timeoutMs: number } {
  const maxAge = o.MaximumRecordAgeInSeconds ?? -1
  // Fact 13: 0-59 pass the API's numeric range but are refused.
  if (maxAge >= 0 && maxAge < 60) configError(name, `\`MaximumRecordAgeInSeconds\` must be -1 or from 60 to 604800; received ${maxAge}.`)
  const tumbling = o.TumblingWindowInSeconds ?? 0
  if (o.windowGraceSeconds !== undefined && tumbling === 0) configError(name, '`windowGraceSeconds` goes with `TumblingWindowInSeconds`.')
  if (((o.StartingPosition ?? 'TRIM_HORIZON') === 'AT_TIMESTAMP') !== (o.StartingPositionTimestamp !== undefined)) {
    configError(name, "`StartingPositionTimestamp` goes with `StartingPosition: 'AT_TIMESTAMP'`, and only with it.")
  }
  // Fact 114: CreateEventSourceMapping refuses a starting timestamp in the future.
  if (o.StartingPositionTimestamp !== undefined && o.StartingPositionTimestamp * 1000 > nowMs)
    configError(
      name,
      `\`StartingPositionTimestamp\` (${new Date(o.StartingPositionTimestamp * 1000).toISOString()}) is in the future of the mapping's start (${new Date(nowMs).toISOString()}); AWS refuses it.`,
    )
  return {
    batchSize: o.BatchSize ?? 100,
    windowMs: (o.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    parallelization: o.ParallelizationFactor ?? 1,
    bisect: o.BisectBatchOnFunctionError ?? false,
    maxRetries: o.MaximumRetryAttempts ?? -1,
    maxAgeMs: maxAge < 0 ? -1 : maxAge * 1000,
    reportBatchItemFailures: (o.FunctionResponseTypes ?? []).length === 1,
    retentionMs: (o.retentionHours ?? 24) * 3_600_000,
    retryDelayMs: checkedDelay(name, o.retryDelayMs ?? defaultRetryDelayMs),
    tumblingMs: tumbling * 1000,
    windowGraceMs: (o.windowGraceSeconds ?? 120) * 1000,
    timeoutMs: (o.timeoutSeconds ?? 3) * 1000,
  }
}

/** `retryDelayMs`, refusing a wait that is not a finite number of ms, 0 or more, when it is asked for. */
function checkedDelay(name: string, delay: (retry: number) => number): (retry: number) => number {
  return (retry) => {
    const ms = delay(retry)
    if (typeof ms !== 'number' || !(ms >= 0 && ms <= MAX_RETRY_DELAY_MS))
      configError(
        name,
        `\`retryDelayMs(${retry})\` must give a number of milliseconds from 0 to ${MAX_RETRY_DELAY_MS} (a year, the longest a stream keeps a record); it gave ${describeValue(ms)}.`,
      )
    return ms
  }
}
