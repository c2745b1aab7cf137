import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { expect, it, vi } from 'vitest'
import { localClient } from 'lambda-stream-handlers/local'
import { drain } from './run-local.js'

it('drains a kinesalite stream through the handler', async () => {
  const server = (createRequire(import.meta.url)('kinesalite') as (o: object) => Server)({ createStreamMs: 0 })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  const client = await localClient(KinesisClient, { endpoint })
  try {
    await client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }))
    await vi.waitFor(async () =>
      expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))).StreamDescriptionSummary?.StreamStatus).toBe(
        'ACTIVE',
      ),
    )
    const orders = [
      { orderId: 'o-1', total: 5 },
      { orderId: 'o-2', total: 7 },
    ]
    await client.send(
      new PutRecordsCommand({
        StreamName: 'orders',
        Records: orders.map((o) => ({ Data: Buffer.from(JSON.stringify(o)), PartitionKey: o.orderId })),
      }),
    )
    const report = await drain(endpoint)
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
  } finally {
    client.destroy()
    await new Promise((resolve) => server.close(resolve))
  }
})
