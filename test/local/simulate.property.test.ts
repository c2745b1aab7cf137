import type { KinesisStreamEvent } from 'aws-lambda'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'

// What the function does in one invocation, drawn at random and replayed in invocation order.
const answer = fc.oneof(
  fc.constant({ kind: 'ok' as const }),
  fc.constant({ kind: 'throw' as const }),
  fc.constant({ kind: 'slow' as const }), // past the timeout
  fc.constant({ kind: 'malformed' as const }),
  fc.record({ kind: fc.constant('partial' as const), pick: fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 4 }) }),
)

const settings = fc.record({
  BatchSize: fc.integer({ min: 1, max: 8 }),
  MaximumBatchingWindowInSeconds: fc.constantFrom(0, 1, 5),
  ParallelizationFactor: fc.integer({ min: 1, max: 3 }),
  BisectBatchOnFunctionError: fc.boolean(),
  MaximumRetryAttempts: fc.constantFrom(-1, 0, 1, 3),
  MaximumRecordAgeInSeconds: fc.constantFrom(-1, 60, 3600),
  FunctionResponseTypes: fc.constantFrom([], ['ReportBatchItemFailures' as const]),
  shards: fc.integer({ min: 1, max: 3 }),
})

const records = fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd', 'e'), at: fc.nat({ max: 120_000 }) }), {
  minLength: 1,
  maxLength: 30,
})

it('whatever the handler fails, every record ends in exactly one fate and none is lost', async () => {
  await fc.assert(
    fc.asyncProperty(records, settings, fc.array(answer, { minLength: 1, maxLength: 20 }), async (list, s, answers) => {
      let n = 0
      const handler = (event: KinesisStreamEvent) => {
        const a = answers[n++ % answers.length]!
        if (a.kind === 'throw') throw new Error('failed')
        if (a.kind === 'malformed') return { batchItemFailures: [{ itemIdentifier: 'nope' }] }
        if (a.kind === 'partial')
          return {
            batchItemFailures: a.pick
              .filter((p) => p < event.Records.length)
              .map((p) => ({ itemIdentifier: event.Records[p]!.kinesis.sequenceNumber })),
          }
        return undefined
      }
      const report = await simulate(handler, {
        source: 'kinesis',
        records: list.map((r, i) => ({ data: { i }, partitionKey: r.key, at: r.at })),
        ...s,
        timeoutSeconds: 3,
        durationMs: () => (answers[n % answers.length]!.kind === 'slow' ? 4000 : 50),
      })
      // durationMs is asked before each call, so it reads the answer the call is about to give.
      // Every record once, with one fate from the list.
      expect(report.outcomes).toHaveLength(list.length)
      expect(new Set(report.outcomes.map((o) => `${o.shardId}:${o.id}`)).size).toBe(list.length)
      for (const o of report.outcomes) {
        expect(['succeeded', 'discarded', 'expired']).toContain(o.fate)
        if (o.fate === 'discarded') expect(o.failureRecord?.requestContext.condition).toBe('RetryAttemptsExhausted')
        if (o.fate === 'succeeded') expect(o.deliveries).toBeGreaterThan(0)
      }
      // Deliveries match the invocations.
      const delivered = new Map<string, number>()
      for (const inv of report.invocations)
        for (const id of inv.records) delivered.set(`${inv.shardId}:${id}`, (delivered.get(`${inv.shardId}:${id}`) ?? 0) + 1)
      for (const o of report.outcomes) expect(o.deliveries).toBe(delivered.get(`${o.shardId}:${o.id}`) ?? 0)
      // Each discarded record is in exactly one failure-destination record's range.
      for (const o of report.outcomes.filter((x) => x.failureRecord !== undefined)) {
        const info = o.failureRecord!.KinesisBatchInfo!
        expect(BigInt(info.startSequenceNumber) <= BigInt(o.id) && BigInt(o.id) <= BigInt(info.endSequenceNumber)).toBe(true)
      }
      // Every shard's checkpoint is its last record once everything is settled.
      for (const shard of report.shards)
        expect(shard.checkpoint).toBe(report.outcomes.filter((o) => o.shardId === shard.shardId).at(-1)!.id)
    }),
    { numRuns: 150 },
  )
})
