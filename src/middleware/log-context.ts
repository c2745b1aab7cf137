import type { Middleware } from '../engine/builder.js'
import type { BaseMeta } from '../engine/engine.js'
import { ConfigurationError } from '../engine/errors.js'
import type { RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'

/** Options of {@link logContext}. */
export interface LogContextOptions<P, M> {
  /**
   * More keys for every log line of a record, computed from its typed payload and `meta`
   * (for example a business key: `(order) => ({ orderId: order.orderId })`). The record's own
   * identifiers win over keys of the same name, so a payload's `messageId` cannot relabel its
   * record's lines. What it throws, or a return value that is not an object, fails the record.
   */
  readonly keys?: ((payload: P, meta: M) => Record<string, unknown>) | undefined
}

/**
 * The `meta` fields that identify a record, whichever source delivered it: a Kinesis record's
 * shard, sequence number and partition key (and, for a user record of a KPL aggregate, which
 * share the aggregate's sequence number, its `subSequenceNumber`); an SQS message's id and group; a
 * DynamoDB change's event id and name. Those a source's `meta` has go on every line.
 */
const IDENTIFIERS = [
  'shardId',
  'sequenceNumber',
  'partitionKey',
  'messageId',
  'messageGroupId',
  'eventID',
  'eventName',
  'topicPartition',
] as const

/** What `keys` returned instead of an object of log keys (by kind only: it may come from the payload), or `undefined` when it is one. */
function notLogKeys(value: unknown): string | undefined {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value !== 'object') return `a ${typeof value}`
  return typeof (value as { then?: unknown }).then === 'function' ? 'a promise (keys must be synchronous)' : undefined
}

function settleQuietly(value: unknown): void {
  try {
    if (typeof (value as { then?: unknown } | null)?.then === 'function') Promise.resolve(value).catch(() => {})
  } catch {
    // A `then` that cannot be read: nothing will reject through it.
  }
}

function scoped(logger: RecordLogger, keys: Record<string, unknown>, identifiers: Record<string, unknown>): RecordLogger {
  // The keys go with each call rather than into the logger (no `appendKeys`): records of one
  // batch may run concurrently, and a shared logger's keys would leak from one record to another.
  // A call with extras of its own gets the identifiers once more, last, so that none of its fields
  // (a payload's `messageId`) relabels the line: a later field of the same name wins, in the
  // default logger as in Powertools'.
  // A logger that throws (a Powertools Logger given a key it cannot write) never fails the record.
  const context = { ...keys, ...identifiers }
  const call =
    (level: keyof RecordLogger) =>
    (message: string, ...extra: unknown[]): void => {
      try {
        if (extra.length === 0) logger[level](message, context)
        else logger[level](message, context, ...extra, identifiers)
      } catch {
        // Logging is best effort.
      }
    }
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') }
}

/**
 * A per-record logging context: `meta.logger` becomes a logger whose every line carries the
 * record's identifiers (Kinesis: `shardId`, `sequenceNumber`, `partitionKey`, and `subSequenceNumber`
 * for a KPL user record; SQS: `messageId`,
 * `messageGroupId`; DynamoDB: `sequenceNumber`, `eventID`, `eventName`; Kafka: `topicPartition`, `offset`), plus the keys `options.keys` returns.
 * Pass a Powertools `Logger` as the handler's `logger` and each line is one JSON log entry with
 * those keys; the handler itself adds one summary line per batch (succeeded, failed, invalid,
 * skipped, cut by the deadline).
 *
 * @example
 * ```ts
 * export const logger = new Logger({ serviceName: 'orders' })
 *
 * export const handler = kinesisHandler({ schema: Order, logger })
 *   .use(logContext({ keys: (order) => ({ orderId: order.orderId }) }))
 *   .handle(async (order, meta) => {
 *     if (order.total > 10_000) throw new Error('needs a manual review')
 *     meta.logger.info('order received', { total: order.total })
 *   })
 * ```
 */
export function logContext<P, M extends BaseMeta>(options: LogContextOptions<P, M> = {}): Middleware<P, M> {
  const { keys, ...rest } = options
  const unknown = Object.keys(rest)
  if (unknown.length > 0)
    throw new ConfigurationError(`logContext: unknown option ${unknown.map((k) => `\`${k}\``).join(', ')}; the only option is \`keys\`.`)
  if (keys !== undefined && typeof keys !== 'function') {
    throw new ConfigurationError(`logContext: \`keys\` must be a function of the payload and meta; received ${describeValue(keys)}.`)
  }
  return (next) =>
    function withLogContext(payload, meta) {
      let added: Record<string, unknown> = {}
      if (keys !== undefined) {
        const returned: unknown = keys(payload, meta)
        const wrong = notLogKeys(returned)
        if (wrong !== undefined) {
          settleQuietly(returned) // a promise's rejection would otherwise go unhandled, which ends a Lambda invocation
          throw new TypeError(`logContext: \`keys\` must return an object of log keys; it returned ${wrong}.`)
        }
        added = returned as Record<string, unknown>
      }
      const identifiers: Record<string, unknown> = {}
      for (const name of IDENTIFIERS) {
        const value = (meta as unknown as Record<string, unknown>)[name]
        if (typeof value === 'string') identifiers[name] = value
      }
      const { subSequenceNumber: sub, offset } = meta as { subSequenceNumber?: unknown; offset?: unknown }
      if (typeof sub === 'number') identifiers.subSequenceNumber = sub
      if (typeof offset === 'number') identifiers.offset = offset // Kafka: with topicPartition, the record
      return next(payload, { ...meta, logger: scoped(meta.logger, added, identifiers) })
    }
}
