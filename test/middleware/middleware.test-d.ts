import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, logContext, type KinesisMeta, type RecordLogger } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { timed } from '../../examples/middleware/timing.js'

const Order = z.object({ orderId: z.string(), total: z.number(), placedAt: z.string().transform((s) => new Date(s)) })
type Order = { orderId: string; total: number; placedAt: Date }
const persistenceStore = new InMemoryPersistenceStore()

describe('middleware types', () => {
  it('idempotent: key receives the typed payload and meta, with what earlier middleware added', () => {
    kinesisHandler(Order)
      .use(timed())
      .use(
        idempotent({
          persistenceStore,
          key: (order, meta) => {
            expectTypeOf(order).toEqualTypeOf<Order>()
            expectTypeOf(meta.shardId).toEqualTypeOf<string>()
            expectTypeOf(meta.startedAt).toEqualTypeOf<number>()
            return order.orderId
          },
        }),
      )
      .handle((order, meta) => {
        expectTypeOf(order.placedAt).toEqualTypeOf<Date>()
        expectTypeOf(meta.startedAt).toEqualTypeOf<number>()
        expectTypeOf(meta).toMatchTypeOf<KinesisMeta>()
      })
  })

  it('logContext: keys receives the typed payload; meta.logger stays a RecordLogger', () => {
    kinesisHandler(Order)
      .use(logContext({ keys: (order) => ({ orderId: order.orderId, day: order.placedAt.getUTCDay() }) }))
      .handle((_order, meta) => {
        expectTypeOf(meta.logger).toEqualTypeOf<RecordLogger>()
      })
  })

  it('rejects what does not fit', () => {
    // @ts-expect-error: the key must be a string
    kinesisHandler(Order).use(idempotent({ persistenceStore, key: (order) => order.total }))
    // @ts-expect-error: the payload has no such field
    kinesisHandler(Order).use(idempotent({ persistenceStore, key: (order) => order.customerId }))
    // @ts-expect-error: a persistence store is required
    kinesisHandler(Order).use(idempotent({ key: (order: Order) => order.orderId }))
    // @ts-expect-error: not an option
    kinesisHandler(Order).use(idempotent({ persistenceStore, eventKeyJmesPath: 'orderId' }))
    kinesisHandler(Order)
      .use(timed())
      // @ts-expect-error: meta has no field that no middleware added
      .handle((_o, meta) => meta.tenant)
  })
})
