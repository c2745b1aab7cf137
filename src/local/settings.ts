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

/** Table entries for the options a later step checks, or that take any value. */
export const unchecked = (...keys: readonly string[]): SettingsTable => Object.fromEntries(keys.map((key) => [key, null]))

/** The check of a whole number from `min` to `max`, the ranges the AWS APIs give. */
export const wholeNumber = (min: number, max: number, where = ''): OptionRule => [
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  `a whole number from ${min} to ${max}${where}`,
]

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `MetricsConfig` and `ProvisionedPollerConfig`, the same for every source. */
export const MONITORING_SETTINGS: SettingsTable = {
  MetricsConfig: [
    (v) => isPlainObject(v) && (v.Metrics === undefined || (Array.isArray(v.Metrics) && v.Metrics.every((m) => m === 'EventCount'))),
    "`{ Metrics: ['EventCount'] }`",
  ],
  ProvisionedPollerConfig: [
    (v) =>
      isPlainObject(v) &&
      [v.MinimumPollers, v.MaximumPollers].every(
        (n) => n === undefined || (Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 2000),
      ),
    '`{ MinimumPollers?, MaximumPollers? }`, whole numbers from 1 to 2000',
  ],
}

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

/** The checks of {@link StreamMappingSettings} and {@link FunctionSettings}, shared by the stream simulator and runners. */
export const STREAM_SETTINGS: SettingsTable = {
  timeoutSeconds: wholeNumber(1, 900),
  functionName: null,
  retryDelayMs: [isFunction, 'a function of the retry number'],
  BatchSize: wholeNumber(1, 10_000),
  MaximumBatchingWindowInSeconds: wholeNumber(0, 300),
  ParallelizationFactor: wholeNumber(1, 10),
  StartingPosition: [(v) => POSITIONS.includes(v), "'TRIM_HORIZON', 'LATEST' or 'AT_TIMESTAMP'"],
  StartingPositionTimestamp: [
    (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v * 1000 <= MAX_DATE_MS,
    "a time in Unix seconds, a number (for example `Date.parse('2026-01-01T00:00:00Z') / 1000`)",
  ],
  BisectBatchOnFunctionError: [(v) => typeof v === 'boolean', 'true or false'],
  MaximumRetryAttempts: wholeNumber(-1, 10_000),
  MaximumRecordAgeInSeconds: wholeNumber(-1, 604_800),
  FunctionResponseTypes: RESPONSE_TYPES,
  FilterCriteria: null,
  TumblingWindowInSeconds: wholeNumber(0, 900),
  windowGraceSeconds: wholeNumber(0, 120),
  // Fact 41: a stream's on-failure destination is an SQS queue, an SNS topic or an S3 bucket.
  DestinationConfig: [
    (v) =>
      isPlainObject(v) &&
      (v.OnFailure === undefined ||
        (isPlainObject(v.OnFailure) &&
          (v.OnFailure.Destination === undefined ||
            (typeof v.OnFailure.Destination === 'string' && /^arn:[\w-]+:(sqs|sns|s3):/.test(v.OnFailure.Destination))))),
    '`{ OnFailure: { Destination } }` with the ARN of an SQS queue, an SNS topic or an S3 bucket',
  ],
  ...MONITORING_SETTINGS,
}

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
