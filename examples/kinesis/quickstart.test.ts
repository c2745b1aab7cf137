import { expect, it } from 'vitest'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler } from './quickstart.js'

it('accepts orders and reports the one that is not an order', async () => {
  const event = kinesisEvent([{ orderId: 'o-1', total: 12.5 }, raw('oops')])
  const response = await handler(event, lambdaContext())
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] })
})
