// The hooks other features plug into (filtering lands from another branch); tested here through the internal module.
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { expect, it } from 'vitest'
import { defaultRetryDelayMs } from '../../src/local/rules.js'
import { createStreamMapping, requestIds } from '../../src/local/stream-mapping.js'
import { streamItem } from '../../src/local/stream-rows.js'
import { kinesisSource } from '../../src/sources/kinesis/index.js'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

it('accept (the FilterCriteria hook): refused records end `filtered`, never reach the function, and move the checkpoint', async () => {
  const settings = {
    batchSize: 10,
    windowMs: 0,
    parallelization: 1,
    bisect: false,
    maxRetries: 0,
    maxAgeMs: -1,
    reportBatchItemFailures: true,
    retentionMs: 86_400_000,
    retryDelayMs: defaultRetryDelayMs,
    tumblingMs: 0,
    windowGraceMs: 0,
  }
  const accept = (r: KinesisStreamRecord): boolean => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).keep === true
  const mapping = createStreamMapping(kinesisSource, settings, {
    functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
    timeoutMs: 3000,
    nextRequestId: requestIds(1),
    accept,
  })
  const event = kinesisEvent([{ keep: true }, { keep: false }, { keep: true }, { keep: false }], { arrivedAt: new Date(0) })
  mapping.add(event.Records.map((r) => streamItem(kinesisSource, r)))
  const seen: string[] = []
  for (let next = mapping.next(); next !== undefined; next = mapping.next()) {
    await mapping.run(
      next.lane,
      next.at,
      async (e) => {
        seen.push(...(e as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber))
        return { response: {}, durationMs: 0 }
      },
      (t) => t,
    )
  }
  const report = mapping.report(0)
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'succeeded', 'filtered'])
  expect(seen).toEqual([event.Records[0]!.kinesis.sequenceNumber, event.Records[2]!.kinesis.sequenceNumber])
  expect(report.shards[0]!.checkpoint).toBe(event.Records[3]!.kinesis.sequenceNumber)
})
