// The handler against a DynamoDB table's stream on the laptop (DynamoDB Local), read as Lambda's mapping would.
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams'
import type { DynamoDBStreamEvent } from 'aws-lambda'
import * as z from 'zod'
import { dynamodbHandler, silentLogger } from 'lambda-stream-handlers'
import { lambdaDynamoDBRecord, localClient, runLocal, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = dynamodbHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function drainTable(endpoint: string, streamArn: string): Promise<MappingReport> {
  // localClient, as for Kinesis: an HTTP/1.1 handler, a region and local credentials.
  const client = await localClient(DynamoDBStreamsClient, { endpoint })
  const run = await runLocal(handler, { source: 'dynamodb', client, streamArn, FunctionResponseTypes: ['ReportBatchItemFailures'] })
  await run.idle()
  const report = await run.stop()
  client.destroy()
  return report
}

/** One page of stream records, as the event Lambda would build from it. */
export async function eventOf(streams: DynamoDBStreamsClient, streamArn: string, ShardIterator: string): Promise<DynamoDBStreamEvent> {
  const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }))
  const event: DynamoDBStreamEvent = { Records: Records.map((r) => lambdaDynamoDBRecord(r, streamArn)) }
  return event
}
