// Issue 25 ("A KPL aggregate that decodes to no user record disappears"): an aggregate always ends
// as outcomes, its user records or itself invalid with a reason. These fail on the code before the fix.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, type RawData } from 'lambda-stream-handlers/testing'
import { aggregate, field } from './kpl-protobuf.js'

async function outcomesOf(record: RawData) {
  let ran = 0
  const handler = kinesisHandler({ schema: z.unknown(), decode: 'bytes', allFailed: 'report' }, () => {
    ran++
  })
  const event = kinesisEvent([record])
  const report = await handler.process(event, lambdaContext())
  return { report, ran, id: event.Records[0]!.kinesis.sequenceNumber }
}

const PREFIX = 'The data is a KPL aggregated record (magic bytes F3 89 9A C2), but '

describe('an aggregate that holds no user record still ends as an outcome (issue 25)', () => {
  it.each([
    ['an empty protobuf message', []],
    ['only a partition key table', field.bytes(1, 'k')],
    ['only unknown fields', [...field.varint(9, 1), ...field.bytes(10, 'x'), ...field.fixed64(11), ...field.fixed32(12)]],
  ])('%s: invalid, reported, with the reason', async (_what, message) => {
    const { report, ran, id } = await outcomesOf(aggregate(message))
    expect(ran).toBe(0)
    expect(report.outcomes).toHaveLength(1)
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', handled: false, reason: { kind: 'decode' } })
    expect((report.outcomes[0] as { reason: { message: string } }).reason.message).toMatch(
      new RegExp(`^${PREFIX.replace(/[()]/g, '\\$&')}.*holds no user records`),
    )
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: id }])
  })

  it('a records field of the wrong wire type (a varint): invalid, naming the field and its wire type', async () => {
    const { report, ran } = await outcomesOf(aggregate([...field.bytes(1, 'k'), ...field.varint(3, 1)]))
    expect(ran).toBe(0)
    expect(report.outcomes).toHaveLength(1)
    expect((report.outcomes[0] as { reason: { message: string } }).reason.message).toMatch(/field 3 has wire type 0/)
  })
})
