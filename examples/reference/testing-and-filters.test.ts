// The TSDoc examples of the test kit, filters and window errors, as runnable code.
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { expect, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbHandler,
  kinesisWindowHandler,
  matchesFilter,
  silentLogger,
  WindowEndError,
  WindowRecordError,
  WindowStateError,
} from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, kinesisWindowEvent, sqsEvent } from 'lambda-stream-handlers/testing'

it('matches an SQS record against FilterCriteria', () => {
  const sqsRecord: SQSRecord = sqsEvent([{ status: 'open' }]).Records[0]!
  const criteria = { Filters: [{ Pattern: '{"body": {"status": ["open"]}}' }] }
  expect(matchesFilter(criteria, sqsRecord)).toBe(true)
})

it('builds a DynamoDB record from raw AttributeValues, to test a bad image', async () => {
  const Order = z.object({ orderId: z.string(), total: z.number() })
  const handler = dynamodbHandler({ schema: Order, logger: silentLogger, allFailed: 'report' }, () => {})
  const event = dynamodbEvent([insert(attributeValues({ orderId: { S: 'o-2' }, total: { N: 'twelve' } }))])
  expect((await handler.process(event)).outcomes[0]).toMatchObject({
    status: 'invalid',
    reason: { kind: 'decode', path: 'NewImage.total' },
  })
})

it('throws named errors from window handlers', async () => {
  const seen: unknown[] = []
  const Count = z.object({ n: z.number() })
  const handler = kinesisWindowHandler({
    schema: z.object({ v: z.number() }),
    state: Count,
    logger: silentLogger,
    initial: () => ({ n: 0 }),
    reduce: (s, p) => ({ n: s.n + p.v }),
    onWindowEnd: () => {
      throw new Error('sink down')
    },
  })
  const event = kinesisWindowEvent([{ v: 1 }, { v: 'x' }], { state: { n: 0 } })
  const finalEvent = kinesisWindowEvent([{ v: 1 }], { state: { n: 0 }, final: true })
  try {
    await handler(event)
  } catch (e) {
    if (e instanceof WindowRecordError) seen.push(e.outcomes.filter((o) => o.status !== 'ok').length)
  }
  try {
    await handler(finalEvent)
  } catch (e) {
    if (e instanceof WindowEndError) seen.push(e.cause)
  }
  const big = kinesisWindowEvent([{ v: 1 }], { state: { n: 0, pad: 'x'.repeat(2_000_000) } })
  const padded = kinesisWindowHandler({
    schema: z.object({ v: z.number() }),
    state: z.object({ n: z.number(), pad: z.string() }),
    logger: silentLogger,
    initial: () => ({ n: 0, pad: '' }),
    reduce: (s) => s,
    onWindowEnd: () => {},
  })
  try {
    await padded(big)
  } catch (e) {
    if (e instanceof WindowStateError && e.bytes !== undefined) seen.push(`state is ${e.bytes} bytes`)
  }
  expect(seen).toEqual([1, new Error('sink down'), 'state is 2000016 bytes'])
})

it('turns received SQS messages into the event Lambda would build', async () => {
  const { lambdaSqsRecord } = await import('lambda-stream-handlers/local')
  const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:orders'
  const messages: Parameters<typeof lambdaSqsRecord>[0][] = [
    {
      MessageId: 'm-1',
      ReceiptHandle: 'r-1',
      Body: '{"orderId":"o-1"}',
      MD5OfBody: 'x',
      Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', ApproximateFirstReceiveTimestamp: '1', SenderId: 's' },
    },
  ]
  const event: SQSEvent = { Records: messages.map((m) => lambdaSqsRecord(m, queueArn)) }
  expect(event.Records[0]).toMatchObject({ messageId: 'm-1', eventSource: 'aws:sqs', awsRegion: 'eu-west-1', md5OfMessageAttributes: null })
})
