import { expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'
import { handler } from './simulate.js'

it('shows the record behind the poison record discarded with it, and how to save it', async () => {
  const records = [{ data: { orderId: 'o-1', total: 5 } }, { data: 'not an order' }, { data: { orderId: 'o-3', total: 7 } }]
  const settings = {
    source: 'kinesis',
    records,
    BatchSize: 10,
    MaximumRetryAttempts: 2,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  } as const
  const report = await simulate(handler, settings)
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
  expect(report.costly.discardedBehindFailure).toEqual([report.outcomes[2]!.id])

  // With bisection, the poison record is isolated and o-3 goes through.
  const bisected = await simulate(handler, { ...settings, BisectBatchOnFunctionError: true })
  expect(bisected.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'succeeded'])
  expect(bisected.costly.discardedBehindFailure).toEqual([])
})
