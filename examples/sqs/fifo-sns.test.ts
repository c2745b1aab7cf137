import { beforeEach, expect, it } from 'vitest'
import { lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { handler, ledger, Payment } from './fifo-sns.js'

beforeEach(() => {
  ledger.length = 0
})

const topicArn = 'arn:aws:sns:eu-west-1:123456789012:payments.fifo'

it('books each account in order; a bad payment holds back the rest of its account only', async () => {
  const event = sqsEvent(
    [
      { accountId: 'acc-1', paymentId: 'p-1', cents: 500 },
      { accountId: 'acc-2', paymentId: 'p-2', cents: 0 },
      { accountId: 'acc-1', paymentId: 'p-3', cents: 700 },
      { accountId: 'acc-2', paymentId: 'p-4', cents: 900 },
    ],
    {
      schema: Payment,
      envelope: 'sns',
      sns: { topicArn },
      messageGroupId: (p) => (p as { accountId: string }).accountId,
      messageAttributes: { tenant: 'shop-7' },
    },
  )
  const response = await handler(event, lambdaContext())
  // p-2 failed; p-4 is behind it in group acc-2, so it is reported unstarted and comes back after p-2.
  expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([event.Records[1]!.messageId, event.Records[3]!.messageId])
  expect(ledger).toEqual([`acc-1 p-1 500 (shop-7, from ${topicArn})`, `acc-1 p-3 700 (shop-7, from ${topicArn})`])
})
