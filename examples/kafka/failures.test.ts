import { expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'
import { lostRanges } from './failures.js'
import { handler } from './quickstart.js'

it('reads where the discarded records are from what the SQS destination received', async () => {
  const report = await simulate(handler, {
    source: 'kafka',
    topic: 'orders',
    records: [{ value: { orderId: 'o-1', total: 5 } }, { value: 'not an order' }, { value: { orderId: 'o-3', total: 7 } }],
    ProvisionedPollerConfig: { MinimumPollers: 1 },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    MaximumRetryAttempts: 0,
    DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:orders-failed' } },
  })
  const [sent] = report.failureDestination
  expect(lostRanges(JSON.stringify(sent))).toEqual(['orders-0 offsets 1-2 (RetryAttemptsExhausted)'])
})
