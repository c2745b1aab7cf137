import * as z from 'zod'
import { kafkaFilter } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

// Lambda filters Kafka records on `value` only; the pattern is typed by the schema.
export const bigOrders = kafkaFilter(Order, { value: { total: [{ numeric: ['>=', 100] }] } })
