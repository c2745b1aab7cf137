import { describe, expect, it } from 'vitest'
import { compileFilter } from 'lambda-stream-handlers'
import { kinesisEvent, raw, sqsEvent } from 'lambda-stream-handlers/testing'

describe("the filter's internal number marker cannot be reached from data", () => {
  const kinesis = compileFilter({ Filters: [{ Pattern: JSON.stringify({ data: { amount: [100] } }) }] }, 'kinesis')
  const sqs = compileFilter({ Filters: [{ Pattern: JSON.stringify({ body: { amount: [100] } }) }] }, 'sqs')
  const spoofs = [
    '{"amount":{"\\u0000lsh-number":"100"}}',
    '{"amount":{"\\u0000\\u006csh-number":"100"}}',
    '{"amount":[{"\\u0000lsh-number":"100"}]}',
    '{"__proto__":{"\\u0000lsh-number":"100"},"amount":{"\\u0000lsh-number":"100"}}',
  ]

  it('data that spells the marker does not match a numeric equality pattern', () => {
    for (const text of spoofs) {
      expect(kinesis(kinesisEvent([raw(text)]).Records[0])).toBe(false)
      expect(sqs(sqsEvent([raw(text)]).Records[0])).toBe(false)
    }
  })

  it('the number itself still matches, as written', () => {
    expect(kinesis(kinesisEvent([raw('{"amount":100}')]).Records[0])).toBe(true)
    expect(kinesis(kinesisEvent([raw('{"amount":[1,100]}')]).Records[0])).toBe(true)
    expect(kinesis(kinesisEvent([raw('{"amount":100.0}')]).Records[0])).toBe(false)
    expect(sqs(sqsEvent([raw('{"amount":100}')]).Records[0])).toBe(true)
  })
})
