import { ConfigurationError } from '../engine/errors.js'
import { describeValue } from '../engine/options.js'
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

export function configError(name: string, message: string): never {
  throw new ConfigurationError(`${name}: ${message}`)
}

function whole(name: string, key: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) configError(name, `\`${key}\` must be a whole number from ${min} to ${max}; received ${describeValue(v)}.`)
  return v
}

/** Checks the stream settings against the API's ranges and returns them in milliseconds. */
export function streamSettings(name: string, o: StreamMappingSettings & FunctionSettings & { retentionHours?: number }): StreamSettings & { timeoutMs: number } {
  const batchSize = whole(name, 'BatchSize', o.BatchSize, 1, 10_000, 100)
  const window = whole(name, 'MaximumBatchingWindowInSeconds', o.MaximumBatchingWindowInSeconds, 0, 300, 0)
  const parallelization = whole(name, 'ParallelizationFactor', o.ParallelizationFactor, 1, 10, 1)
  const maxRetries = whole(name, 'MaximumRetryAttempts', o.MaximumRetryAttempts, -1, 10_000, -1)
  const maxAge = whole(name, 'MaximumRecordAgeInSeconds', o.MaximumRecordAgeInSeconds, -1, 604_800, -1)
  // Fact 13: 0-59 pass the API's numeric range but are refused.
  if (maxAge >= 0 && maxAge < 60) configError(name, `\`MaximumRecordAgeInSeconds\` must be -1 or from 60 to 604800; received ${maxAge}.`)
  const tumbling = whole(name, 'TumblingWindowInSeconds', o.TumblingWindowInSeconds, 0, 900, 0)
  const grace = whole(name, 'windowGraceSeconds', o.windowGraceSeconds, 0, 120, 120)
  if (o.windowGraceSeconds !== undefined && tumbling === 0) configError(name, '`windowGraceSeconds` goes with `TumblingWindowInSeconds`.')
  const timeout = whole(name, 'timeoutSeconds', o.timeoutSeconds, 1, 900, 3)
  const retention = o.retentionHours ?? 24
  if (typeof retention !== 'number' || !(retention > 0) || retention > 8760) configError(name, `\`retentionHours\` must be a number of hours above 0, up to 8760; received ${describeValue(retention)}.`)
  if (o.BisectBatchOnFunctionError !== undefined && typeof o.BisectBatchOnFunctionError !== 'boolean') {
    configError(name, `\`BisectBatchOnFunctionError\` must be true or false; received ${describeValue(o.BisectBatchOnFunctionError)}.`)
  }
  const types = o.FunctionResponseTypes ?? []
  if (!Array.isArray(types) || types.length > 1 || types.some((t) => t !== 'ReportBatchItemFailures')) {
    configError(name, `\`FunctionResponseTypes\` must be [] or ['ReportBatchItemFailures']; received ${describeValue(types)}.`)
  }
  if (o.retryDelayMs !== undefined && typeof o.retryDelayMs !== 'function') configError(name, '`retryDelayMs` must be a function of the retry number.')
  const sp = o.StartingPosition ?? 'TRIM_HORIZON'
  if (!['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'].includes(sp)) configError(name, `\`StartingPosition\` must be 'TRIM_HORIZON', 'LATEST' or 'AT_TIMESTAMP'; received ${describeValue(sp)}.`)
  if ((sp === 'AT_TIMESTAMP') !== (o.StartingPositionTimestamp !== undefined)) {
    configError(name, '`StartingPositionTimestamp` goes with `StartingPosition: \'AT_TIMESTAMP\'`, and only with it.')
  }
  return {
    batchSize,
    windowMs: window * 1000,
    parallelization,
    bisect: o.BisectBatchOnFunctionError ?? false,
    maxRetries,
    maxAgeMs: maxAge < 0 ? -1 : maxAge * 1000,
    reportBatchItemFailures: types.length === 1,
    retentionMs: retention * 3_600_000,
    retryDelayMs: o.retryDelayMs ?? defaultRetryDelayMs,
    tumblingMs: tumbling * 1000,
    windowGraceMs: grace * 1000,
    timeoutMs: timeout * 1000,
  }
}
