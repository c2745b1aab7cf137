import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { compileFilter, dynamodbFilter, InvalidFilterPatternError, kinesisFilter, sqsFilter } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })

describe('typed filter builders at run time', () => {
  it('writes one Pattern per pattern, ORed, that compiles for its source', () => {
    const criteria = kinesisFilter(Order, { data: { orderId: ['a'] } }, { data: { total: [{ numeric: ['>', 1] }] } })
    expect(criteria.Filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      { data: { orderId: ['a'] } },
      { data: { total: [{ numeric: ['>', 1] }] } },
    ])
    expect(() => compileFilter(criteria, 'kinesis')).not.toThrow()
  })

  it('refuses, when built, what Lambda would refuse at creation', () => {
    // Types cannot see everything: a range upside down, an empty anything-but, a data pattern on an untyped schema.
    expect(() => kinesisFilter(Order, { data: { total: [{ numeric: ['>', 5, '<', 1] }] } })).toThrow(InvalidFilterPatternError)
    expect(() => sqsFilter(z.unknown(), { body: { a: [{ 'anything-but': [] as unknown as string[] }] } })).toThrow(/anything-but/)
    expect(() => dynamodbFilter(z.unknown(), { dynamodb: { NewImage: { a: { S: [{ wildcard: 'x*' } as never] } } } })).toThrow(
      /unconfirmed/,
    )
  })
})
