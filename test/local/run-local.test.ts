import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisStreamEvent } from 'aws-lambda'
import { startKinesalite, type Kinesalite } from '../servers/kinesalite.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { runLocal, type InvocationReport } from 'lambda-stream-handlers/local'

let kinesalite: Kinesalite
let client: KinesisClient

beforeAll(async () => {
  kinesalite = await startKinesalite()
  client = kinesalite.client
})

afterAll(() => kinesalite.close())

const createStream = (name: string, shards: number): Promise<void> => kinesalite.createStream(name, shards)

async function put(name: string, items: { data: unknown; key: string }[]): Promise<void> {
  const out = await client.send(
    new PutRecordsCommand({
      StreamName: name,
      Records: items.map((i) => ({ Data: Buffer.from(typeof i.data === 'string' ? i.data : JSON.stringify(i.data)), PartitionKey: i.key })),
    }),
  )
  expect(out.FailedRecordCount ?? 0).toBe(0)
}

const Order = z.object({ orderId: z.string(), total: z.number() })

describe('runLocal on kinesalite', () => {
  it('polls every shard, builds Lambda events, and applies the rules: partial failures, bisect, discard, checkpoint', async () => {
    await createStream('orders', 2)
    const seen: string[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (order) => {
      if (order.total < 0) throw new Error('negative total')
      seen.push(order.orderId)
    })
    const orders = Array.from({ length: 12 }, (_, i) => ({ data: { orderId: `o-${i}`, total: i === 5 ? -1 : i }, key: `customer-${i}` }))
    await put('orders', [...orders, { data: 'not json', key: 'customer-1' }])

    const invocations: InvocationReport[] = []
    const run = await runLocal(handler, {
      source: 'kinesis',
      client,
      streamName: 'orders',
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      retryDelayMs: () => 20,
      pollIntervalMs: 50,
      onInvocation: (i) => invocations.push(i),
    })
    await run.idle()
    const report = await run.stop()

    expect(report.outcomes).toHaveLength(13)
    const shardsUsed = new Set(report.outcomes.map((o) => o.shardId))
    expect(shardsUsed.size).toBe(2)
    // The two bad records are discarded; every good order is saved, whatever it was batched with.
    const bad = report.outcomes.filter((o) => o.fate === 'discarded')
    expect(bad).toHaveLength(2)
    expect(report.outcomes.filter((o) => o.fate === 'succeeded')).toHaveLength(11)
    expect(new Set(seen)).toEqual(new Set(orders.filter((o) => o.data.total >= 0).map((o) => o.data.orderId)))
    for (const o of bad) {
      expect(o.failureRecord?.requestContext.condition).toBe('RetryAttemptsExhausted')
      expect(o.failureRecord?.KinesisBatchInfo).toMatchObject({
        shardId: o.shardId,
        startSequenceNumber: o.id,
        endSequenceNumber: o.id,
        batchSize: 1,
        streamArn: expect.stringMatching(/:stream\/orders$/),
      })
    }
    // Each shard's checkpoint is its last record.
    for (const shard of report.shards) expect(shard.checkpoint).toBe(report.outcomes.filter((o) => o.shardId === shard.shardId).at(-1)!.id)
    // The events are built as Lambda builds them (fact 2).
    const record = (report.invocations[0]!.event as KinesisStreamEvent).Records[0]!
    expect(record).toMatchObject({
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventName: 'aws:kinesis:record',
      awsRegion: 'us-east-1',
      kinesis: { kinesisSchemaVersion: '1.0' },
    })
    expect(record.eventID).toBe(`${report.invocations[0]!.shardId}:${record.kinesis.sequenceNumber}`)
    expect(typeof record.kinesis.approximateArrivalTimestamp).toBe('number')
    expect(invocations.map((i) => i.index).sort((a, b) => a - b)).toEqual(report.invocations.map((i) => i.index))
  })

  it('stops when asked: no poll and no invocation afterwards, and the records it had not settled are pending', async () => {
    await createStream('stop-me', 1)
    let calls = 0
    const run = await runLocal(
      () => {
        calls++
        throw new Error('always')
      },
      { source: 'kinesis', client, streamName: 'stop-me', pollIntervalMs: 20, retryDelayMs: () => 30 },
    )
    await put('stop-me', [{ data: { n: 1 }, key: 'k' }])
    await vi.waitFor(() => expect(calls).toBeGreaterThan(1))
    const report = await run.stop()
    const after = calls
    expect(report.outcomes.map((o) => o.fate)).toEqual(['pending'])
    await put('stop-me', [{ data: { n: 2 }, key: 'k' }])
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(calls).toBe(after)
    expect(await run.stop()).toBe(report) // stopping twice gives the same report
  })

  it('stops on an AbortSignal, and a function slower than its timeout counts as failed', async () => {
    await createStream('slow', 1)
    await put('slow', [{ data: { n: 1 }, key: 'k' }])
    const controller = new AbortController()
    const results: string[] = []
    const run = await runLocal(() => new Promise((resolve) => setTimeout(resolve, 1500)), {
      source: 'kinesis',
      client,
      streamName: 'slow',
      timeoutSeconds: 1,
      MaximumRetryAttempts: 0,
      pollIntervalMs: 20,
      signal: controller.signal,
      onInvocation: (i) => results.push(i.result),
    })
    await run.idle()
    controller.abort()
    const report = await run.stop()
    expect(results).toEqual(['timeout'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['discarded'])
  })

  it('fails at start with the server’s error when the stream does not exist', async () => {
    await expect(runLocal(() => {}, { source: 'kinesis', client, streamName: 'missing' })).rejects.toThrow(/not found|ResourceNotFound/i)
  })
})
