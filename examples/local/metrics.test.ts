import { expect, it, vi } from 'vitest'
import { main } from './metrics.js'

it('counts the records lost with the poison record as dropped, minute by minute', async () => {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  try {
    const report = await main()
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'succeeded'])
    expect(report.metrics?.total).toMatchObject({ PolledEventCount: 3, DroppedEventCount: 1 })
    expect(report.metrics?.perMinute.map((m) => m.PolledEventCount)).toEqual([2, 1])
    // What it prints, read back instead of written into the test run's output.
    expect(log.mock.calls).toEqual([['1 records dropped; iterator age up to 3000 ms']])
  } finally {
    log.mockRestore()
  }
})
