// The engine's report and its lines after the workers: which records the deadline warning counts,
// one itemIdentifier per KPL aggregate however many of its user records fail, and the fields the
// summary and the all-failed lines carry. Each test fails on a mutant of src/engine/engine.ts
// (lines 401-526) that `stryker-equivalent.md` does not list.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, lambdaContext } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Item = z.object({ n: z.number() })

describe('after the workers', () => {
  it('records skipped after a failure are not counted as cut by the deadline', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger }, (item) => {
      if (item.n === 1) throw new Error('poison')
    })
    const report = await handler.process(kinesisEvent([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]), lambdaContext())
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'skipped', 'skipped'])
    expect(logger.lines.filter((l) => l.message.startsWith('Stopped starting records'))).toEqual([])
    const summary = logger.lines.find((l) => l.message.startsWith('Batch of 4 records'))
    // The summary line carries the counts as a field, for log queries.
    expect(summary?.extra).toEqual([{ batch: expect.objectContaining({ succeeded: 1, failed: 1, skipped: 2 }) }])
  })

  it('a KPL aggregate whose user records fail is reported once, by its sequence number', async () => {
    const handler = kinesisHandler({ schema: Item, ordering: 'unordered', logger: memoryLogger() }, () => {
      throw new Error('every user record fails')
    })
    const event = kinesisEvent([kplAggregate([{ n: 1 }, { n: 2 }, { n: 3 }], { schema: Item }), { n: 4 }])
    const { batchItemFailures } = await handler.process(event, lambdaContext())
    expect(batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.kinesis.sequenceNumber },
      { itemIdentifier: event.Records[1]?.kinesis.sequenceNumber },
    ])
  })

  it('the all-failed line says how many records the batch held', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger, allFailed: 'throw' }, () => {
      throw new Error('down')
    })
    await expect(handler(kinesisEvent([{ n: 1 }, { n: 2 }]), lambdaContext())).rejects.toThrow()
    const line = logger.lines.find((l) => l.level === 'error' && l.extra.some((e) => typeof e === 'object' && e !== null && 'records' in e))
    expect(line?.extra).toEqual([{ records: 2 }])
  })
})
