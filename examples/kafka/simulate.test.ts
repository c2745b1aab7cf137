import { expect, it } from 'vitest'
import { simulate, type KafkaSimulation } from 'lambda-stream-handlers/local'
import { handler } from './quickstart.js'

// A mapping in provisioned mode, which Kafka's error handling needs, and a poison record at offset 1.
const mapping: KafkaSimulation = {
  source: 'kafka',
  topic: 'orders',
  records: [{ value: { orderId: 'o-1', total: 5 } }, { value: 'not an order' }, { value: { orderId: 'o-3', total: 7 } }],
  ProvisionedPollerConfig: { MinimumPollers: 1 },
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  MaximumRetryAttempts: 2,
  DestinationConfig: { OnFailure: { Destination: 'kafka://orders-failed' } },
}

it('a poison record takes the rest of its partition with it, unless bisect isolates it', async () => {
  const lost = await simulate(handler, mapping)
  expect(lost.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
  expect(lost.costly.discardedBehindFailure).toEqual(['orders-0:2']) // o-3: lost with the poison record

  const kept = await simulate(handler, { ...mapping, BisectBatchOnFunctionError: true })
  expect(kept.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded', 'succeeded'])
  expect(kept.failureDestination.map((f) => f.KafkaBatchInfo?.recordInfo?.offset)).toEqual(['1'])
})
