// The metrics middleware with a real Powertools Metrics instance: the EMF line it writes on stdout,
// read back as CloudWatch would, for each outcome of a batch.
import { Metrics } from '@aws-lambda-powertools/metrics'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import {
  AllRecordsFailedError,
  ConfigurationError,
  kafkaHandler,
  kinesisHandler,
  metrics,
  silentLogger,
  sqsHandler,
} from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kafkaEvent, kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })

interface Emf {
  _aws: {
    Timestamp: number
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[]
  }
  [key: string]: unknown
}

/** Runs `fn` and returns the EMF lines Powertools wrote on stdout meanwhile. */
async function emf(fn: () => Promise<unknown>): Promise<Emf[]> {
  const lines: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk))
    return true
  })
  try {
    await fn()
  } finally {
    spy.mockRestore()
  }
  return lines
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Emf)
}

const cloudwatch = (): Metrics => new Metrics({ namespace: 'orders', serviceName: 'orders-svc' })
const ARRIVED = new Date('2026-03-01T12:00:00Z')
const context = () => lambdaContext({ functionName: 'orders-fn' })

function units(line: Emf): Record<string, string> {
  return Object.fromEntries((line._aws.CloudWatchMetrics[0]?.Metrics ?? []).map((m) => [m.Name, m.Unit]))
}

afterEach(() => {
  vi.useRealTimers()
})

