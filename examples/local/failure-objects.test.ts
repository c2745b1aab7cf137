import { expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'
import { discardedRecords } from './failure-objects.js'
import { handler } from './simulate.js'

it('reads the discarded records back from the object the S3 destination received', async () => {
  const report = await simulate(handler, {
    source: 'kinesis',
    records: [{ data: { orderId: 'o-1', total: 5 } }, { data: 'not an order' }, { data: { orderId: 'o-3', total: 7 } }],
    MaximumRetryAttempts: 0,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    DestinationConfig: { OnFailure: { Destination: 'arn:aws:s3:::orders-failed' } },
  })
  const [object] = report.failureObjects ?? []
  expect(object?.key).toMatch(/^aws\/lambda\/[0-9a-f-]{36}\/shardId-000000000000\/2026\/01\/01\/2026-01-01T00\.00\.00-[0-9a-f-]{36}$/)
  const records = discardedRecords(JSON.stringify(object?.record))
  expect(records.map((r) => r.kinesis.sequenceNumber)).toEqual([report.outcomes[1]!.id, report.outcomes[2]!.id])
})
