import type { KinesisStreamEvent } from 'aws-lambda'
import { expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisWindowHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, modify, remove } from 'lambda-stream-handlers/testing'
import { handler as ddbHandler, Order as DdbOrder, reports } from '../../examples/windows/orders.js'

// Tumbling windows in the simulator (facts 58-68), with the library's own window handler.
const Sale = z.object({ cents: z.number().int() })
const Totals = z.record(z.string(), z.number().int())
const start = new Date('2026-11-22T09:00:00Z')
type WindowEvent = KinesisStreamEvent & {
  window: { start: string; end: string }
  state: Record<string, unknown>
  shardId: string
  eventSourceARN: string
  isFinalInvokeForWindow: boolean
  isWindowTerminatedEarly: boolean
}

function totals(flaky: Set<number> = new Set()) {
  const ended: { start: string; totals: Record<string, number> }[] = []
  const handler = kinesisWindowHandler({
    schema: Sale,
    state: Totals,
    logger: silentLogger,
    initial: () => ({}),
    reduce: (t, sale, meta) => {
      if (flaky.delete(sale.cents)) throw new Error('a passing failure')
      t[meta.partitionKey] = (t[meta.partitionKey] ?? 0) + sale.cents
      return t
    },
    onWindowEnd: (t, w) => void ended.push({ start: w.start.toISOString(), totals: t }),
  })
  return { handler, ended }
}

// 09:00:00, :10, :20 fall in the 09:00 window; 09:01:10 and :20 in 09:01; 09:03:20 in 09:03.
const puts = [
  { data: { cents: 100 }, partitionKey: 'store-1', at: 0 },
  { data: { cents: 20 }, partitionKey: 'store-2', at: 10_000 },
  { data: { cents: 3 }, partitionKey: 'store-1', at: 20_000 },
  { data: { cents: 400 }, partitionKey: 'store-1', at: 70_000 },
  { data: { cents: 50 }, partitionKey: 'store-2', at: 80_000 },
  { data: { cents: 6 }, partitionKey: 'store-2', at: 200_000 },
]

it('facts 59-61, 63, 68: the state travels between the invocations of a window, each window ends once with its total', async () => {
  const { handler, ended } = totals()
  const report = await simulate(handler, { source: 'kinesis', records: puts, start, TumblingWindowInSeconds: 60, BatchSize: 2 })
  expect(report.outcomes.map((o) => o.fate)).toEqual(Array(6).fill('succeeded'))
  expect(ended).toEqual([
    { start: '2026-11-22T09:00:00.000Z', totals: { 'store-1': 103, 'store-2': 20 } },
    { start: '2026-11-22T09:01:00.000Z', totals: { 'store-1': 400, 'store-2': 50 } },
    { start: '2026-11-22T09:03:00.000Z', totals: { 'store-2': 6 } },
  ])
  const events = report.invocations.map((i) => i.event as WindowEvent)
  // Fact 59: the window fields, aligned to whole minutes (fact 60); `{}` opens each window.
  expect(events[0]).toMatchObject({
    window: { start: '2026-11-22T09:00:00Z', end: '2026-11-22T09:01:00Z' },
    state: {},
    shardId: 'shardId-000000000000',
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  })
  expect(events[0]!.eventSourceARN).toMatch(/^arn:aws:kinesis:/)
  // Fact 61: the state each invocation returned is the next one's.
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.window.start === events[i - 1]!.window.start)
      expect(events[i]!.state).toEqual((report.invocations[i - 1]!.response as { state: unknown }).state)
    else expect(events[i]!.state).toEqual({})
  }
  // Fact 63: one final invocation per window; a window whose records were all delivered before it was over ends with one without records (fact 68).
  const finals = report.invocations.filter((i) => (i.event as WindowEvent).isFinalInvokeForWindow)
  expect(finals.map((i) => [(i.event as WindowEvent).window.start, i.records.length, i.trigger])).toEqual([
    ['2026-11-22T09:00:00Z', 0, 'window-end'],
    ['2026-11-22T09:01:00Z', 0, 'window-end'],
    ['2026-11-22T09:03:00Z', 0, 'window-end'],
  ])
  // The 09:00 window closes when the 09:01:10 record arrives; the last one 120 s after its end (fact 64).
  expect(finals.map((i) => i.at)).toEqual(['2026-11-22T09:01:10.000Z', '2026-11-22T09:03:20.000Z', '2026-11-22T09:06:00.000Z'])
  expect(report.assumptions.some((a) => a.startsWith('Tumbling windows:'))).toBe(true)
})

