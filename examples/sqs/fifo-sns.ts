// A FIFO queue subscribed to an SNS topic (raw message delivery off): the schema checks the SNS
// Message, the topic is in meta.sns, and each account's payments stay in order.
import * as z from 'zod'
import { sqsHandler } from 'lambda-stream-handlers'

export const Payment = z.object({ accountId: z.string(), paymentId: z.string(), cents: z.number().int() })

export const ledger: string[] = []

export const handler = sqsHandler({ schema: Payment, envelope: 'sns', concurrency: 5 }, async (payment, meta) => {
  if (payment.cents <= 0) throw new Error(`payment ${payment.paymentId} has no amount`)
  const tenant = meta.attributes.tenant?.type === 'String' ? meta.attributes.tenant.value : 'unknown'
  ledger.push(`${meta.messageGroupId} ${payment.paymentId} ${payment.cents} (${tenant}, from ${meta.sns.topicArn})`)
})
