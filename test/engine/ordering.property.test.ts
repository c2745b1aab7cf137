import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger, type Ordering } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

const Rec = z.object({ i: z.number(), key: z.string(), fails: z.boolean() })
type Rec = z.infer<typeof Rec>

// Random batches: up to 40 records over a few keys, some failing, some resolving after a delay.
const batch = fc.array(
  fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), fails: fc.integer({ min: 0, max: 3 }).map((n) => n === 0), slow: fc.boolean() }),
  { minLength: 1, maxLength: 40 },
)

async function run(list: { key: string; fails: boolean; slow: boolean }[], ordering: Ordering) {
  const started: number[] = []
  const options =
    ordering === 'in-order'
      ? { schema: Rec, logger: silentLogger, allFailed: 'report' as const }
      : { schema: Rec, logger: silentLogger, allFailed: 'report' as const, ordering, concurrency: 3 }
  const handler = kinesisHandler(options, async (r: Rec) => {
    started.push(r.i)
    if (list[r.i]!.slow) await new Promise((resolve) => setImmediate(resolve))
    if (r.fails) throw new Error(`record ${r.i}`)
  })
  const event = kinesisEvent(
    list.map((r, i) => ({ i, key: r.key, fails: r.fails })),
    { schema: Rec, partitionKey: (p) => (p as Rec).key },
  )
  const seq = event.Records.map((r) => r.kinesis.sequenceNumber)
  const report = await handler.process(event)
  const reported = report.batchItemFailures.map((f) => seq.indexOf(f.itemIdentifier))
  const failedIdx = report.outcomes.filter((o) => o.status === 'failed').map((o) => o.index)
  return { started, reported, failedIdx }
}

describe('ordering properties (fast-check)', () => {
  it("'in-order': the lowest reported record is the first failure, everything from it on is reported, nothing before it, and nothing after it started", async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (list) => {
        const { started, reported } = await run(list, 'in-order')
        const first = list.findIndex((r) => r.fails)
        if (first === -1) {
          expect(reported).toEqual([])
          expect(started).toEqual(list.map((_, i) => i))
        } else {
          expect(reported).toEqual(list.map((_, i) => i).filter((i) => i >= first))
          expect(started).toEqual(list.map((_, i) => i).filter((i) => i <= first))
        }
      }),
      { numRuns: 200 },
    )
  })

  it('in every mode, every record that failed is reported, the lowest report is a failure, and per key order holds', async () => {
    await fc.assert(
      fc.asyncProperty(batch, fc.constantFrom<Ordering>('in-order', 'per-key', 'unordered'), async (list, ordering) => {
        const { started, reported, failedIdx } = await run(list, ordering)
        for (const i of failedIdx) expect(reported).toContain(i)
        for (const i of failedIdx) expect(list[i]!.fails).toBe(true)
        if (reported.length > 0) expect(list[Math.min(...reported)]!.fails).toBe(true)
        // Nothing reported as ok is missing: every unreported record ran and succeeded.
        for (let i = 0; i < list.length; i++) if (!reported.includes(i)) expect(started).toContain(i)
        if (ordering !== 'unordered') {
          for (const key of ['a', 'b', 'c', 'd']) {
            const order = started.filter((i) => list[i]!.key === key)
            expect(order).toEqual([...order].sort((x, y) => x - y))
          }
        }
        if (ordering === 'per-key') {
          // A key stops at its failure: nothing behind it in that key starts.
          for (const f of failedIdx) {
            for (let i = f + 1; i < list.length; i++) if (list[i]!.key === list[f]!.key) expect(started).not.toContain(i)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