it('facts 60, 63: a batch never spans two windows; a batch read after its window is over is the final one', async () => {
  const { handler, ended } = totals()
  const report = await simulate(handler, {
    source: 'kinesis',
    records: puts.slice(0, 5),
    start,
    TumblingWindowInSeconds: 60,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 300,
  })
  expect(report.invocations.map((i) => [i.records.length, (i.event as WindowEvent).isFinalInvokeForWindow])).toEqual([
    [3, true],
    [2, true],
  ])
  expect(ended.map((e) => e.totals)).toEqual([
    { 'store-1': 103, 'store-2': 20 },
    { 'store-1': 400, 'store-2': 50 },
  ])
})

it('fact 66: a failed window invocation is retried with the state it was given; every record counts once', async () => {
  const { handler, ended } = totals(new Set([20, 400]))
  const report = await simulate(handler, {
    source: 'kinesis',
    records: puts,
    start,
    TumblingWindowInSeconds: 60,
    BatchSize: 2,
    MaximumRetryAttempts: 2,
  })
  const retries = report.invocations.filter((i) => i.trigger === 'retry')
  expect(retries).toHaveLength(2)
  for (const r of retries) expect((r.event as WindowEvent).state).toEqual((report.invocations[r.index - 1]!.event as WindowEvent).state)
  expect(ended.map((e) => e.totals)).toEqual([{ 'store-1': 103, 'store-2': 20 }, { 'store-1': 400, 'store-2': 50 }, { 'store-2': 6 }])
  expect(report.outcomes.every((o) => o.fate === 'succeeded')).toBe(true)
})

it('fact 61: a window response without `state` fails the invocation', async () => {
  const report = await simulate(() => ({ batchItemFailures: [] }), {
    source: 'kinesis',
    records: puts.slice(0, 1),
    start,
    TumblingWindowInSeconds: 60,
    MaximumRetryAttempts: 1,
  })
  expect(report.invocations.map((i) => i.result)).toEqual([
    'malformed-response',
    'malformed-response',
    'malformed-response',
    'malformed-response',
  ])
  expect(report.outcomes[0]!.fate).toBe('discarded')
})

it('TumblingWindowInSeconds is checked at once: 0-900', async () => {
  await expect(simulate(() => ({ state: {} }), { source: 'kinesis', records: [], TumblingWindowInSeconds: 901 })).rejects.toThrow(
    '`TumblingWindowInSeconds` must be a whole number from 0 to 900; received 901.',
  )
  await expect(simulate(() => ({ state: {} }), { source: 'kinesis', records: [], windowGraceSeconds: 5 })).rejects.toThrow(
    '`windowGraceSeconds` goes with `TumblingWindowInSeconds`.',
  )
})

it('facts 59-60 for DynamoDB Streams: windows by approximate creation time, the example handler tallies each window once', async () => {
  reports.length = 0
  const o1 = { orderId: 'o-1', status: 'NEW', totalCents: 900 } as const
  const o2 = { orderId: 'o-2', status: 'NEW', totalCents: 500 } as const
  const at = (s: number): Date => new Date(start.getTime() + s * 1000)
  // Two events of the same stream shard, written 2 minutes apart: one window each. The second
  // event's sequence numbers follow the first's, as dynamodbEvent gives them.
  const first = dynamodbEvent([insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' })], {
    schema: DdbOrder,
    keys: ['orderId'],
    createdAt: at(5),
  })
  const second = dynamodbEvent([remove(o2)], {
    schema: DdbOrder,
    keys: ['orderId'],
    createdAt: at(125),
  })
  const report = await simulate(ddbHandler, {
    source: 'dynamodb',
    records: [...first.Records, ...second.Records],
    TumblingWindowInSeconds: 60,
    BatchSize: 10,
  })
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded'])
  expect(reports).toEqual([
    '2026-11-22T09:00:00.000Z shardId-00000000000000000000-00000000: 2 new, 1 paid (900 cents), 0 removed',
    '2026-11-22T09:02:00.000Z shardId-00000000000000000000-00000000: 0 new, 0 paid (0 cents), 1 removed',
  ])
  expect((report.invocations[0]!.event as { eventSourceARN: string }).eventSourceARN).toMatch(/:table\/test-table\/stream\//)
})
