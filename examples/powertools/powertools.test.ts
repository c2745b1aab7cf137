import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import { parse } from '@aws-lambda-powertools/parser'
import { KinesisEnvelope } from '@aws-lambda-powertools/parser/envelopes'
import type { KinesisStreamRecord } from 'aws-lambda'
import { beforeEach, expect, it } from 'vitest'
import { InvalidRecordError, kinesisParser } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, lambdaContext } from 'lambda-stream-handlers/testing'
import { handler as withPowertools } from './batch-processor.js'
import { handler as withLibrary, unordered } from './handler.js'
import { charged, charge, Order } from './orders.js'

beforeEach(() => {
  charged.length = 0
})

const ids = (response: { batchItemFailures: { itemIdentifier: string }[] }): string[] =>
  response.batchItemFailures.map((f) => f.itemIdentifier)

it('both handlers charge a good batch the same way', async () => {
  const event = kinesisEvent(
    [
      { orderId: 'o-1', total: 5 },
      { orderId: 'o-2', total: 7 },
    ],
    { schema: Order },
  )
  expect(await withPowertools(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(await withLibrary(event, lambdaContext())).toEqual({ batchItemFailures: [] })
  expect(charged).toEqual(['o-1', 'o-2', 'o-1', 'o-2'])
})

it('a bad record: Powertools goes on past it, kinesisHandler stops there, `unordered` does as Powertools does', async () => {
  const event = kinesisEvent(
    [
      { orderId: 'o-1', total: 5 },
      { orderId: 'o-2', total: -1 },
      { orderId: 'o-3', total: 7 },
    ],
    { schema: Order },
  )
  const [, bad, after] = event.Records.map((r) => r.kinesis.sequenceNumber)

  expect(ids(await withPowertools(event, lambdaContext()))).toEqual([bad])
  expect(charged.splice(0)).toEqual(['o-1', 'o-3']) // o-3 is charged, and charged again when Lambda re-delivers from o-2
  expect(ids(await withLibrary(event, lambdaContext()))).toEqual([bad, after])
  expect(charged.splice(0)).toEqual(['o-1']) // o-3 waits for the retry that starts at o-2
  expect(ids(await unordered(event, lambdaContext()))).toEqual([bad])
  expect(charged.splice(0)).toEqual(['o-1', 'o-3'])
})

it('inside a real BatchProcessor, a bad record fails with InvalidRecordError and the reason the handler gives', async () => {
  const event = kinesisEvent(
    [
      { orderId: 'o-1', total: 5 },
      { orderId: 'o-2', total: -1 },
    ],
    { schema: Order },
  )
  const processor = new BatchProcessor(EventType.KinesisDataStreams)
  const parseOrder = kinesisParser(Order)
  await processPartialResponse(event, (record: KinesisStreamRecord) => charge(parseOrder(record)), processor)
  const report = await withLibrary.process(event)
  const error = processor.errors[0]
  expect(error).toBeInstanceOf(InvalidRecordError)
  expect((error as InvalidRecordError).reason).toEqual(report.outcomes[1]!.status === 'invalid' ? report.outcomes[1]!.reason : undefined)
  expect((error as InvalidRecordError).recordId).toBe(event.Records[1]!.kinesis.sequenceNumber)
  expect(error!.message).toBe(
    `Invalid record ${event.Records[1]!.kinesis.sequenceNumber}: The record does not match the schema at total: Too small: expected number to be >0`,
  )
})

it('a KPL aggregate: Powertools hands the record handler the whole aggregate; `all` gives each user record, the plain call says so', async () => {
  const event = kinesisEvent([
    kplAggregate(
      [
        { orderId: 'o-1', total: 5 },
        { orderId: 'o-2', total: 7 },
      ],
      { schema: Order },
    ),
  ])
  const parseOrder = kinesisParser(Order)
  const processor = new BatchProcessor(EventType.KinesisDataStreams)
  const viaAll = await processPartialResponse(
    event,
    async (record: KinesisStreamRecord) => {
      for (const order of parseOrder.all(record)) await charge(order)
    },
    processor,
  )
  expect(viaAll).toEqual({ batchItemFailures: [] })
  expect(charged).toEqual(['o-1', 'o-2'])
  // Powertools' own parser reads the aggregate's bytes as the payload, and fails the whole record.
  expect(() => parse(event, KinesisEnvelope, Order)).toThrow('Failed to parse Kinesis Data Stream record at index 0')
  expect(() => parseOrder(event.Records[0]!)).toThrow(
    'is a KPL aggregate of 2 user records; parse it with `kinesisParser(...).all(record)`, which returns each one',
  )
})
