import * as z from 'zod'

// The schema and the work both handlers share.
export const Order = z.object({ orderId: z.string(), total: z.number().positive() })
export type Order = z.output<typeof Order>

export const charged: string[] = []
export async function charge(order: Order): Promise<void> {
  if (order.orderId === 'declined') throw new Error(`card declined for ${order.orderId}`)
  charged.push(order.orderId)
}
