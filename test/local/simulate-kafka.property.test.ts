import fc from 'fast-check'
import { expect, it } from 'vitest'
import type { KafkaEvent } from 'lambda-stream-handlers'
import { type KafkaMappingSettings, simulate } from 'lambda-stream-handlers/local'

// What the function does in one invocation, drawn at random and replayed in invocation order.
const answer = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.constant({ kind: 'throw' as const }),
  fc.constant({ kind: 'malformed' as const }),
  fc.record({ kind: fc.constant('partial' as const), pick: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 4 }) }),
)

const settings = fc.record({
  BatchSize: fc.integer({ min: 1, max: 8 }),
  MaximumBatchingWindowInSeconds: fc.constantFrom(undefined, 0, 1),
  BisectBatchOnFunctionError: fc.boolean(),
  MaximumRetryAttempts: fc.constantFrom(undefined, 0, 1, 3),
  MaximumRecordAgeInSeconds: fc.constantFrom(undefined, 60, 3600),
  FunctionResponseTypes: fc.constantFrom([], ['ReportBatchItemFailures' as const]),
  DestinationConfig: fc.constantFrom(
    undefined,
    { OnFailure: { Destination: 'kafka://failed' } },
    { OnFailure: { Destination: 'arn:aws:s3:::b' } },
  ),
})

const records = fc.array(fc.record({ partition: fc.nat({ max: 3 }), at: fc.nat({ max: 120_000 }) }), { minLength: 1, maxLength: 30 })

/** The settings drawn, without those left out (a setting given as `undefined` is not one AWS takes). */
const defined = (o: object): KafkaMappingSettings => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

it('whatever the handler answers, every record ends in one fate, each event holds one partition in offset order, and a destination gets every discarded record', async () => {
  await fc.assert(
    fc.asyncProperty(records, settings, fc.array(answer, { minLength: 1, maxLength: 20 }), async (list, s, answers) => {
      let n = 0
      const handler = (event: KafkaEvent) => {
        const a = answers[n++ % answers.length]!
        const all = Object.values(event.records).flat()
        if (a.kind === 'throw') throw new Error('failed')
        if (a.kind === 'malformed') return { batchItemFailures: [{ itemIdentifier: { partition: 'nope-0', offset: 1 } }] }
        if (a.kind === 'partial')
          return {
            batchItemFailures: a.pick
              .filter((p) => p < all.length)
              .map((p) => ({ itemIdentifier: { partition: `${all[p]!.topic}-${all[p]!.partition}`, offset: all[p]!.offset } })),
          }
        return undefined
      }
      const report = await simulate(handler, {
        source: 'kafka',
        topic: 'orders',
        records: list.map((r, i) => ({ value: { i }, partition: r.partition, at: r.at })),
        ProvisionedPollerConfig: { MinimumPollers: 1 },
        ...defined(s),
        durationMs: 50,
        retentionHours: 1,
      })
      expect(report.outcomes).toHaveLength(list.length)
      expect(new Set(report.outcomes.map((o) => o.id)).size).toBe(list.length)
      // Retention (an hour here) ends the batches that retry forever.
      for (const o of report.outcomes) expect(['succeeded', 'discarded', 'expired']).toContain(o.fate)
      for (const inv of report.invocations) {
        const groups = Object.entries((inv.event as KafkaEvent).records)
        expect(groups).toHaveLength(1)
        const offsets = groups[0]![1].map((r) => r.offset)
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
        expect(inv.records).toEqual(offsets.map((o) => `${groups[0]![0]}:${o}`))
      }
      // Every discarded or aged-out record is in exactly one destination record.
      const lost = report.outcomes.filter((o) => o.failureRecord !== undefined)
      const told = report.failureDestination.reduce((sum, f) => sum + (f.KafkaBatchInfo?.batchSize ?? 0), 0)
      expect(told).toBe(lost.length)
      // Infinite retries with a destination stop after 10.
      if (s.DestinationConfig !== undefined && s.MaximumRetryAttempts === undefined)
        for (const inv of report.invocations) expect(inv.attempt).toBeLessThanOrEqual(11)
    }),
    { numRuns: 100 },
  )
}, 60_000)
