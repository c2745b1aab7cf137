import fc from 'fast-check'
import { expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisWindowHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, runWindow } from 'lambda-stream-handlers/testing'

const Sale = z.object({ i: z.number().int(), cents: z.number().int() })

// A window: up to 60 sales over a few keys, cut into batches (some empty), and for each sale how
// many times its reduce fails before it succeeds (mostly 0).
const windowCase = fc
  .array(
    fc.record({
      key: fc.constantFrom('a', 'b', 'c'),
      cents: fc.integer({ min: -1000, max: 1000 }),
      flaky: fc.integer({ min: 0, max: 8 }).map((n) => Math.max(0, n - 6)),
    }),
    { maxLength: 60 },
  )
  .chain((sales) =>
    fc.record({
      sales: fc.constant(sales),
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: sales.length }), { maxLength: 6 }).map((c) => [...c].sort((a, b) => a - b)),
      endFails: fc.integer({ min: 0, max: 2 }),
    }),
  )

it('whatever the batches and the failures, the retried window counts every record exactly once and ends once (fast-check)', async () => {
  await fc.assert(
    fc.asyncProperty(windowCase, async ({ sales, cuts, endFails }) => {
      const failuresLeft = sales.map((s) => s.flaky)
      let endFailuresLeft = endFails
      const ended: Record<string, number>[] = []
      const handler = kinesisWindowHandler({
        schema: Sale,
        state: z.record(z.string(), z.number().int()),
        logger: silentLogger,
        initial: () => ({}),
        reduce: async (totals, sale, meta) => {
          if (failuresLeft[sale.i]! > 0) {
            failuresLeft[sale.i]!--
            throw new Error(`flaky ${sale.i}`)
          }
          totals[meta.partitionKey] = (totals[meta.partitionKey] ?? 0) + sale.cents
          return totals
        },
        onWindowEnd: (totals) => {
          if (endFailuresLeft-- > 0) throw new Error('sink down')
          ended.push({ ...totals })
        },
      })
      const bounds = [0, ...cuts, sales.length]
      const batches = bounds.slice(1).map((end, b) => {
        const slice = sales.slice(bounds[b], end)
        const first = bounds[b]!
        return kinesisEvent(
          slice.map((s, j) => ({ i: first + j, cents: s.cents })),
          { partitionKey: (_p, j) => slice[j]!.key, firstSequenceNumber: 1000n + BigInt(first) },
        )
      })
      const retries = sales.reduce((n, s) => n + s.flaky, 0) + endFails
      const run = await runWindow(handler, batches, { retries })

      const expected: Record<string, number> = {}
      for (const s of sales) expected[s.key] = (expected[s.key] ?? 0) + s.cents
      expect(run.state).toEqual(expected)
      expect(ended).toEqual([expected])
      // Every failed invocation was retried with the state the last good one returned.
      const attempts = run.invocations.length
      expect(attempts).toBe(batches.length + retries)
    }),
    { numRuns: 150 },
  )
})
