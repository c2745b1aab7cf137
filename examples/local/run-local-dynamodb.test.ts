import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb'
import { DescribeStreamCommand, DynamoDBStreamsClient, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams'
import { expect, it } from 'vitest'
import { hasJava, startDynamoDBLocal } from '../../test/servers/dynamodb-local.js'
import { drainTable, eventOf } from './run-local-dynamodb.js'

const skip = process.env.LSH_SKIP_DYNAMODB_LOCAL === '1'
if (!skip && !hasJava()) throw new Error('This example runs DynamoDB Local, which needs Java 17; set LSH_SKIP_DYNAMODB_LOCAL=1 to skip it.')

it.skipIf(skip)(
  'drains a DynamoDB Local table stream through the handler, and builds the event from GetRecords',
  async () => {
    const server = await startDynamoDBLocal()
    const config = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }
    const ddb = new DynamoDBClient(config)
    const streams = new DynamoDBStreamsClient(config)
    try {
      const table = await ddb.send(
        new CreateTableCommand({
          TableName: 'orders',
          AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        }),
      )
      const streamArn = table.TableDescription!.LatestStreamArn!
      for (const [orderId, total] of [
        ['o-1', 5],
        ['o-2', 7],
      ] as const) {
        await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { orderId: { S: orderId }, total: { N: String(total) } } }))
      }
      const report = await drainTable(server.endpoint, streamArn)
      expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])

      const shardId = (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription!.Shards![0]!.ShardId!
      const iterator = (
        await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))
      ).ShardIterator!
      const event = await eventOf(streams, streamArn, iterator)
      expect(event.Records.map((r) => [r.eventName, r.dynamodb!.NewImage!.orderId!.S, r.eventSourceARN])).toEqual([
        ['INSERT', 'o-1', streamArn],
        ['INSERT', 'o-2', streamArn],
      ])
    } finally {
      streams.destroy()
      ddb.destroy()
      await server.stop()
    }
  },
  60_000,
)