describe('metrics()', () => {
  it('publishes one EMF line per batch with counts, the oldest record age, the duration and source/function dimensions', async () => {
    vi.useFakeTimers({ now: ARRIVED.getTime() + 90_000, toFake: ['Date'] })
    const handler = kinesisHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: cloudwatch() }))
      .handle(async (order) => {
        if (order.total > 100) throw new Error('too big')
      })
    const event = kinesisEvent(
      [{ orderId: 'a', total: 1 }, { orderId: 'b', total: 500 }, { orderId: 'c', total: 2 }, 'not json'] as never[],
      {
        arrivedAt: ARRIVED,
      },
    )
    let response: unknown
    const lines = await emf(async () => {
      response = await handler(event, context())
    })
    expect(response).toEqual({ batchItemFailures: event.Records.slice(1).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })) })
    expect(lines).toHaveLength(1)
    const line = lines[0] as Emf
    expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('orders')
    expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'source', 'function_name']])
    expect(line).toMatchObject({
      service: 'orders-svc',
      source: 'kinesis',
      function_name: 'orders-fn',
      BatchRecords: 4,
      RecordsSucceeded: 1,
      RecordsFailed: 1,
      RecordsInvalid: 0,
      RecordsSkipped: 2, // in order: the records after the failure are not started
      RecordsCutAtDeadline: 0,
      RecordsReported: 3,
      RecordsReplayed: 0,
      OldestRecordAge: 90_000,
    })
    expect(typeof line.BatchDuration).toBe('number')
    expect(units(line)).toEqual({
      BatchRecords: 'Count',
      RecordsSucceeded: 'Count',
      RecordsFailed: 'Count',
      RecordsInvalid: 'Count',
      RecordsSkipped: 'Count',
      RecordsCutAtDeadline: 'Count',
      RecordsReported: 'Count',
      RecordsReplayed: 'Count',
      OldestRecordAge: 'Milliseconds',
      BatchDuration: 'Milliseconds',
    })
    // Never a per-record dimension.
    expect(Object.keys(line)).not.toContain('sequenceNumber')
  })

  it('publishes when every record failed, and the handler still throws AllRecordsFailedError', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered' })
      .use(metrics({ metrics: cloudwatch() }))
      .handle(async () => {
        throw new Error('downstream is down')
      })
    let thrown: unknown
    const lines = await emf(async () => {
      await handler(kinesisEvent([{ orderId: 'a', total: 1 }, 'bad'] as never[]), context()).catch((e: unknown) => {
        thrown = e
      })
    })
    expect(thrown).toBeInstanceOf(AllRecordsFailedError)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ BatchRecords: 2, RecordsFailed: 1, RecordsInvalid: 1, RecordsReported: 2, RecordsSucceeded: 0 })
  })

  it('publishes at the deadline: records still running and those not started are counted as cut', async () => {
    let now = 0
    const ctx = lambdaContext({ timeoutMs: 3000, now: () => now, functionName: 'orders-fn' })
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, deadlineMarginMs: 1000 })
      .use(metrics({ metrics: cloudwatch() }))
      .handle(async () => {
        now = 2500 // the first record takes the Lambda past its margin and never settles
        await new Promise(() => {})
      })
    const lines = await emf(async () => {
      await handler.process(
        kinesisEvent([
          { orderId: 'a', total: 1 },
          { orderId: 'b', total: 2 },
        ]),
        ctx,
      )
    })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ BatchRecords: 2, RecordsCutAtDeadline: 2, RecordsReported: 2, RecordsSucceeded: 0 })
  })

  it('counts records replayed by an idempotent middleware, before or after it in the chain', async () => {
    const store = new InMemoryPersistenceStore()
    const runs: string[] = []
    const handler = sqsHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: cloudwatch() }))
      .use(idempotent({ persistenceStore: store, key: (o) => o.orderId }))
      .handle(async (order) => {
        runs.push(order.orderId)
      })
    const sentAt = new Date(Date.now() - 5000)
    const event = sqsEvent(
      [
        { orderId: 'a', total: 1 },
        { orderId: 'b', total: 2 },
      ],
      { sentAt },
    )
    const first = await emf(() => handler(event, context()))
    const again = await emf(() => handler(event, context()))
    expect(runs).toEqual(['a', 'b'])
    expect(first[0]).toMatchObject({ source: 'sqs', BatchRecords: 2, RecordsSucceeded: 2, RecordsReplayed: 0 })
    expect(again[0]).toMatchObject({ source: 'sqs', BatchRecords: 2, RecordsSucceeded: 2, RecordsReplayed: 2 })
    // SQS: the age of the oldest message is counted from its SentTimestamp.
    expect(first[0]?.OldestRecordAge as number).toBeGreaterThanOrEqual(5000)
    expect(first[0]?.OldestRecordAge as number).toBeLessThan(60_000)
  })

  it('counts replays with the idempotent middleware outside it too', async () => {
    const store = new InMemoryPersistenceStore()
    const handler = sqsHandler({ schema: Order, logger: silentLogger })
      .use(idempotent({ persistenceStore: store, key: (o) => o.orderId }))
      .use(metrics({ metrics: cloudwatch() }))
      .handle(() => {})
    const event = sqsEvent([{ orderId: 'a', total: 1 }])
    await emf(() => handler(event, context()))
    const again = await emf(() => handler(event, context()))
    expect(again[0]).toMatchObject({ RecordsSucceeded: 1, RecordsReplayed: 1 })
  })

  it("Kafka: the source dimension and the age from the records' timestamps", async () => {
    vi.useFakeTimers({ now: ARRIVED.getTime() + 42_000, toFake: ['Date'] })
    const handler = kafkaHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: cloudwatch() }))
      .handle(() => {})
    const lines = await emf(() => handler(kafkaEvent([{ orderId: 'a', total: 1 }], { timestamp: ARRIVED }), context()))
    expect(lines[0]).toMatchObject({ source: 'kafka', BatchRecords: 1, RecordsSucceeded: 1, OldestRecordAge: 42_000 })
  })

  it('keeps the replays of concurrent invocations apart (each has its own context)', async () => {
    const store = new InMemoryPersistenceStore()
    const handler = sqsHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: cloudwatch() }))
      .use(idempotent({ persistenceStore: store, key: (o) => o.orderId }))
      .handle(async () => {
        await new Promise((r) => setTimeout(r, 5))
      })
    // The first delivery of x, read back too (so that the test run's output stays quiet).
    expect(await emf(() => handler.process(sqsEvent([{ orderId: 'x', total: 1 }]), context()))).toMatchObject([{ RecordsReplayed: 0 }])
    const lines = await emf(() =>
      Promise.all([
        handler.process(sqsEvent([{ orderId: 'x', total: 1 }]), context()),
        handler.process(sqsEvent([{ orderId: 'y', total: 1 }]), context()),
      ]),
    )
    expect(lines.map((l) => l.RecordsReplayed).sort()).toEqual([0, 1])
  })

  it('publishes the duration of a malformed event, which still fails loudly', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: cloudwatch() }))
      .handle(() => {})
    let thrown: unknown
    const lines = await emf(async () => {
      await handler({ Records: 'nope' } as never, context()).catch((e: unknown) => {
        thrown = e
      })
    })
    expect((thrown as Error).name).toBe('MalformedEventError')
    expect(lines).toHaveLength(1)
    expect(Object.keys(units(lines[0] as Emf))).toEqual(['BatchDuration'])
  })

  it('never fails a batch when the publisher throws', async () => {
    const broken = {
      addMetric: () => {
        throw new Error('metric name too long')
      },
      addDimension: () => {},
      publishStoredMetrics: () => {},
    }
    const handler = kinesisHandler({ schema: Order, logger: silentLogger })
      .use(metrics({ metrics: broken }))
      .handle(() => {})
    await expect(handler(kinesisEvent([{ orderId: 'a', total: 1 }]), context())).resolves.toEqual({ batchItemFailures: [] })
  })

  it('refuses what is not a Metrics instance, when the handler is defined', () => {
    expect(() => metrics({ metrics: {} as never })).toThrow(ConfigurationError)
    expect(() => metrics({ metrics: cloudwatch(), namespace: 'x' } as never)).toThrow(/unknown option `namespace`/)
    expect(() => metrics(undefined as never)).toThrow(/expected `\{ metrics \}`/)
  })
})
