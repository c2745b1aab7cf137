import type { Middleware } from '../engine/builder.js'
import type { BaseMeta } from '../engine/engine.js'
import { ConfigurationError } from '../engine/errors.js'
import type { RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'

/** Options of {@link logContext}. */
export interface LogContextOptions<P, M> {
  /**
   * More keys for every log line of a record, computed from its typed payload and `meta`
   * (for example a business key: `(order) => ({ orderId: order.orderId })`). What it throws fails the record.
   */
  readonly keys?: (payload: P, meta: M) => Record<string, unknown>
}

/**
 * The `meta` fields that identify a record, whichever source delivered it: a Kinesis record's
 * shard, sequence number and partition key; an SQS message's id and group; a DynamoDB change's
 * event id and name. Those a source's `meta` has (as strings) go on every line.
 */
const IDENTIFIERS = ['shardId', 'sequenceNumber', 'partitionKey', 'messageId', 'messageGroupId', 'eventID', 'eventName'] as const

function scoped(logger: RecordLogger, keys: Record<string, unknown>): RecordLogger {
  // The keys go with each call rather than into the logger (no `appendKeys`): records of one
  // batch may run concurrently, and a shared logger's keys would leak from one record to another.
  return {
    debug: (message, ...extra) => logger.debug(message, keys, ...extra),
    info: (message, ...extra) => logger.info(message, keys, ...extra),
    warn: (message, ...extra) => logger.warn(message, keys, ...extra),
    error: (message, ...extra) => logger.error(message, keys, ...extra),
  }
}

/**
 * A per-record logging context: `meta.logger` becomes a logger whose every line carries the
 * record's identifiers (Kinesis: `shardId`, `sequenceNumber`, `partitionKey`; SQS: `messageId`,
 * `messageGroupId`; DynamoDB: `sequenceNumber`, `eventID`, `eventName`), plus the keys `options.keys` returns.
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
      const context: Record<string, unknown> = {}
      for (const name of IDENTIFIERS) {
        const value = (meta as unknown as Record<string, unknown>)[name]
        if (typeof value === 'string') context[name] = value
      }
      if (keys !== undefined) Object.assign(context, keys(payload, meta))
      return next(payload, { ...meta, logger: scoped(meta.logger, context) })
    }
}
