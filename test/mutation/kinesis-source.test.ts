// Issue 25, mutation score of src/sources/kinesis/index.ts: behaviours its surviving mutants changed.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { aggregate, field, userRecord } from './kpl-protobuf.js'

describe('the Kinesis source', () => {
  it('a record whose data is no string fails alone with a decode reason, not the whole event', async () => {
    const handler = kinesisHandler({ schema: z.unknown(), allFailed: 'report' }, () => {})
    const event = kinesisEvent([{ a: 1 }, { b: 2 }])
    ;(event.Records[0]!.kinesis as { data: unknown }).data = 42
    const report = await handler.process(event, lambdaContext())
    expect(report.outcomes.map((o) => o.status)).toEqual(['invalid', 'skipped'])
    expect(report.outcomes[0]).toMatchObject({
      reason: { kind: 'decode', message: 'kinesis.data is not a base64 string (it is a number).' },
    })
  })

  it('maxUserRecords: 1 is a valid setting, and an aggregate of one user record then splits', async () => {
    const seen: unknown[] = []
    const handler = kinesisHandler({ schema: z.unknown(), decode: 'text', maxUserRecords: 1 }, (v, meta) => {
      seen.push([v, meta.subSequenceNumber])
    })
    const event = kinesisEvent([aggregate([...field.bytes(1, 'k'), ...field.bytes(3, userRecord('only'))])])
    const report = await handler.process(event, lambdaContext())
    expect(report.batchItemFailures).toEqual([])
    expect(seen).toEqual([['only', 0]])
  })
})
