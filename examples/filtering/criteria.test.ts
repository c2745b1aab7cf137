import { expect, it } from 'vitest'
import { matchesFilter } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { cdkFilters, criteria, inserts, urgent } from './criteria.js'

it('builds the FilterCriteria JSON Lambda takes, and it filters as Lambda would', () => {
  expect(criteria).toEqual({ Filters: [{ Pattern: '{"data":{"currency":["EUR"],"total":[{"numeric":[">=",100]}]}}' }] })
  expect(inserts.Filters[0]!.Pattern).toBe('{"eventName":["INSERT"],"dynamodb":{"NewImage":{"status":{"S":["open"]}}}}')
  expect(urgent.Filters[0]!.Pattern).toBe('{"body":{"priority":[{"numeric":[">",5]}]}}')
  expect(cdkFilters).toEqual([{ pattern: criteria.Filters[0]!.Pattern }])
  const [big, small, dollars] = kinesisEvent([
    { orderId: 'a', total: 150, currency: 'EUR' },
    { orderId: 'b', total: 50, currency: 'EUR' },
    { orderId: 'c', total: 150, currency: 'USD' },
  ]).Records
  expect([big, small, dollars].map((r) => matchesFilter(criteria, r!))).toEqual([true, false, false])
})
