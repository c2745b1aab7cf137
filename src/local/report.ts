import type { FailureDestinationRecord, S3FailureObject } from './stream-rows.js'

/**
 * What finally happened to a record:
 * - `succeeded`: an invocation holding it succeeded (or its records before a partial failure did);
 * - `discarded`: the retries ran out; the mapping sent `failureRecord` to its OnFailure destination;
 * - `expired`: older than `MaximumRecordAgeInSeconds` (with a `RecordAgeExceeded` failure record)
 *   or than the stream's retention (no failure record; the stream no longer has it);
 * - `filtered`: the mapping's FilterCriteria did not match it, so the function never saw it;
 * - `dead-lettered`: SQS moved it to the queue's dead-letter queue after `maxReceiveCount` receives;
 * - `before-start`: it arrived before the mapping's `StartingPosition`, so the mapping never read it;
 * - `pending`: a local run was stopped before the record was settled (the simulator never gives it).
 */
export type Fate = 'succeeded' | 'discarded' | 'expired' | 'filtered' | 'dead-lettered' | 'before-start' | 'pending'

/** One record's story: how many times the function received it, and how it ended. */
export interface RecordReport {
  /** The identifier `batchItemFailures` uses: the sequence number, or the SQS messageId; for Kafka its text, `<topic>-<partition>:<offset>`. */
  readonly id: string
  /** The shard (streams), the queue (SQS), or the partition, `<topic>-<partition>` (Kafka). */
  readonly shardId: string
  /** The partition key, the DynamoDB item key as JSON (its attributes in name order), or the SQS message group. */
  readonly key: string
  /** How many invocations carried it. More than one means the function saw it again: a duplicate. */
  readonly deliveries: number
  /** When it reached the stream or the queue (ISO-8601). */
  readonly arrivedAt?: string
  readonly fate: Fate
  /** Why it expired: `MaximumRecordAgeInSeconds`, or the stream's `retention`. */
  readonly expiredBy?: 'MaximumRecordAgeInSeconds' | 'retention'
  /** What the OnFailure destination received for the batch it was discarded with. */
  readonly failureRecord?: FailureDestinationRecord
  /**
   * Discarded (streams) or moved to the dead-letter queue (SQS FIFO) although, as far as the
   * handler's answers show, it did not fail itself: a record before it in the batch, or in its
   * message group, did (the poison record took it along; see the README's limits).
   */
  readonly discardedBehindFailure?: boolean
  /** The handler reported it in `batchItemFailures`, but `ReportBatchItemFailures` is off, so it counted as a success. */
  readonly reportedButIgnored?: boolean
  /** Why it was `filtered` when the reason is not the pattern: its data is nested too deep to read. */
  readonly filteredBecause?: string
}

/** One call of the function, as the event source mapping made it. */
export interface InvocationReport {
  /** 0, 1, 2… in the order the invocations started. */
  readonly index: number
  /** When it started (ISO-8601). */
  readonly at: string
  readonly shardId: string
  /** The parallelization lane (0 with `ParallelizationFactor` 1). */
  readonly lane: number
  /**
   * Why this batch: a new `batch`, a `retry`, a `bisect` half, the `remainder` after a partial
   * failure, or `window-end`: a tumbling window's final invocation, without records.
   */
  readonly trigger: 'batch' | 'retry' | 'bisect' | 'remainder' | 'receive' | 'window-end'
  /** Invocations of exactly these records so far, this one included (`approximateInvokeCount`). */
  readonly attempt: number
  /** The identifiers of the records delivered, in the event's order. */
  readonly records: readonly string[]
  /** The event the function received. */
  readonly event: unknown
  /** What the function returned (absent when it threw or timed out). */
  readonly response?: unknown
  /** What the function threw, or the timeout. */
  readonly error?: { readonly name: string; readonly message: string }
  readonly durationMs: number
  /**
   * How the mapping read the answer: `success`, `partial` (some records reported), `error`
   * (threw), `timeout`, or `malformed-response` (a partial batch response Lambda cannot use, which
   * fails the whole batch).
   */
  readonly result: 'success' | 'partial' | 'error' | 'timeout' | 'malformed-response'
  /** Identifiers the function reported while `ReportBatchItemFailures` is off: ignored. */
  readonly ignoredBatchItemFailures?: readonly string[]
}

/** A shard's position: the last sequence number before which every record is settled. */
export interface ShardReport {
  readonly shardId: string
  /** Null until the first record of the shard is settled. */
  readonly checkpoint: string | null
}

