// Which records would Lambda deliver under these FilterCriteria? Decided before deploying.
import { expect, it } from 'vitest'
import type { SQSRecord } from 'aws-lambda'
import { compileFilter, matchesFilter } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

it('filters Kinesis records on their decoded data, and an SQS message on its body', () => {
  const event = kinesisEvent([
    { orderId: 'a', total: 150 },
    { orderId: 'b', total: 20 },
  ])
  const passes = compileFilter({ Filters: [{ Pattern: '{"data": {"total": [{"numeric": [">", 100]}]}}' }] }, 'kinesis')
  const delivered = event.Records.filter(passes)
  expect(delivered).toEqual([event.Records[0]])

  const sqsRecord = { eventSource: 'aws:sqs', messageId: 'm-1', body: '{"status": "open"}' } as SQSRecord
  const criteria = { Filters: [{ Pattern: '{"body": {"status": ["open"]}}' }] }
  expect(matchesFilter(criteria, sqsRecord)).toBe(true)
})

it('refuses, when compiled, a pattern Lambda would refuse when the mapping is created', () => {
  expect(() => compileFilter({ Filters: [{ Pattern: '{"body": {"status": "open"}}' }] }, 'sqs')).toThrow(
    'Invalid filter pattern definition. Filters[0] at body.status: a rule value must be an array, such as ["a", "b"]; received "open".',
  )
})
