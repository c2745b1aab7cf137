import { expect, it } from 'vitest'
import { main } from './metrics.js'

it('counts the records lost with the poison record as dropped, minute by minute', async () => {
  const report = await main()
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'succeeded'])
  expect(report.metrics?.total).toMatchObject({ PolledEventCount: 3, DroppedEventCount: 1 })
  expect(report.metrics?.perMinute.map((m) => m.PolledEventCount)).toEqual([2, 1])
})
