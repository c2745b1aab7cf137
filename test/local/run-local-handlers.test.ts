// Issue 26: runLocal() runs handlers typed the Powertools way (`KinesisStreamHandler`) on a real
// server, including one written with Lambda's callback.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import { PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisStreamHandler, KinesisStreamRecord } from 'aws-lambda'
import { afterAll, beforeAll, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisParser } from 'lambda-stream-handlers'
import { runLocal } from 'lambda-stream-handlers/local'
import { startKinesalite, type Kinesalite } from '../servers/kinesalite.js'

let kinesalite: Kinesalite

beforeAll(async () => {
  kinesalite = await startKinesalite()
})

afterAll(() => kinesalite.close())

const Order = z.object({ orderId: z.string(), total: z.number().positive() })

async function putOrders(streamName: string, data: readonly unknown[]): Promise<void> {
  await kinesalite.createStream(streamName, 1)
  const out = await kinesalite.client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: data.map((d) => ({ Data: Buffer.from(JSON.stringify(d)), PartitionKey: 'customer-1' })),
    }),
  )
  expect(out.FailedRecordCount ?? 0).toBe(0)
}

it('a KinesisStreamHandler built on a Powertools BatchProcessor runs against kinesalite: its partial response is read', async () => {
  await putOrders('powertools-orders', [
    { orderId: 'o-1', total: 5 },
    { orderId: 'o-2', total: -1 },
    { orderId: 'o-3', total: 7 },
  ])
  const charged: string[] = []
  const parseOrder = kinesisParser(Order)
  const processor = new BatchProcessor(EventType.KinesisDataStreams)
  const handler: KinesisStreamHandler = async (event, context) =>
    processPartialResponse(
      event,
      async (record: KinesisStreamRecord) => {
        charged.push(parseOrder(record).orderId)
      },
      processor,
      { context },
    )

  const run = await runLocal(handler, {
    source: 'kinesis',
    client: kinesalite.client,
    streamName: 'powertools-orders',
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    MaximumRetryAttempts: 0,
    pollIntervalMs: 50,
  })
  await run.idle()
  const report = await run.stop()
  // Powertools goes on past the bad record; the mapping re-delivers from it (o-3 is charged again)
  // and, with no retries left, discards the batch that starts at it.
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
  expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'remainder'])
  expect(charged).toEqual(['o-1', 'o-3', 'o-3'])
})

it('a handler written with Lambda callback gets the callback, and its answer is read', async () => {
  await putOrders('callback-orders', [{ orderId: 'o-1', total: 5 }])
  const seen: string[] = []
  const handler: KinesisStreamHandler = (event, _context, callback) => {
    for (const r of event.Records) seen.push(r.kinesis.sequenceNumber)
    callback(null, { batchItemFailures: [] })
  }
  const run = await runLocal(handler, {
    source: 'kinesis',
    client: kinesalite.client,
    streamName: 'callback-orders',
    MaximumRetryAttempts: 0,
    pollIntervalMs: 50,
  })
  await run.idle()
  const report = await run.stop()
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
  expect(report.invocations.map((i) => i.result)).toEqual(['success'])
  expect(seen).toEqual(report.outcomes.map((o) => o.id))
})
