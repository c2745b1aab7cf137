// simulate() flags a good FIFO message that the dead-letter queue takes only because an earlier
// message of its group kept failing, as runLocal does (run-local-sqs.test.ts) and as streams do.
import { expect, it } from 'vitest'
import * as z from 'zod'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'

const handler = sqsHandler({ schema: z.object({ orderId: z.string() }), logger: silentLogger }, (o) => {
  if (o.orderId.startsWith('bad')) throw new Error('refused')
})
const send = (...ids: string[]) => ids.map((orderId) => ({ body: { orderId }, messageGroupId: 'g' }))

it('fact 56: FIFO, a good message dead-lettered behind its group’s failed one is in costly.discardedBehindFailure', async () => {
  for (const FunctionResponseTypes of [[], ['ReportBatchItemFailures'] as const]) {
    const report = await simulate(handler, {
      source: 'sqs',
      fifo: true,
      records: send('bad-1', 'good-2', 'good-3'),
      maxReceiveCount: 2,
      FunctionResponseTypes,
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['dead-lettered', 'dead-lettered', 'dead-lettered'])
    const [bad, ...good] = report.outcomes
    expect(bad!.discardedBehindFailure).toBeUndefined()
    expect(good.map((o) => o.discardedBehindFailure)).toEqual([true, true])
    expect(report.costly.discardedBehindFailure).toEqual(good.map((o) => o.id))
  }
})

it('fact 56: a message reported but never started is collateral; on a standard queue each failed message failed by itself', async () => {
  const report = await simulate(handler, {
    source: 'sqs',
    fifo: true,
    records: send('bad-1', 'bad-2'),
    maxReceiveCount: 1,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  })
  // bad-2 never ran (skipped after bad-1), so as far as the answers show it did not fail by itself.
  expect(report.costly.discardedBehindFailure).toEqual([report.outcomes[1]!.id])
  const standard = await simulate(handler, {
    source: 'sqs',
    records: [{ body: { orderId: 'bad-1' } }, { body: { orderId: 'bad-2' } }],
    maxReceiveCount: 1,
  })
  expect(standard.outcomes.map((o) => o.fate)).toEqual(['dead-lettered', 'dead-lettered'])
  expect(standard.costly.discardedBehindFailure).toEqual([])
})
