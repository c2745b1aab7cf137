// Orders created, paid and removed per tumbling window on a DynamoDB stream, from each change.
import * as z from 'zod'
import { dynamodbWindowHandler } from 'lambda-stream-handlers'

export const Order = z.object({ orderId: z.string(), status: z.enum(['NEW', 'PAID', 'SHIPPED']), totalCents: z.number().int() })
export const Tally = z.object({ created: z.number().int(), paid: z.number().int(), paidCents: z.number().int(), removed: z.number().int() })

export const reports: string[] = []

export const handler = dynamodbWindowHandler({
  schema: Order,
  state: Tally,
  initial: () => ({ created: 0, paid: 0, paidCents: 0, removed: 0 }),
  reduce: (tally, change) => {
    switch (change.eventName) {
      case 'INSERT':
        return { ...tally, created: tally.created + 1 }
      case 'MODIFY':
        if (change.oldImage.status === 'PAID' || change.newImage.status !== 'PAID') return tally
        return { ...tally, paid: tally.paid + 1, paidCents: tally.paidCents + change.newImage.totalCents }
      case 'REMOVE':
        return { ...tally, removed: tally.removed + 1 }
    }
  },
  onWindowEnd: (tally, window) => {
    reports.push(
      `${window.start.toISOString()} ${window.shardId}: ${tally.created} new, ${tally.paid} paid (${tally.paidCents} cents), ${tally.removed} removed`,
    )
  },
})
