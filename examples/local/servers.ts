// Kinesis and DynamoDB on the laptop: kinesalite and dynalite in this process, on 127.0.0.1
// (`npm install -D kinesalite dynalite`), with the stream and the idempotency table the examples use.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { localClient } from 'lambda-stream-handlers/local'

// Neither server ships types: each default export makes a Node HTTP server.
const start = createRequire(import.meta.url) as (name: 'kinesalite' | 'dynalite') => (options: object) => Server

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`
}

export async function startLocalServers(): Promise<{
  kinesis: KinesisClient
  dynamodb: DynamoDBClient
  kinesisEndpoint: string
  stop(): void
}> {
  const kinesalite = start('kinesalite')({ createStreamMs: 0 })
  const dynalite = start('dynalite')({ createTableMs: 0 })
  const kinesisEndpoint = await listen(kinesalite)
  const kinesis = await localClient(KinesisClient, { endpoint: kinesisEndpoint })
  const dynamodb = await localClient(DynamoDBClient, { endpoint: await listen(dynalite) })

  await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }))
  while (
    (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE'
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  // The table Powertools' DynamoDBPersistenceLayer reads by default: partition key `id`, a string.
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'idempotency',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
  const stop = (): void => {
    kinesis.destroy()
    dynamodb.destroy()
    kinesalite.close()
    dynalite.close()
  }
  return { kinesis, dynamodb, kinesisEndpoint, stop }
}
