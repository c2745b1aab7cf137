import avro from 'avsc'
import * as z from 'zod'
import { kafkaHandler } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const orderType = avro.Type.forSchema({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'total', type: 'double' },
  ],
})

// Values written by Confluent's Avro serializer: a zero byte and the schema id come first.
export const handler = kafkaHandler(
  {
    schema: Order,
    decode: (bytes) => orderType.fromBuffer(Buffer.from(bytes)),
    wireFormat: 'confluent',
    tombstones: 'schema',
    onInvalid: 'skip',
  },
  async (order, meta) => {
    meta.logger.info(`order ${order.orderId} (schema ${meta.schemaId}), key ${meta.key}`)
  },
)
