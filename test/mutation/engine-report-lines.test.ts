// The engine's report and its lines after the workers: which records the deadline warning counts,
// one itemIdentifier per KPL aggregate however many of its user records fail, and the fields the
// summary and the all-failed lines carry. Each test fails on a mutant of src/engine/engine.ts
// (lines 401-526) that `stryker-equivalent.md` does not list.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, MalformedEventError, type RecordOutcome } from 'lambda-stream-handlers'
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

describe('the words a report gives', () => {
  const never = new Promise<never>(() => {})
  const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : o.reason.message))

  it('for a record abandoned at the deadline, one not started because of it, and one behind a failure', async () => {
    let calls = 0
    const clock = { ...lambdaContext(), getRemainingTimeInMillis: () => (calls++ === 0 ? 2_000 : 500) }
    const stuck = kinesisHandler({ schema: Item, deadlineMarginMs: 500, logger: memoryLogger() }, () => never)
    const cut = await stuck.process(kinesisEvent([{ n: 0 }, { n: 1 }]), clock)
    expect(reasons(cut.outcomes)).toEqual([
      'Abandoned: still running when the Lambda was close to its timeout. It is reported for retry; its function may still finish in the background, so make it idempotent.',
      'Not started: the Lambda was close to its timeout.',
    ])
    const poisoned = kinesisHandler({ schema: Item, logger: memoryLogger() }, (item) => {
      if (item.n === 0) throw new Error('poison')
    })
    const behind = await poisoned.process(kinesisEvent([{ n: 0 }, { n: 1 }]), lambdaContext())
    expect(reasons(behind.outcomes)).toEqual(['poison', 'Not started: a record it is ordered behind failed.'])
  })

  it('for an event whose Records cannot be read: a MalformedEventError that keeps the cause', async () => {
    const boom = new Error('getter')
    const event = Object.defineProperty({}, 'Records', {
      get() {
        throw boom
      },
    })
    const handler = kinesisHandler({ schema: Item, logger: memoryLogger() }, () => {})
    const error = await handler(event as never, lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).toBe("kinesisHandler could not read the event's `Records`: reading it threw.")
    expect((error as Error).cause).toBe(boom)
  })
})
