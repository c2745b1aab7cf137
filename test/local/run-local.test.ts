import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisStreamEvent } from 'aws-lambda'
import { startKinesalite, type Kinesalite } from '../servers/kinesalite.js'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { IdleTimeoutError, localClient, runLocal, type InvocationReport } from 'lambda-stream-handlers/local'
import { readFileSync } from 'node:fs'

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

  it('AT_TIMESTAMP after the last record: a clear error naming kinesalite’s limit, not a bare timeout (fact 113)', async () => {
    await createStream('at-timestamp', 1)
    await put('at-timestamp', [{ data: { n: 1 }, key: 'k' }])
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const quick = await localClient(KinesisClient, { endpoint: kinesalite.endpoint, requestTimeoutMs: 300 })
    const started = Date.now()
    await expect(
      runLocal(() => {}, {
        source: 'kinesis',
        client: quick,
        streamName: 'at-timestamp',
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: Date.now() / 1000 - 0.5,
      }),
    ).rejects.toThrow(
      /^runLocal: GetShardIterator with AT_TIMESTAMP on shardId-000000000000 did not answer \(.+\)\. kinesalite never answers it when the timestamp is after the shard's last record \(a known kinesalite limit\); there, use 'TRIM_HORIZON' or 'LATEST'/,
    )
    expect(Date.now() - started).toBeLessThan(5000)
    quick.destroy()
  })

  it('idle() rejects after its timeout with what is unsettled when a batch keeps failing under the default retries', async () => {
    await createStream('never-idle', 1)
    await put('never-idle', [{ data: { n: 1 }, key: 'k' }])
    const run = await runLocal(
      () => {
        throw new Error('the database is down')
      },
      { source: 'kinesis', client, streamName: 'never-idle', pollIntervalMs: 20, retryDelayMs: () => 50 },
    )
    const error = await run.idle({ timeoutMs: 800 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    await run.stop()
    expect(error).toBeInstanceOf(IdleTimeoutError)
    expect((error as IdleTimeoutError).message).toMatch(
      /^runLocal: not idle after 800 ms: 1 record not settled; [01] invocations? running; the last failed invocation: Error: the database is down\.$/,
    )
    expect((error as IdleTimeoutError).unsettled).toHaveLength(1)
    await expect(run.idle({ timeoutMs: -1 })).rejects.toThrow(
      'runLocal: idle(): `timeoutMs` must be a number of milliseconds, 0 or more; received -1.',
    )
  })

  it('names the function as its options document when functionName is not given', async () => {
    await createStream('unnamed', 1)
    await put('unnamed', [{ data: { n: 1 }, key: 'k' }])
    const names: string[] = []
    const run = await runLocal((_event: KinesisStreamEvent, context) => void names.push(context.functionName), {
      source: 'kinesis',
      client,
      streamName: 'unnamed',
      pollIntervalMs: 20,
    })
    await run.idle({ timeoutMs: 10_000 })
    await run.stop()
    // The documented default, read from the published options' TSDoc.
    for (const file of ['run-local.ts', 'run-local-dynamodb.ts']) {
      const source = readFileSync(new URL(`../../src/local/${file}`, import.meta.url), 'utf8')
      expect(source).toMatch(/Default `'local-function'`\. \*\/\n\s+readonly functionName\?: string/)
    }
    expect(names).toEqual(['local-function'])
  })

  it('fails at start with the server’s error when the stream does not exist', async () => {
    await expect(runLocal(() => {}, { source: 'kinesis', client, streamName: 'missing' })).rejects.toThrow(/not found|ResourceNotFound/i)
  })
})
