import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { dynamodbFilter, kinesisFilter, sqsFilter, type BuiltFilterCriteria } from 'lambda-stream-handlers'

const Order = z.object({
  orderId: z.string(),
  total: z.number(),
  currency: z.enum(['EUR', 'USD']),
  paid: z.boolean(),
  customer: z.object({ country: z.string() }),
  tags: z.array(z.string()),
  note: z.string().optional(),
})
const Item = z.object({
  pk: z.string(),
  stock: z.number(),
  active: z.boolean(),
  labels: z.array(z.string()),
  address: z.object({ city: z.string() }),
})

describe('typed filter builders', () => {
  it('returns FilterCriteria', () => {
    expectTypeOf(kinesisFilter(Order, { data: { orderId: ['a'] } })).toEqualTypeOf<BuiltFilterCriteria>()
  })

  it('accepts patterns that fit the schema', () => {
    kinesisFilter(Order, {
      data: {
        currency: ['EUR', { 'anything-but': 'USD' }],
        total: [{ numeric: ['>', 0, '<=', 100] }, 0],
        paid: [true],
        customer: { country: [{ prefix: 'F' }] },
        tags: ['urgent'],
        note: [{ exists: false }],
        $or: [{ orderId: [{ suffix: '-x' }] }, { orderId: [{ 'equals-ignore-case': 'A' }] }],
      },
    })
    kinesisFilter(z.unknown(), { data: { anything: ['goes'], nested: { deep: [1] } } })
    dynamodbFilter(Item, {
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: {
        Keys: { pk: { S: ['a'] } },
        NewImage: {
          stock: { N: ['0'] },
          active: { BOOL: [true] },
          labels: { L: { S: [{ exists: true }] } },
          address: { M: { city: { S: ['Paris'] } } },
        },
        ApproximateCreationDateTime: [{ numeric: ['>', 0] }],
      },
    })
    sqsFilter(z.object({ kind: z.string() }), { body: { kind: ['order'] } })
    sqsFilter(z.string(), { body: [{ prefix: 'Hello' }] })
  })

  it('rejects a misspelt field, a value the field cannot hold, and operators that do not fit', () => {
    // @ts-expect-error: no such field
    kinesisFilter(Order, { data: { totl: [1] } })
    // @ts-expect-error: not a currency of the schema
    kinesisFilter(Order, { data: { currency: ['GBP'] } })
    // @ts-expect-error: numeric on a string field
    kinesisFilter(Order, { data: { orderId: [{ numeric: ['>', 1] }] } })
    // @ts-expect-error: a rule value must be an array
    kinesisFilter(Order, { data: { orderId: 'a' } })
    // @ts-expect-error: an empty rule array
    kinesisFilter(Order, { data: { orderId: [] } })
    // @ts-expect-error: Kinesis filters on data, not on kinesis.data
    kinesisFilter(Order, { kinesis: { data: { orderId: ['a'] } } })
    // @ts-expect-error: wildcard is not a Lambda operator
    kinesisFilter(Order, { data: { orderId: [{ wildcard: 'a*' }] } })
    // @ts-expect-error: DynamoDB needs the type key
    dynamodbFilter(Item, { dynamodb: { NewImage: { pk: ['a'] } } })
    // @ts-expect-error: pk is a string attribute: S, not N
    dynamodbFilter(Item, { dynamodb: { NewImage: { pk: { N: ['1'] } } } })
    // @ts-expect-error: N values are strings, so numeric never matches them (fact 79)
    dynamodbFilter(Item, { dynamodb: { NewImage: { stock: { N: [{ numeric: ['>', 1] }] } } } })
    // @ts-expect-error: not an eventName
    dynamodbFilter(Item, { eventName: ['UPDATE'] })
    // @ts-expect-error: a JSON body pattern for a text message
    sqsFilter(z.string(), { body: { kind: ['order'] } })
    // @ts-expect-error: $or takes at least two patterns
    kinesisFilter(Order, { data: { $or: [{ orderId: ['a'] }] } })
  })
})
