import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import { PutRecordsCommand } from '@aws-sdk/client-kinesis'
import { expect, it } from 'vitest'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { charged, ordersHandler } from '../middleware/idempotent.js'
import { drain } from './run-local.js'
import { startLocalServers } from './servers.js'

it('the README stream and idempotency table on the laptop: runLocal drains the stream, a repeated order is charged once', async () => {
  const servers = await startLocalServers()
  try {
    await servers.kinesis.send(
      new PutRecordsCommand({ StreamName: 'orders', Records: [{ Data: Buffer.from('{"orderId":"o-1","total":5}'), PartitionKey: 'o-1' }] }),
    )
    expect((await drain(servers.kinesisEndpoint)).outcomes.map((o) => o.fate)).toEqual(['succeeded'])

    const handler = ordersHandler(new DynamoDBPersistenceLayer({ tableName: 'idempotency', awsSdkV3Client: servers.dynamodb }))
    charged.length = 0
    const event = kinesisEvent([{ orderId: 'o-9', total: 5 }])
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(await handler(kinesisEvent([{ orderId: 'o-9', total: 5 }]), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(charged).toEqual(['o-9'])
  } finally {
    servers.stop()
  }
})
