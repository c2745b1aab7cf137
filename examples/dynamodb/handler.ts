// A change-data-capture handler: keeps a search index in step with an Orders table.
import * as z from 'zod'
import { dynamodbHandler } from 'lambda-stream-handlers'

export const Order = z.object({
  orderId: z.string(),
  status: z.enum(['NEW', 'PAID', 'SHIPPED']),
  total: z.number().nonnegative(),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  updatedAt: z.string(),
})

/** Stands in for a search index client. */
export const index = new Map<string, { status: string; total: number; skus: string[] }>()
export const log: string[] = []

export const handler = dynamodbHandler({ schema: Order, ordering: 'per-key', concurrency: 8 }, async (change, meta) => {
  switch (change.eventName) {
    case 'INSERT': {
      const o = change.newImage
      index.set(o.orderId, { status: o.status, total: o.total, skus: o.items.map((i) => i.sku) })
      break
    }
    case 'MODIFY': {
      // Only status, total and items are indexed: a change to updatedAt alone costs no write.
      if (!change.diff().touches('status', 'total', 'items')) return
      const o = change.newImage
      index.set(o.orderId, { status: o.status, total: o.total, skus: o.items.map((i) => i.sku) })
      break
    }
    case 'REMOVE':
      index.delete(change.oldImage.orderId)
      if (meta.ttlDelete) log.push(`order ${change.oldImage.orderId} expired`)
      break
  }
})
