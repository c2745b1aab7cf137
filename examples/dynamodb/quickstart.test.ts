import { expect, it } from 'vitest'
import { attributeValues, dynamodbEvent, insert, lambdaContext, modify } from 'lambda-stream-handlers/testing'
import { handler } from './quickstart.js'

it('accepts order changes and reports the record that is not an order', async () => {
  const order = { orderId: 'o-1', status: 'NEW', total: 12.5 }
  const event = dynamodbEvent(
    [
      insert(order),
      modify(order, { ...order, status: 'PAID' }),
      insert(attributeValues({ orderId: { S: 'o-2' }, total: { N: 'twelve' } })),
    ],
    { keys: ['orderId'] },
  )
  const response = await handler(event, lambdaContext())
  expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[2]!.dynamodb!.SequenceNumber }] })
})
