import { expect, it, vi } from 'vitest'
import { summarize } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { handler } from './logging.js'

it('fails the order that needs a review; the one behind it waits (in order)', async () => {
  // The Logger's JSON lines: info on stdout, the failed record's error on stderr.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const event = kinesisEvent([
    { orderId: 'o-1', total: 5 },
    { orderId: 'o-2', total: 20_000 },
    { orderId: 'o-3', total: 7 },
  ])
  const report = await handler.process(event, lambdaContext())
  expect(summarize(report.outcomes)).toEqual({ records: 3, succeeded: 1, failed: 1, invalid: 0, skipped: 1, deadline: 0, reported: 2 })
  vi.restoreAllMocks()
})
