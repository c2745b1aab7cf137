import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis'
import type { KinesisStreamEvent } from 'aws-lambda'
import { startKinesalite, type Kinesalite } from '../servers/kinesalite.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbFilter,
  dynamodbHandler,
  InvalidFilterPatternError,
  kinesisFilter,
  kinesisHandler,
  silentLogger,
  sqsFilter,
  sqsHandler,
} from 'lambda-stream-handlers'
import { runLocal, simulate } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, kinesisEvent, kinesisEventFromDynamoDB, kplAggregate, modify, raw } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number(), currency: z.enum(['EUR', 'USD']) })
const RAW = Symbol.for('lambda-stream-handlers.raw')
const bytesOf = (data: unknown): Uint8Array => (data as Record<symbol, Uint8Array>)[RAW]!

describe('simulate applies FilterCriteria (facts 25, 81)', () => {
  it('Kinesis: records no filter matches never reach the function and end filtered', async () => {
    const seen: string[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (o) => void seen.push(o.orderId))
    const event = kinesisEvent(
      [
        { orderId: 'a', total: 150, currency: 'EUR' },
        { orderId: 'b', total: 20, currency: 'EUR' },
        raw('not json'),
        { orderId: 'c', total: 300, currency: 'USD' },
      ],
      { schema: Order },
    )
    const report = await simulate(handler, {
      source: 'kinesis',
      records: event,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: kinesisFilter(Order, { data: { total: [{ numeric: ['>=', 100] }] } }),
    })
    expect(seen).toEqual(['a', 'c'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'filtered', 'succeeded'])
    const delivered = report.invocations.flatMap((i) => (i.event as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber))
    expect(delivered).toEqual([event.Records[0]!.kinesis.sequenceNumber, event.Records[3]!.kinesis.sequenceNumber])
  })

  it('DynamoDB Streams: filters on eventName and images in AttributeValue form', async () => {
    const Item = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
    const seen: string[] = []
    const handler = dynamodbHandler(Item, (c) => void seen.push(`${c.eventName} ${c.keys.id}`))
    const a = { id: 'a', status: 'NEW', total: 1 } as const
    const event = dynamodbEvent([insert(a), modify(a, { ...a, status: 'PAID' }), insert({ id: 'b', status: 'PAID', total: 2 })], {
      schema: Item,
    })
    const report = await simulate(handler, {
      source: 'dynamodb',
      records: event,
      FilterCriteria: dynamodbFilter(Item, { dynamodb: { NewImage: { status: { S: ['PAID'] } } } }),
    })
    expect(seen).toEqual(['MODIFY a', 'INSERT b'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['filtered', 'succeeded', 'succeeded'])
  })

  it('SQS: messages no filter matches are deleted unseen and end filtered, text bodies under a JSON pattern too', async () => {
    const Message = z.object({ kind: z.string(), priority: z.number() })
    const seen: string[] = []
    const handler = sqsHandler({ schema: Message, logger: silentLogger }, (m) => void seen.push(`${m.kind}/${m.priority}`))
    const report = await simulate(handler, {
      source: 'sqs',
      records: [
        { body: { kind: 'a', priority: 9 } },
        { body: { kind: 'b', priority: 1 } },
        { body: 'plain text' },
        { body: { kind: 'c', priority: 7 } },
      ],
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: sqsFilter(Message, { body: { priority: [{ numeric: ['>', 5] }] } }),
    })
    expect(seen).toEqual(['a/9', 'c/7'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'filtered', 'succeeded'])
    expect(report.invocations.flatMap((i) => i.records)).toEqual([report.outcomes[0]!.id, report.outcomes[3]!.id])
  })

  it('refuses criteria Lambda would refuse, before any invocation', async () => {
    const handler = kinesisHandler(Order, () => {})
    await expect(
      simulate(handler, { source: 'kinesis', records: [], FilterCriteria: { Filters: [{ Pattern: '{"data": {"total": 100}}' }] } }),
    ).rejects.toThrow(InvalidFilterPatternError)
  })
})

describe('on kinesalite: KPL aggregates, filters and DynamoDB changes through runLocal', () => {
  let kinesalite: Kinesalite
  let client: KinesisClient

  beforeAll(async () => {
    kinesalite = await startKinesalite()
    client = kinesalite.client
  })

  afterAll(() => kinesalite.close())

  async function stream(name: string, records: { data: Uint8Array; key: string }[]): Promise<void> {
    await kinesalite.createStream(name, 1)
    const out = await client.send(
      new PutRecordsCommand({ StreamName: name, Records: records.map((r) => ({ Data: r.data, PartitionKey: r.key })) }),
    )
    expect(out.FailedRecordCount ?? 0).toBe(0)
  }

  it('splits a KPL aggregate read from the stream and reports a failed user record by the aggregate', async () => {
    const aggregate = kplAggregate(
      [
        { orderId: 'a', total: 1, currency: 'EUR' },
        { orderId: 'b', total: -1, currency: 'EUR' },
        { orderId: 'c', total: 3, currency: 'USD' },
      ],
      { schema: Order, partitionKey: (p) => `customer-${(p as { orderId: string }).orderId}` },
    )
    await stream('kpl', [
      { data: Buffer.from(JSON.stringify({ orderId: 'd', total: 4, currency: 'EUR' })), key: 'x' },
      { data: bytesOf(aggregate), key: 'outer' },
    ])
    const seen: string[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (o, meta) => {
      if (o.total < 0) throw new Error('negative total')
      seen.push(`${o.orderId} ${meta.partitionKey} #${meta.subSequenceNumber ?? '-'}`)
    })
    const run = await runLocal(handler, {
      source: 'kinesis',
      client,
      streamName: 'kpl',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 1,
      retryDelayMs: () => 20,
      pollIntervalMs: 50,
    })
    await run.idle()
    const report = await run.stop()
    // The aggregate is one record to Lambda: a failed user record reports the aggregate's sequence
    // number, so the user record that succeeded before it runs again with each delivery of the
    // aggregate (fact 87): 1 + (R + 1) deliveries after the checkpoint moved (§11 point 2).
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'discarded'])
    expect(report.invocations[0]!.response).toEqual({ batchItemFailures: [{ itemIdentifier: report.outcomes[1]!.id }] })
    expect(seen).toEqual(['d x #-', 'a customer-a #0', 'a customer-a #0', 'a customer-a #0'])
    expect(report.outcomes[1]!.deliveries).toBe(3)
  })

  it('delivers DynamoDB changes put on a Kinesis stream, filtered as Lambda filters them', async () => {
    const Item = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
    const a = { id: 'a', status: 'NEW', total: 1 } as const
    const changes = kinesisEventFromDynamoDB(
      dynamodbEvent([insert(a), modify(a, { ...a, status: 'PAID' }), insert({ id: 'b', status: 'NEW', total: 2 })], { schema: Item }),
    )
    await stream(
      'orders-cdc',
      changes.Records.map((r) => ({ data: Buffer.from(r.kinesis.data, 'base64'), key: r.kinesis.partitionKey })),
    )
    const seen: string[] = []
    const handler = dynamodbHandler(
      Item,
      (c, meta) => void seen.push(`${c.eventName} ${c.keys.id} via ${meta.kinesisRecord?.kinesis.sequenceNumber === meta.sequenceNumber}`),
    )
    const run = await runLocal(handler, {
      source: 'kinesis',
      client,
      streamName: 'orders-cdc',
      pollIntervalMs: 50,
      // The data of these Kinesis records is the change: filter on its eventName.
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { eventName: ['INSERT'] } }) }] },
    })
    await run.idle()
    const report = await run.stop()
    expect(seen).toEqual(['INSERT a via true', 'INSERT b via true'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'succeeded'])
  })
})
