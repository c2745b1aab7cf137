import { describe, expect, it } from 'vitest'
import type { Context } from 'aws-lambda'
import * as z from 'zod'
import { kinesisHandler, sqsHandler, summarize, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Item = z.object({ n: z.number(), key: z.string() })
type Item = z.infer<typeof Item>
const items = (keys: string[]) => keys.map((key, n) => ({ n, key }))
const never = new Promise<never>(() => {})
const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))

// A context with 1.2 s left and the default 1 s margin: the margin is reached about 200 ms in.
const nearTimeout = () => lambdaContext({ timeoutMs: 1_200 })

describe('the deadline: a record function that never settles', () => {
  it("'in-order': stops waiting at the margin, reports the stuck record and every later one, logs which were abandoned", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger }, (item) => (item.n === 1 ? never : undefined))
    const event = kinesisEvent(items(['a', 'b', 'c', 'd']), { schema: Item })
    const report = await handler.process(event, nearTimeout())
    expect(statuses(report.outcomes)).toEqual(['ok', 'failed:deadline', 'skipped:deadline', 'skipped:deadline'])
    expect(report.batchItemFailures).toEqual(event.Records.slice(1).map((r) => ({ itemIdentifier: r.kinesis.sequenceNumber })))
    const stuck = event.Records[1]!.kinesis.sequenceNumber
    const abandonLine = logger.lines.find((l) => l.level === 'error' && /abandoned/.test(l.message))
    expect(abandonLine?.message).toContain(stuck)
    expect(summarize(report.outcomes)).toMatchObject({ succeeded: 1, deadline: 3, reported: 3 })
  })

  it("'per-key': other keys finish, the stuck key's record is abandoned, nothing starts after the margin", async () => {
    const logger = memoryLogger()
    const ran: number[] = []
    const handler = kinesisHandler({ schema: Item, logger, ordering: 'per-key', concurrency: 2 }, async (item) => {
      ran.push(item.n)
      if (item.key === 'stuck') await never
    })
    const event = kinesisEvent(items(['stuck', 'ok', 'stuck', 'ok']), { schema: Item, partitionKey: (p) => (p as Item).key })
    const report = await handler.process(event, nearTimeout())
    expect(statuses(report.outcomes)).toEqual(['failed:deadline', 'ok', 'skipped:deadline', 'ok'])
    expect(ran.sort()).toEqual([0, 1, 3])
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      event.Records[0]!.kinesis.sequenceNumber,
      event.Records[2]!.kinesis.sequenceNumber,
    ])
  })

  it('SQS: every unsettled message is reported by its messageId and the handler returns in time', async () => {
    const logger = memoryLogger()
    const handler = sqsHandler({ schema: Item, logger, concurrency: 2 }, (item) => (item.n % 2 === 0 ? never : undefined))
    const event = sqsEvent(items(['a', 'b', 'c', 'd', 'e']))
    const report = await handler.process(event, nearTimeout())
    // Two workers: one takes 'a' (stuck), the other 'b' then 'c' (stuck); 'd' and 'e' never start.
    expect(statuses(report.outcomes)).toEqual(['failed:deadline', 'ok', 'failed:deadline', 'skipped:deadline', 'skipped:deadline'])
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([0, 2, 3, 4].map((i) => event.Records[i]!.messageId))
  })

  it('a record that settles after the handler returned changes nothing in the report', async () => {
    let release: () => void = () => {}
    const late = new Promise<void>((resolve) => (release = resolve))
    const handler = kinesisHandler({ schema: Item, logger: memoryLogger() }, (item) => (item.n === 0 ? late : undefined))
    const report = await handler.process(kinesisEvent(items(['a', 'b']), { schema: Item }), nearTimeout())
    const before = statuses(report.outcomes)
    release()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(statuses(report.outcomes)).toEqual(before)
    expect(before).toEqual(['failed:deadline', 'skipped:deadline'])
  })

  it('the Lambda handler returns the partial batch response rather than throwing when only some records were cut', async () => {
    const handler = kinesisHandler({ schema: Item, logger: memoryLogger() }, (item) => (item.n === 2 ? never : undefined))
    const event = kinesisEvent(items(['a', 'b', 'c']), { schema: Item })
    await expect(handler(event, nearTimeout())).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: event.Records[2]!.kinesis.sequenceNumber }],
    })
  })

  it('with deadlineMarginMs: 0 or without a context, the handler waits as long as the records take', async () => {
    const handler = kinesisHandler({ schema: Item, logger: memoryLogger(), deadlineMarginMs: 0 }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 300))
    })
    const report = await handler.process(kinesisEvent(items(['a']), { schema: Item }), nearTimeout())
    expect(statuses(report.outcomes)).toEqual(['ok'])
  })
})

it('a context without a working clock (a hand-made one in a test or tool) means no deadline, as no context does', async () => {
  const handler = kinesisHandler({ schema: Item, logger: memoryLogger() }, () => {})
  const event = kinesisEvent(items(['a', 'b']), { schema: Item })
  const broken = [
    { functionName: 'f' },
    {
      getRemainingTimeInMillis: () => {
        throw new Error('no clock')
      },
    },
    { getRemainingTimeInMillis: () => Number.NaN },
  ]
  for (const context of broken) {
    const report = await handler.process(event, context as unknown as Context)
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok'])
  }
})
