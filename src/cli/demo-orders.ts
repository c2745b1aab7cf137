/**
 * The demo's order events and the handler that consumes them (`lambda-stream-handlers demo`).
 * The handler is written as a user would write it: a zod schema, the idempotent middleware on
 * Powertools' DynamoDB store, and a record function that charges each order once.
 *
 * @module
 * @internal
 */
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence'
import * as z from 'zod'
import type { RecordLogger } from '../engine/logger.js'
import { idempotent } from '../idempotency/idempotent.js'
import { kinesisHandler, type KinesisHandler } from '../sources/kinesis/index.js'
import { kinesisWindowHandler, type KinesisWindowEvent } from '../windows/kinesis.js'
import type { WindowHandler } from '../windows/window.js'

/** An order event as the shop's checkout service puts it on the stream. */
export const Order = z.object({
  orderId: z.string().regex(/^o-\d+$/),
  customerId: z.string(),
  total: z.number().positive(),
  currency: z.enum(['EUR', 'USD']),
  placedAt: z.iso.datetime(),
})

/** What the checkout service puts on the stream: the bytes, the partition key, and what the demo made it. */
export interface DemoPut {
  readonly data: Uint8Array
  readonly partitionKey: string
  readonly kind: 'order' | 'duplicate' | 'not-json' | 'bad-total' | 'bad-currency' | 'no-order-id' | 'review'
}

/** How many of each kind {@link orderStream} makes out of `count` records. */
export interface StreamMix {
  readonly records: number
  readonly duplicates: number
  readonly malformed: number
  readonly review: number
}

/**
 * A deterministic stream of order events: mostly good orders over 40 customers (the partition
 * key), with producer retries (the same order put twice), malformed records (not JSON, a total
 * that is a string, an unknown currency, no order id) and orders above 10,000 that the handler
 * refuses (the poison records).
 */
export function orderStream(count: number, seed = 7): { puts: DemoPut[]; mix: StreamMix } {
  let s = seed >>> 0 || 1
  const random = (): number => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 0x1_0000_0000
  }
  const bytes = (v: unknown): Uint8Array => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v))
  const start = Date.UTC(2026, 10, 22, 9, 0, 0)
  const puts: DemoPut[] = []
  const sent: { order: z.input<typeof Order>; at: number }[] = []
  const malformed = ['not-json', 'bad-total', 'bad-currency', 'no-order-id'] as const
  let n = 0
  for (let i = 0; i < count; i++) {
    const customerId = `c-${String(1 + Math.floor(random() * 40)).padStart(2, '0')}`
    const order = {
      orderId: `o-${String(++n).padStart(5, '0')}`,
      customerId,
      total: Math.round(500 + random() * 30_000) / 100,
      currency: random() < 0.7 ? 'EUR' : 'USD',
      placedAt: new Date(start + i * 1000).toISOString(),
    } as const
    if (i % 97 === 60) {
      puts.push({ data: bytes({ ...order, total: 12_500 + i }), partitionKey: customerId, kind: 'review' })
    } else if (i % 71 === 35) {
      const kind = malformed[Math.floor(i / 71) % malformed.length] as DemoPut['kind']
      const bad =
        kind === 'not-json'
          ? JSON.stringify(order).slice(0, 40)
          : kind === 'bad-total'
            ? { ...order, total: order.total.toFixed(2) }
            : kind === 'bad-currency'
              ? { ...order, currency: 'GBP' }
              : { ...order, orderId: undefined }
      puts.push({ data: bytes(bad), partitionKey: customerId, kind })
    } else if (i % 23 === 11 && sent.length > 0) {
      // The checkout service timed out on an earlier put and sent that order again.
      const earlier = sent[Math.floor(random() * sent.length)] as (typeof sent)[number]
      puts.push({ data: bytes(earlier.order), partitionKey: earlier.order.customerId, kind: 'duplicate' })
    } else {
      sent.push({ order, at: i })
      puts.push({ data: bytes(order), partitionKey: customerId, kind: 'order' })
    }
  }
  const countOf = (...kinds: DemoPut['kind'][]): number => puts.filter((p) => kinds.includes(p.kind)).length
  return {
    puts,
    mix: { records: puts.length, duplicates: countOf('duplicate'), malformed: countOf(...malformed), review: countOf('review') },
  }
}

/** What the record function did: each order charged, in cents per currency. */
export interface Ledger {
  readonly charges: Map<string, number>
  readonly cents: { EUR: number; USD: number }
}

/**
 * The orders handler: each valid order is charged once, even when Lambda or the producer delivers
 * it again (idempotency keyed on the order id, stored in DynamoDB); an order above 10,000 throws
 * (it needs a manual review), so Lambda retries it, bisects around it, and finally discards it.
 */
export function ordersHandler(o: {
  persistenceStore: BasePersistenceLayer
  ledger: Ledger
  logger: RecordLogger
  /** Called when idempotency hands back a stored result instead of charging again. */
  onRepeat: () => void
}): KinesisHandler {
  return kinesisHandler({ schema: Order, logger: o.logger })
    .use(
      idempotent({
        persistenceStore: o.persistenceStore,
        key: (order) => order.orderId,
        keyPrefix: 'demo-orders',
        expiresAfterSeconds: 3600,
        responseHook: (stored) => {
          o.onRepeat()
          return stored
        },
      }),
    )
    .handle(async (order) => {
      if (order.total > 10_000) throw new Error(`order ${order.orderId} needs a manual review (total above 10,000)`)
      o.ledger.charges.set(order.orderId, (o.ledger.charges.get(order.orderId) ?? 0) + 1)
      o.ledger.cents[order.currency] += Math.round(order.total * 100)
      return { receipt: `${order.orderId}:${order.total.toFixed(2)}` }
    })
}

/** One tumbling window's aggregate, as `onWindowEnd` published it. */
export interface WindowTotal {
  readonly shardId: string
  readonly start: Date
  readonly end: Date
  readonly orders: number
  readonly cents: { readonly EUR: number; readonly USD: number }
}

/** The state carried between the invocations of a window: orders and cents per currency so far. */
export const Totals = z.object({ orders: z.number().int(), cents: z.object({ EUR: z.number().int(), USD: z.number().int() }) })

/**
 * Order totals per tumbling window and shard (a second consumer of the same stream, with
 * `TumblingWindowInSeconds` on its mapping): every order that passes the schema is counted once
 * in the window it arrived in; malformed records are skipped, and logged, rather than blocking it.
 */
export function windowTotalsHandler(
  published: WindowTotal[],
  logger: RecordLogger,
): WindowHandler<KinesisWindowEvent, z.input<typeof Totals>> {
  return kinesisWindowHandler({
    schema: Order,
    state: Totals,
    onInvalid: 'skip',
    logger,
    initial: () => ({ orders: 0, cents: { EUR: 0, USD: 0 } }),
    reduce: (t, order) => {
      t.orders++
      t.cents[order.currency] += Math.round(order.total * 100)
      return t
    },
    onWindowEnd: (t, window) => {
      published.push({ shardId: window.shardId, start: window.start, end: window.end, orders: t.orders, cents: t.cents })
    },
  })
}