/** The report of a simulation or a local run. */
export interface MappingReport {
  readonly invocations: readonly InvocationReport[]
  /** One per record, in the stream's (or the queue's) order. */
  readonly outcomes: readonly RecordReport[]
  /** Streams only: each shard's checkpoint. */
  readonly shards: readonly ShardReport[]
  /** Every record sent to the OnFailure destination (streams) or to the dead-letter queue (SQS: the message ids). */
  readonly failureDestination: readonly FailureDestinationRecord[]
  /**
   * Kinesis and DynamoDB Streams with an S3 bucket as the on-failure destination: each object
   * Lambda puts there, its key and its body (the records of `failureDestination`, with `payload`).
   */
  readonly failureObjects?: readonly S3FailureObject[]
  /** SQS only: what the dead-letter queue received (the body unchanged). */
  readonly deadLetters?: readonly { readonly messageId: string; readonly body: string; readonly receiveCount: number }[]
  /** The cases that cost data or money, gathered so that nobody has to dig for them. */
  readonly costly: {
    /** Records discarded (or, SQS FIFO, dead-lettered) because a record before them failed (the poison record took them along). */
    readonly discardedBehindFailure: readonly string[]
    /** Invocations whose `batchItemFailures` Lambda ignored because `ReportBatchItemFailures` is off. */
    readonly ignoredPartialResponses: readonly { readonly invocation: number; readonly ids: readonly string[] }[]
    /** Records the function received more than once; a KPL aggregate is one record here, as Lambda sees it. */
    readonly duplicates: readonly { readonly id: string; readonly deliveries: number }[]
    /**
     * Tumbling windows whose final invocation ran out of retries: Lambda drops it without a failure
     * record (when it held no records) while the window's records show `succeeded`, so the window's
     * aggregate was never acted on. `invocations`: the indexes of the window's final invocations.
     */
    readonly lostWindows: readonly {
      readonly shardId: string
      readonly lane: number
      /** The window's bounds (ISO-8601), as in the event's `window`. */
      readonly start: string
      readonly end: string
      readonly invocations: readonly number[]
    }[]
  }
  /** Where AWS's behaviour is not documented, what the simulation chose. */
  readonly assumptions: readonly string[]
  /** When the last thing happened (ISO-8601). */
  readonly endedAt: string
  /** `simulate()` only: the metrics the event source mapping would publish to CloudWatch for this run. */
  readonly metrics?: MappingMetrics
}

/**
 * Counts of records (AWS calls them events) under the names of the event source mapping's
 * CloudWatch metrics, which Lambda publishes with `MetricsConfig: { Metrics: ['EventCount'] }`;
 * `IteratorAge` it publishes for every stream mapping. A metric the mapping does not publish (a
 * metric of another source, `FilteredOutEventCount` without `FilterCriteria`,
 * `OnFailureDestinationDeliveredEventCount` without an on-failure destination) is absent.
 */
export interface MetricValues {
  /** Records read from the stream or queue: a stream record once, however often it is retried; an SQS message at each receive. */
  readonly PolledEventCount: number
  /** Records the mapping's `FilterCriteria` dropped (with `FilterCriteria` only). */
  readonly FilteredOutEventCount?: number
  /** Records the function was invoked with, counted again at each retry. */
  readonly InvokedEventCount: number
  /**
   * Records of invocations that failed: the function threw, timed out, or answered with a batch
   * item failure (every record of that invocation counts) or with a response Lambda cannot read.
   * Counted when the invocation ends.
   */
  readonly FailedInvokeEventCount: number
  /**
   * Streams and Kafka: records discarded after `MaximumRetryAttempts` or past
   * `MaximumRecordAgeInSeconds` with no on-failure destination to send them to; never records the
   * stream's retention removed.
   */
  readonly DroppedEventCount?: number
  /** Streams and Kafka, with an on-failure destination: records sent to it. */
  readonly OnFailureDestinationDeliveredEventCount?: number
  /** SQS: messages Lambda deleted after the function succeeded with them. */
  readonly DeletedEventCount?: number
  /** Kafka: records the committed offset moved past. */
  readonly CommittedEventCount?: number
  /** Kinesis and DynamoDB Streams: the largest age, in ms, of an event's last record when the function was invoked with it. */
  readonly IteratorAge?: number
  /**
   * Kafka: the largest offset lag of one partition, the records written to it that the mapping
   * has not yet committed (`MetricsConfig: { Metrics: ['KafkaMetrics'] }`); the largest it reached.
   */
  readonly MaxOffsetLag?: number
  /** Kafka: the offset lags of all the mapping's partitions added up; the largest it reached. */
  readonly SumOffsetLag?: number
}

/** One UTC minute of {@link MetricValues}: what CloudWatch shows with a period of one minute (the sum; `IteratorAge` and the offset lags, the maximum). */
export interface MetricsMinute extends MetricValues {
  /** The minute's start (ISO-8601). */
  readonly minute: string
}

/**
 * The event source mapping's own metrics for a simulated run, under AWS's metric names.
 *
 * @example
 * ```ts
 * const dropped = report.metrics?.total.DroppedEventCount ?? 0 // discarded with nowhere to go
 * const oldest = Math.max(0, ...(report.metrics?.perMinute ?? []).map((m) => m.IteratorAge ?? 0))
 * ```
 */
export interface MappingMetrics {
  /** Over the whole run (`IteratorAge`, `MaxOffsetLag`, `SumOffsetLag`: the largest). */
  readonly total: MetricValues
  /**
   * Minute by minute, from the minute the first record the mapping read arrived to the minute the
   * run ended; a minute with nothing to count shows 0 (an empty poll counts 0), and no `IteratorAge`.
   */
  readonly perMinute: readonly MetricsMinute[]
}
