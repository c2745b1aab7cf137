import { expect, it } from 'vitest'
import { kafkaEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { handler, orderType } from './avro.js'

it('decodes Avro values in the Confluent wire format; a tombstone the schema refuses is skipped, not retried', async () => {
  const value = orderType.toBuffer({ orderId: 'o-1', total: 12.5 })
  const event = kafkaEvent([value, null], { schemaId: 42, key: 'o-1' })
  const report = await handler.process(event, lambdaContext())
  expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid'])
  expect(report.batchItemFailures).toEqual([])
})
