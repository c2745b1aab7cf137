import { expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

// README, `'per-key'`: records of other keys already running when a failure is known finish; a
// failure among them is reported, a success is not (Lambda re-delivers from the lowest reported record).
it("'per-key': a record after a failure that was already running and succeeds is not reported; one that fails is", async () => {
  const Item = z.object({ key: z.string(), n: z.number() })
  const handler = kinesisHandler({ schema: Item, logger: memoryLogger(), ordering: 'per-key', concurrency: 3 }, async (item) => {
    await new Promise((resolve) => setTimeout(resolve, item.n === 0 ? 5 : 30))
    if (item.n === 0 || item.n === 2) throw new Error(`fails ${item.n}`)
  })
  const event = kinesisEvent(
    [
      { key: 'a', n: 0 },
      { key: 'b', n: 1 },
      { key: 'c', n: 2 },
      { key: 'b', n: 3 },
    ],
    { schema: Item, partitionKey: (p) => (p as { key: string }).key },
  )
  const report = await handler.process(event)
  expect(report.outcomes.map((o) => o.status)).toEqual(['failed', 'ok', 'failed', 'skipped'])
  const seq = (i: number) => event.Records[i]!.kinesis.sequenceNumber
  expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([seq(0), seq(2), seq(3)])
})
