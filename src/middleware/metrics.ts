import type { BatchHook, Middleware } from '../engine/builder.js'
import type { BaseMeta } from '../engine/engine.js'
import { ConfigurationError } from '../engine/errors.js'
import { describeValue } from '../engine/options.js'
import { summarize } from '../engine/outcome.js'
import { watchReplays } from './replayed.js'

/**
 * What {@link metrics} uses of a Powertools `Metrics` instance (from `@aws-lambda-powertools/metrics`):
 * a structural type, so this package does not load Powertools for those who do not use it.
 */
export interface MetricsPublisher {
  /** Stores a metric's value until the next publish. */
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown
  /** Adds a dimension to the metrics of the next publish. */
  addDimension(name: string, value: string): unknown
  /** Writes the stored metrics as one EMF line and clears them and the added dimensions. */
  publishStoredMetrics(): unknown
}

/** Options of {@link metrics}. */
export interface MetricsOptions {
  /** A Powertools `Metrics` instance, made once outside the handler: `new Metrics({ namespace, serviceName })`. */
  readonly metrics: MetricsPublisher
}

/** The age of the oldest record when the batch started, in ms, or `undefined` when no record says when it arrived. */
function oldestAge(arrivals: () => (number | undefined)[], startedAt: number): number | undefined {
  let oldest = Number.POSITIVE_INFINITY
  try {
    for (const ms of arrivals()) if (ms !== undefined && Number.isFinite(ms) && ms < oldest) oldest = ms
  } catch {
    return undefined // a malformed event: the handler throws MalformedEventError for it
  }
  return oldest === Number.POSITIVE_INFINITY ? undefined : Math.max(0, startedAt - oldest)
}

/**
 * Per-batch metrics on a Powertools `Metrics` instance, published once per invocation in Embedded
 * Metric Format (one JSON line on stdout that CloudWatch turns into metrics):
 *
 * - `BatchRecords`, `RecordsSucceeded`, `RecordsFailed`, `RecordsInvalid`, `RecordsSkipped` (not started
 *   behind a failure), `RecordsCutAtDeadline` (not started or abandoned because the Lambda was close
 *   to its timeout), `RecordsReported` (in `batchItemFailures`, to be retried), `RecordsReplayed` (an
 *   `idempotent` middleware of the same handler handed back a stored result instead of running the record): Count;
 * - `OldestRecordAge`: how old the batch's oldest record was when the batch started (now minus its
 *   arrival on the stream, or its `SentTimestamp` on SQS), the handler's view of the iterator age; ms;
 * - `BatchDuration`: ms.
 *
 * Dimensions: `source` (`kinesis`, `dynamodb` or `sqs`) and `function_name`, besides the instance's
 * own (Powertools adds `service`); never a per-record value. Metrics the record function added to
 * the same instance go out in the same line. The line is published whatever the outcome: a partial
 * failure, every record failed (the handler still throws afterwards, so Lambda's retries and
 * bisection work), the deadline, a malformed event (`BatchDuration` only). It adds nothing to a
 * record's path. Do not also wrap the handler with Powertools' `logMetrics`, which would publish again.
 *
 * @example
 * ```ts
 * export const cloudwatch = new Metrics({ namespace: 'orders', serviceName: 'orders' })
 *
 * export const handler = kinesisHandler(Order)
 *   .use(metrics({ metrics: cloudwatch }))
 *   .handle(async (order) => {
 *     if (order.total > 10_000) throw new Error('needs a manual review')
 *   })
 * ```
 */
export function metrics<P, M extends BaseMeta>(options: MetricsOptions): Middleware<P, M> {
  if (typeof options !== 'object' || options === null)
    throw new ConfigurationError(`metrics: expected \`{ metrics }\`, a Powertools Metrics instance; received ${describeValue(options)}.`)
  const { metrics: publisher, ...rest } = options
  const unknown = Object.keys(rest)
  if (unknown.length > 0)
    throw new ConfigurationError(`metrics: unknown option ${unknown.map((k) => `\`${k}\``).join(', ')}; the only option is \`metrics\`.`)
  const p = publisher as unknown as Record<string, unknown> | null | undefined
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.addMetric !== 'function' ||
    typeof p.addDimension !== 'function' ||
    typeof p.publishStoredMetrics !== 'function'
  ) {
    throw new ConfigurationError(
      `metrics: \`metrics\` must be a Powertools Metrics instance (new Metrics({ namespace })); received ${describeValue(publisher)}.`,
    )
  }

  const batch: BatchHook = async (start, run) => {
    const startedAt = Date.now()
    const began = performance.now()
    const replays = watchReplays(start.context)
    let report: Awaited<ReturnType<typeof run>> | undefined
    try {
      report = await run()
      return report
    } finally {
      replays.stop()
      publish(start.source, start.context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME, () => {
        if (report !== undefined) {
          const s = summarize(report.outcomes)
          publisher.addMetric('BatchRecords', 'Count', s.records)
          publisher.addMetric('RecordsSucceeded', 'Count', s.succeeded)
          publisher.addMetric('RecordsFailed', 'Count', s.failed)
          publisher.addMetric('RecordsInvalid', 'Count', s.invalid)
          publisher.addMetric('RecordsSkipped', 'Count', s.skipped)
          publisher.addMetric('RecordsCutAtDeadline', 'Count', s.deadline)
          publisher.addMetric('RecordsReported', 'Count', s.reported)
          publisher.addMetric('RecordsReplayed', 'Count', replays.counts.replayed)
          const age = oldestAge(start.arrivals, startedAt)
          if (age !== undefined) publisher.addMetric('OldestRecordAge', 'Milliseconds', age)
        }
        publisher.addMetric('BatchDuration', 'Milliseconds', Math.round((performance.now() - began) * 1000) / 1000)
      })
    }
  }

  function publish(source: string, functionName: string | undefined, add: () => void): void {
    // Metrics are best effort: a publisher that throws never changes the batch's outcome.
    try {
      publisher.addDimension('source', source.replace(/Handler$/, ''))
      if (typeof functionName === 'string' && functionName !== '') publisher.addDimension('function_name', functionName)
      add()
      publisher.publishStoredMetrics()
    } catch {
      // Nothing to do: the records' outcomes reach Lambda anyway.
    }
  }

  // Nothing per record: the record function is passed through as it is.
  const middleware = (next: (payload: P, meta: M) => unknown) => next
  return Object.assign(middleware, { batch })
}
