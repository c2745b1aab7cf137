// Idempotent records: a redelivered order is not charged twice. Powertools' DynamoDB store in
// production; the same handler runs on the in-memory store in unit tests.
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence'
import * as z from 'zod'
import { kinesisHandler, type KinesisHandler } from 'lambda-stream-handlers'
import { idempotent } from 'lambda-stream-handlers/idempotency'

export const Order = z.object({ orderId: z.string(), total: z.number() })

export const charged: string[] = []
async function charge(orderId: string, total: number): Promise<{ receipt: string }> {
  charged.push(orderId)
  return { receipt: `${orderId}:${total}` }
}

export function ordersHandler(persistenceStore: BasePersistenceLayer): KinesisHandler {
  return kinesisHandler(Order)
    .use(idempotent({ persistenceStore, key: (order) => order.orderId, expiresAfterSeconds: 24 * 3600 }))
    .handle(async (order) => {
      // The result is stored: a repeat of this order gets it back without charging again.
      return charge(order.orderId, order.total)
    })
}

// The table as Powertools documents it: partition key `id` (string), TTL on `expiration`.
export const handler = ordersHandler(new DynamoDBPersistenceLayer({ tableName: process.env.IDEMPOTENCY_TABLE ?? 'idempotency' }))
