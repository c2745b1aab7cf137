// Kafka: Powertools' BatchProcessor has no Kafka event type, so the records are walked in a loop;
// kafkaParser gives each one's order, typed, or null for a tombstone.
import type { KafkaBatchResponse, KafkaEvent } from 'lambda-stream-handlers'
import { kafkaParser } from 'lambda-stream-handlers'
import { charge, Order } from './orders.js'

const parseOrder = kafkaParser(Order)

export const handler = async (event: KafkaEvent): Promise<KafkaBatchResponse> => {
  const batchItemFailures: KafkaBatchResponse['batchItemFailures'] = []
  for (const record of Object.values(event.records).flat()) {
    try {
      const order = parseOrder(record) // Order | null
      if (order !== null) await charge(order)
    } catch {
      batchItemFailures.push({ itemIdentifier: { partition: `${record.topic}-${record.partition}`, offset: record.offset } })
    }
  }
  return { batchItemFailures }
}
