import { expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { handler, timed } from './timing.js'

it('times every record, the failed one too, and the record function sees meta.startedAt', async () => {
  const lines: { message: string; extra: unknown[] }[] = []
  const logger = {
    debug: () => {},
    warn: () => {},
    error: () => {},
    info: (message: string, ...extra: unknown[]) => void lines.push({ message, extra }),
  }
  const Order = z.object({ orderId: z.string(), total: z.number() })
  const seen: number[] = []
  const timedHandler = kinesisHandler({ schema: Order, logger, allFailed: 'report' })
    .use(timed())
    .handle((order, meta) => {
      seen.push(meta.startedAt)
      if (order.total < 0) throw new Error('negative')
    })
  const report = await timedHandler.process(
    kinesisEvent([
      { orderId: 'a', total: 1 },
      { orderId: 'b', total: -1 },
    ]),
    lambdaContext(),
  )
  expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'failed'])
  expect(seen).toHaveLength(2)
  expect(lines.filter((l) => l.message === 'record timed')).toEqual([
    { message: 'record timed', extra: [{ ms: expect.any(Number) }] },
    { message: 'record timed', extra: [{ ms: expect.any(Number) }] },
  ])
})

it('the example handler fails a negative order only', async () => {
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const event = kinesisEvent([
    { orderId: 'a', total: 1 },
    { orderId: 'b', total: -1 },
  ])
  expect(await handler(event, lambdaContext())).toEqual({
    batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }],
  })
  spy.mockRestore()
})
