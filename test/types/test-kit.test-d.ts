import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbEvent,
  insert,
  kinesisEvent,
  kinesisWindowEvent,
  kplAggregate,
  lambdaContext,
  raw,
  sqsEvent,
  type RawData,
} from 'lambda-stream-handlers/testing'

const Order = z.object({
  orderId: z.string(),
  accountId: z.string(),
  status: z.enum(['NEW', 'PAID']),
  total: z.number(),
  note: z.string().optional(),
})

describe('test kit typing', () => {
  it("the builders' functions receive the payloads as written: no RawData unless a raw() is among them", () => {
    sqsEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1 }], {
      schema: Order,
      messageGroupId: (b) => b.accountId,
      deduplicationId: (b, i) => `${b.orderId}-${i}`,
    })
    kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'PAID', total: 1 }], { schema: Order, partitionKey: (p) => p.accountId })
    kinesisWindowEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'PAID', total: 1 }], {
      schema: Order,
      partitionKey: (p) => p.accountId,
      final: true,
    })
    kplAggregate([{ orderId: 'o-1', accountId: 'a-1', status: 'PAID', total: 1 }], { schema: Order, partitionKey: (p) => p.accountId })
    // With a raw() among them, the function must tell the two apart, as it will be called with both.
    sqsEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1 }, raw('oops')], {
      schema: Order,
      messageGroupId: (b) => {
        expectTypeOf(b).toExtend<RawData | { accountId: string }>()
        // @ts-expect-error: b may be the raw record
        return b.accountId
      },
    })
  })

  it('literals in inline payloads keep their literal types without `as const`, functions in the options or not', () => {
    kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1 }], { schema: Order })
    sqsEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'PAID', total: 1 }], { schema: Order, messageGroupId: (b) => b.status })
    dynamodbEvent([insert({ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1 })], { schema: Order, keys: ['orderId'] })
    // @ts-expect-error: 'SHIPPED' is not a status of the schema
    sqsEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'SHIPPED', total: 1 }], { schema: Order })
    // @ts-expect-error: a field the schema does not have is still refused
    kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1, totl: 2 }], { schema: Order })
  })

  it('under exactOptionalPropertyTypes an option may be given as undefined, meaning its default', () => {
    const maybe = undefined as string | undefined
    kinesisEvent([{ n: 1 }], { partitionKey: maybe, shardId: maybe, arrivedAt: undefined, gzip: undefined })
    sqsEvent([{ n: 1 }], { messageGroupId: maybe, queueName: maybe, envelope: undefined, sns: { subject: maybe } })
    dynamodbEvent([insert({ id: 'a' })], { keys: undefined, tableName: maybe, streamViewType: undefined })
    lambdaContext({ functionName: maybe, timeoutMs: undefined })
  })
})
