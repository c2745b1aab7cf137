import { expect, it } from 'vitest'
import { lambdaContext, raw, sqsEvent } from 'lambda-stream-handlers/testing'
import { handler } from './quickstart.js'

it('accepts orders and reports the message that is not an order', async () => {
  const event = sqsEvent([{ orderId: 'o-1', total: 12.5 }, raw('oops')])
  const response = await handler(event, lambdaContext())
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.messageId }] })
})
