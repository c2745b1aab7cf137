// The simulations the timeline page is checked on in a real browser: each a known story.
import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import * as z from 'zod'
import { kinesisHandler, kinesisWindowHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
const orders = kinesisHandler({ schema: Order, logger: silentLogger }).handle((order) => {
  if (order.total > 10_000) throw new Error(`order ${order.orderId} needs a manual review`)
})

/** A hand-written handler without partial batch responses: one bad order fails (throws) the whole batch. */
function throwsOnPoison(event: KinesisStreamEvent): void {
  for (const r of event.Records) {
    const order = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as { orderId: string; total: number }
    if (order.total > 10_000) throw new Error(`order ${order.orderId} needs a manual review`)
  }
}

/** 30 orders on one shard, one of them poison (the 13th), arriving 100 ms apart. */
const withPoison = Array.from({ length: 30 }, (_, i) => ({
  data: { orderId: `o-${i}`, total: i === 12 ? 99_999 : i + 1 },
  partitionKey: 'p',
  at: i * 100,
}))

/** A poison record with bisect: the failing batch is split until the poison record is alone; the rest succeeds. */
export function poisonWithBisect(): Promise<MappingReport> {
  return simulate(throwsOnPoison, {
    source: 'kinesis',
    records: withPoison,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 1,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 2,
    durationMs: 150,
  })
}

/** The same poison record without bisect: its batch is retried, then discarded whole (its good records with it). */
export function poisonWithoutBisect(): Promise<MappingReport> {
  return simulate(throwsOnPoison, {
    source: 'kinesis',
    records: withPoison,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 1,
    MaximumRetryAttempts: 2,
    durationMs: 150,
  })
}

/** A FIFO queue: group g1's first message fails until its third receive; g1 waits while g2 flows. */
export function fifoGroupBlocked(): Promise<MappingReport> {
  return simulate(
    (event: SQSEvent) => {
      const failures = []
      let blocked = false
      for (const r of event.Records) {
        if (r.body === 'g1-0' && Number(r.attributes.ApproximateReceiveCount) < 3) blocked = true
        if (blocked && r.attributes.MessageGroupId === 'g1') failures.push({ itemIdentifier: r.messageId })
      }
      return { batchItemFailures: failures }
    },
    {
      source: 'sqs',
      fifo: true,
      records: [
        { body: 'g1-0', messageGroupId: 'g1' },
        { body: 'g1-1', messageGroupId: 'g1', at: 500 },
        ...Array.from({ length: 6 }, (_, i) => ({ body: `g2-${i}`, messageGroupId: 'g2', at: 1000 + i * 4000 })),
      ],
      BatchSize: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      visibilityTimeoutSeconds: 10,
      maxReceiveCount: 5,
      durationMs: 300,
    },
  )
}

/** Tumbling windows of 10 s over sales on 2 shards, one reduce failing once (retried). */
export function windowAggregation(): Promise<MappingReport> {
  let failed = false
  const handler = kinesisWindowHandler({
    schema: z.object({ cents: z.number().int() }),
    state: z.record(z.string(), z.number().int()),
    logger: silentLogger,
    initial: () => ({}),
    reduce: (t, sale, meta) => {
      if (sale.cents === 7 && !failed) {
        failed = true
        throw new Error('the currency service timed out')
      }
      t[meta.partitionKey] = (t[meta.partitionKey] ?? 0) + sale.cents
      return t
    },
    onWindowEnd: () => {},
  })
  return simulate(handler, {
    source: 'kinesis',
    shards: 2,
    records: Array.from({ length: 40 }, (_, i) => ({ data: { cents: i }, partitionKey: `store-${i % 4}`, at: i * 900 })),
    start: new Date('2026-11-22T09:00:00Z'),
    TumblingWindowInSeconds: 10,
    BatchSize: 5,
    MaximumRetryAttempts: 2,
    durationMs: 120,
  })
}

/** 10,000 records over 4 shards, a few poison ones, partial batch responses and bisect. */
export function tenThousand(): Promise<MappingReport> {
  return simulate(orders, {
    source: 'kinesis',
    shards: 4,
    records: Array.from({ length: 10_000 }, (_, i) => ({
      data: { orderId: `o-${i}`, total: i % 2500 === 1234 ? 99_999 : 5 },
      partitionKey: `customer-${i % 97}`,
      at: i * 30,
    })),
    BatchSize: 100,
    MaximumBatchingWindowInSeconds: 1,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 3,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    durationMs: 400,
  })
}
