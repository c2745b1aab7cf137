import * as z from 'zod'
import { dynamodbHandler } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), status: z.enum(['NEW', 'PAID', 'SHIPPED']), total: z.number() })

export const handler = dynamodbHandler(Order, async (change, meta) => {
  // change: INSERT { newImage } | MODIFY { oldImage, newImage, diff() } | REMOVE { oldImage }, images checked by zod
  if (change.eventName === 'MODIFY' && change.diff().touches('status')) {
    meta.logger.info(`order ${change.newImage.orderId}: ${change.oldImage.status} -> ${change.newImage.status}`)
  }
})
