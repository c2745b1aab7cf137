import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { tick } from '../helpers.js'

const Item = z.object({ n: z.number(), key: z.string() })
type Item = z.infer<typeof Item>
const items = (keys: string[]) => keys.map((key, n) => ({ n, key }))
const eventOf = (list: Item[]) => kinesisEvent(list, { schema: Item, partitionKey: (p) => (p as Item).key })
const statuses = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) => (o.status === 'skipped' ? `skipped:${o.reason.kind}` : o.status))

describe("ordering: 'in-order' (the default for streams)", () => {
  it('runs one record at a time in order, stops at the first failure and never starts a later record', async () => {
    const started: number[] = []
    let running = 0
    let maxRunning = 0
    const handler = kinesisHandler({ schema: Item, logger: silentLogger }, async (item) => {
      started.push(item.n)
      maxRunning = Math.max(maxRunning, ++running)
      await tick()
      running--
      if (item.n === 2) throw new Error('fails')
    })
    const event = eventOf(items(['a', 'b', 'a', 'c', 'b']))
    const report = await handler.process(event)
    expect(started).toEqual([0, 1, 2])
    expect(maxRunning).toBe(1)
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'failed', 'skipped:after-failure', 'skipped:after-failure'])
    expect(report.batchItemFailures).toEqual(event.Records.slice(2).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })))
  })

  it('treats an unhandled invalid record as a failure that stops the batch', async () => {
    const started: number[] = []
    const handler = kinesisHandler({ schema: Item, logger: silentLogger }, (item) => void started.push(item.n))
    const list: unknown[] = items(['a', 'a', 'a'])
    list[1] = { n: 'one', key: 'a' }
    const report = await handler.process(kinesisEvent(list))
    expect(started).toEqual([0])
    expect(statuses(report.outcomes)).toEqual(['ok', 'invalid', 'skipped:after-failure'])
  })
})

describe("ordering: 'per-key'", () => {
  it('runs keys concurrently up to the bound and keeps order within each key', async () => {
    const log: { key: string; n: number; at: 'start' | 'end' }[] = []
    let running = 0
    let maxRunning = 0
    const handler = kinesisHandler({ schema: Item, logger: silentLogger, ordering: 'per-key', concurrency: 2 }, async (item) => {
      maxRunning = Math.max(maxRunning, ++running)
      log.push({ key: item.key, n: item.n, at: 'start' })
      await tick()
      log.push({ key: item.key, n: item.n, at: 'end' })
      running--
    })
    // Same keys side by side: an unordered run would start a0 and a1 together.
    const list = items(['a', 'a', 'b', 'a', 'b', 'c', 'c'])
    const report = await handler.process(eventOf(list))
    expect(report.batchItemFailures).toEqual([])
    expect(maxRunning).toBe(2)
    for (const key of ['a', 'b', 'c']) {
      // Within a key: each record starts after the previous one ended, in the batch's order.
      const mine = log.filter((l) => l.key === key).map((l) => `${l.at} ${l.n}`)
      expect(mine).toEqual(list.filter((i) => i.key === key).flatMap((i) => [`start ${i.n}`, `end ${i.n}`]))
    }
  })

  it('stops a failed key and starts nothing after the lowest failure; earlier records of other keys still run', async () => {
    const started: number[] = []
    const handler = kinesisHandler({ schema: Item, logger: silentLogger, ordering: 'per-key', concurrency: 3 }, async (item) => {
      started.push(item.n)
      await tick()
      if (item.n === 1) throw new Error('b fails')
    })
    //                     0    1    2    3    4    5
    const event = eventOf(items(['a', 'b', 'a', 'c', 'b', 'a']))
    const report = await handler.process(event)
    // b1 fails: b4 is behind it in its key; a2, c3, a5 belong to other keys but a5 and c3 come after
    // the failure in the shard, so Lambda would re-deliver them anyway. a2 and c3 may already have started.
    expect(report.outcomes[1]!.status).toBe('failed')
    expect(report.outcomes[4]).toMatchObject({ status: 'skipped' })
    expect(started).not.toContain(4)
    expect(started).not.toContain(5)
    expect(report.outcomes[0]!.status).toBe('ok')
    const reported = report.batchItemFailures.map((f) => f.itemIdentifier)
    const firstFailure = event.Records[1]!.kinesis.sequenceNumber
    expect(reported[0]).toBe(firstFailure)
    expect(reported).toContain(event.Records[5]!.kinesis.sequenceNumber)
  })
})

describe("ordering: 'unordered'", () => {
  it('runs every record independently up to the bound and reports each failure', async () => {
    let running = 0
    let maxRunning = 0
    const started: number[] = []
    const handler = kinesisHandler({ schema: Item, logger: silentLogger, ordering: 'unordered', concurrency: 3 }, async (item) => {
      started.push(item.n)
      maxRunning = Math.max(maxRunning, ++running)
      await tick()
      running--
      if (item.n % 2 === 0) throw new Error('even')
    })
    const report = await handler.process(eventOf(items(['a', 'a', 'a', 'a', 'a', 'a', 'a'])))
    expect(maxRunning).toBe(3)
    expect(started.sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(statuses(report.outcomes)).toEqual(['failed', 'ok', 'failed', 'ok', 'failed', 'ok', 'failed'])
  })

  it('defaults the bound to 10', async () => {
    let running = 0
    let maxRunning = 0
    const handler = kinesisHandler({ schema: Item, ordering: 'unordered' }, async () => {
      maxRunning = Math.max(maxRunning, ++running)
      await tick()
      running--
    })
    await handler(eventOf(items(Array.from({ length: 25 }, () => 'k'))))
    expect(maxRunning).toBe(10)
  })
})

describe('middleware', () => {
  it('composes in the order written, grows meta, and turns what it throws into the record outcome', async () => {
    const trace: string[] = []
    const handler = kinesisHandler({ schema: Item, logger: silentLogger, ordering: 'unordered', allFailed: 'report' })
      .use<{ tenant: string }>((next) => async (item, meta) => {
        trace.push(`outer ${item.n}`)
        await next(item, { ...meta, tenant: 't1' })
      })
      .use<{ started: number }>((next) => (item, meta) => {
        trace.push(`inner ${item.n} ${meta.tenant}`)
        if (item.n === 1) throw new Error('refused by middleware')
        return next(item, { ...meta, started: 5 })
      })
      .handle((item, meta) => {
        trace.push(`fn ${item.n} ${meta.tenant} ${meta.started}`)
      })
    const report = await handler.process(eventOf(items(['a', 'b'])))
    expect(trace).toEqual(['outer 0', 'inner 0 t1', 'fn 0 t1 5', 'outer 1', 'inner 1 t1'])
    expect(report.outcomes[1]).toMatchObject({ status: 'failed', reason: { message: 'refused by middleware' } })
  })
})
