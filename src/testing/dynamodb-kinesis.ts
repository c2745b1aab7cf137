import type { DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { createHash } from 'node:crypto'
import { kinesisEvent, type KinesisEventOptions } from './kinesis.js'

/** Options of {@link kinesisEventFromDynamoDB}: the Kinesis event's, and the timestamp precision. */
export interface KinesisFromDynamoDBOptions extends Omit<KinesisEventOptions, 'schema' | 'partitionKey' | 'gzip'> {
  /** The table's `ApproximateCreationDateTimePrecision`. Default `'MILLISECOND'`. */
  readonly precision?: 'MILLISECOND' | 'MICROSECOND' | undefined
}

/**
 * The Kinesis event Lambda delivers when a table streams its changes into a Kinesis data stream
 * (Kinesis Data Streams for DynamoDB), made from a DynamoDB Streams event such as
 * `dynamodbEvent(...)` builds: each change becomes a record whose data is the change as JSON, with
 * `tableName` and `recordFormat`, `ApproximateCreationDateTime` in milliseconds (or microseconds),
 * and no `SequenceNumber` or `StreamViewType`.
 *
 * @example
 * ```ts
 * const event = kinesisEventFromDynamoDB(dynamodbEvent([insert(order)], { schema: Order, keys: ['orderId'] }))
 * ```
 */
export function kinesisEventFromDynamoDB(event: DynamoDBStreamEvent, options: KinesisFromDynamoDBOptions = {}): KinesisStreamEvent {
  const micro = options.precision === 'MICROSECOND'
  const changes = event.Records.map((record) => {
    const { SequenceNumber: _sequence, StreamViewType: _view, ApproximateCreationDateTime: created, ...rest } = record.dynamodb ?? {}
    const table = /:table\/([^/]+)/.exec(record.eventSourceARN ?? '')?.[1] ?? 'test-table'
    return {
      awsRegion: record.awsRegion,
      eventID: record.eventID,
      eventName: record.eventName,
      userIdentity: record.userIdentity ?? null,
      recordFormat: 'application/json',
      tableName: table,
      dynamodb: {
        ...(created === undefined ? {} : { ApproximateCreationDateTime: micro ? created * 1e6 : created * 1e3 }),
        ...(micro ? { ApproximateCreationDateTimePrecision: 'MICROSECOND' } : {}),
        ...rest,
      },
      eventSource: 'aws:dynamodb',
    }
  })
  // Kinesis Data Streams for DynamoDB partitions by the item's key.
  const partitionKey = (change: unknown): string =>
    createHash('md5')
      .update(JSON.stringify((change as { dynamodb: { Keys?: unknown } }).dynamodb.Keys ?? null))
      .digest('hex')
      .toUpperCase()
  return kinesisEvent(changes, { ...options, partitionKey })
}
