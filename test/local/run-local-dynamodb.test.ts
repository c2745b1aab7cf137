// runLocal on a real DynamoDB stream: DynamoDB Local (AWS's emulator, with Streams) started on
// loopback, a table with NEW_AND_OLD_IMAGES, its stream polled with DescribeStream,
// GetShardIterator and GetRecords as Lambda polls it, and the Kinesis runner's rules applied.
//
// Needs Java 17 (present in the project's image); set LSH_SKIP_DYNAMODB_LOCAL=1 to skip it elsewhere.
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb'
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams'
import type { DynamoDBStreamEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, dynamodbWindowHandler, silentLogger } from 'lambda-stream-handlers'
import { runLocal, type InvocationReport } from 'lambda-stream-handlers/local'
import { hasJava, startDynamoDBLocal, type DynamoDBLocal } from '../servers/dynamodb-local.js'

const skip = process.env.LSH_SKIP_DYNAMODB_LOCAL === '1'
if (!skip && !hasJava())
  throw new Error(
    'This test runs DynamoDB Local, which needs Java 17 (apt-get install openjdk-17-jre-headless); set LSH_SKIP_DYNAMODB_LOCAL=1 to skip it.',
  )

let server: DynamoDBLocal
let ddb: DynamoDBClient
let streams: DynamoDBStreamsClient
let requests = 0 // every request the streams client sends

async function createTable(TableName: string): Promise<string> {
  const out = await ddb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  )
  return out.TableDescription!.LatestStreamArn!
}
const putOrder = (TableName: string, orderId: string, status: string, total: number) =>
  ddb.send(
    new PutItemCommand({
      TableName,
      Item: { orderId: { S: orderId }, status: { S: status }, total: { N: String(total) }, bin: { B: new Uint8Array([0, 255]) } },
    }),
  )

const Order = z.object({ orderId: z.string(), status: z.string(), total: z.number(), bin: z.instanceof(Uint8Array) })

describe.skipIf(skip)('runLocal on DynamoDB Local', () => {
  beforeAll(async () => {
    server = await startDynamoDBLocal()
    const config = {
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    }
    ddb = new DynamoDBClient(config)
    streams = new DynamoDBStreamsClient(config)
    streams.middlewareStack.add(
      (next) => (args) => {
        requests += 1
        return next(args)
      },
      { step: 'initialize', name: 'countRequests' },
    )
  }, 120_000)

  afterAll(async () => {
    streams?.destroy()
    ddb?.destroy()
    await server?.stop()
  })

  it('INSERT, MODIFY, REMOVE through a dynamodbHandler: events as Lambda builds them, a partial failure retried, discarded with DDBStreamBatchInfo, the checkpoint', async () => {
    const TableName = 'orders'
    const streamArn = await createTable(TableName)
    await putOrder(TableName, 'o-1', 'NEW', 10)
    await putOrder(TableName, 'o-2', 'POISON', 20)
    await ddb.send(
      new UpdateItemCommand({
        TableName,
        Key: { orderId: { S: 'o-1' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'PAID' } },
      }),
    )
    await ddb.send(new DeleteItemCommand({ TableName, Key: { orderId: { S: 'o-1' } } }))

    const seen: string[] = []
    const handler = dynamodbHandler({ schema: Order, logger: silentLogger }, (change) => {
      seen.push(`${change.eventName} ${change.keys.orderId}`)
      if (change.eventName === 'INSERT' && change.newImage.status === 'POISON') throw new Error('the warehouse refused o-2')
    })
    const events: DynamoDBStreamEvent[] = []
    const invocations: InvocationReport[] = []
    const run = await runLocal(
      (event: DynamoDBStreamEvent, context) => {
        events.push(event)
        return handler(event, context)
      },
      {
        source: 'dynamodb',
        client: streams,
        streamArn,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 2,
        retryDelayMs: () => 20,
        pollIntervalMs: 50,
        functionName: 'orders-fn',
        onInvocation: (i) => invocations.push(i),
      },
    )
    await run.idle()
    const report = await run.stop()

    // The event, as Lambda builds it from the stream records (DynamoDB Local's region is 'ddblocal'; the function's ARN takes the stream's).
    const first = events[0]!.Records
    expect(first.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT', 'MODIFY', 'REMOVE'])
    const insert = first[0]!
    expect(insert).toMatchObject({ eventSource: 'aws:dynamodb', eventVersion: '1.1', awsRegion: 'ddblocal', eventSourceARN: streamArn })
    expect(insert.dynamodb).toMatchObject({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      Keys: { orderId: { S: 'o-1' } },
      NewImage: { bin: { B: 'AP8=' }, total: { N: '10' } },
    })
    expect(typeof insert.dynamodb!.ApproximateCreationDateTime).toBe('number')
    expect(Math.abs(insert.dynamodb!.ApproximateCreationDateTime! - Date.now() / 1000)).toBeLessThan(120) // seconds, not ms
    expect(first[3]!.dynamodb).toMatchObject({ OldImage: { status: { S: 'PAID' } } })
    expect(first[3]!.dynamodb!.NewImage).toBeUndefined()

    const ids = first.map((r) => r.dynamodb!.SequenceNumber!)
    // 1: all four, o-2 fails (and, in order, the two after it are reported too): the checkpoint moves past o-1's INSERT.
    // 2-4: the rest from o-2, whose every record fails, so the handler throws (its allFailed default);
    // retried twice (MaximumRetryAttempts 2), the retry count restarted by the checkpoint's move (§11).
    expect(report.invocations.map((i) => [i.trigger, i.attempt, i.records.length, i.result])).toEqual([
      ['batch', 1, 4, 'partial'],
      ['remainder', 1, 3, 'error'],
      ['retry', 2, 3, 'error'],
      ['retry', 3, 3, 'error'],
    ])
    expect(invocations.map((i) => i.index)).toEqual([0, 1, 2, 3])
    expect(seen.filter((s) => s === 'INSERT o-2')).toHaveLength(4)
    expect(report.outcomes.map((o) => [o.id, o.fate, o.deliveries])).toEqual([
      [ids[0], 'succeeded', 1],
      [ids[1], 'discarded', 4],
      [ids[2], 'discarded', 4],
      [ids[3], 'discarded', 4],
    ])
    expect(report.shards).toHaveLength(1)
    expect(report.shards[0]!.checkpoint).toBe(ids[3]) // settled: discarded records move the checkpoint past them
    // The OnFailure destination record (fact 40).
    expect(report.failureDestination).toHaveLength(1)
    const failure = report.failureDestination[0]!
    expect(failure.requestContext).toMatchObject({
      functionArn: 'arn:aws:lambda:ddblocal:000000000000:function:orders-fn',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    })
    expect(failure.KinesisBatchInfo).toBeUndefined()
    const { approximateArrivalOfFirstRecord, approximateArrivalOfLastRecord, ...batchInfo } = failure.DDBStreamBatchInfo!
    expect(batchInfo).toEqual({
      shardId: report.shards[0]!.shardId,
      startSequenceNumber: ids[1],
      endSequenceNumber: ids[3],
      batchSize: 3,
      streamArn,
    })
    // DynamoDB Local cuts the creation time to the minute; the run takes the latest time the change can have been made (fact 110).
    for (const [arrival, record] of [
      [approximateArrivalOfFirstRecord, first[1]!],
      [approximateArrivalOfLastRecord, first[3]!],
    ] as const) {
      const carried = record.dynamodb!.ApproximateCreationDateTime! * 1000
      expect(Date.parse(arrival)).toBeGreaterThanOrEqual(carried)
      expect(Date.parse(arrival)).toBeLessThan(carried + 60_000)
    }
  }, 60_000)

  it('stops when asked: no request and no invocation afterwards; LATEST skips what was there before', async () => {
    const TableName = 'stop-me'
    const streamArn = await createTable(TableName)
    await putOrder(TableName, 'before', 'NEW', 1)
    let calls = 0
    const run = await runLocal(
      () => {
        calls++
        throw new Error('always')
      },
      { source: 'dynamodb', client: streams, streamArn, StartingPosition: 'LATEST', pollIntervalMs: 20, retryDelayMs: () => 30 },
    )
    await putOrder(TableName, 'after', 'NEW', 2)
    await vi.waitFor(() => expect(calls).toBeGreaterThan(1))
    const report = await run.stop()
    const [callsAfter, requestsAfter] = [calls, requests]
    expect(report.outcomes.map((o) => [JSON.parse(o.key), o.fate])).toEqual([[{ orderId: { S: 'after' } }, 'pending']])
    await putOrder(TableName, 'later', 'NEW', 3)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect([calls, requests]).toEqual([callsAfter, requestsAfter])
    expect(await run.stop()).toBe(report)
  }, 60_000)

  it('applies FilterCriteria as Lambda does: unmatched changes never reach the function and end filtered', async () => {
    const TableName = 'filtered'
    const streamArn = await createTable(TableName)
    await putOrder(TableName, 'o-1', 'NEW', 1)
    await ddb.send(new DeleteItemCommand({ TableName, Key: { orderId: { S: 'o-1' } } }))
    const delivered: string[] = []
    const run = await runLocal((event: DynamoDBStreamEvent) => void delivered.push(...event.Records.map((r) => r.eventName!)), {
      source: 'dynamodb',
      client: streams,
      streamArn,
      pollIntervalMs: 20,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['REMOVE'] }) }] },
    })
    await run.idle()
    const report = await run.stop()
    expect(delivered).toEqual(['REMOVE'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['filtered', 'succeeded'])
  }, 60_000)

  it('tumbling windows by creation time: the state carried between invocations and each window closed once', async () => {
    const TableName = 'windows'
    const streamArn = await createTable(TableName)
    for (const [id, total] of [
      ['o-1', 5],
      ['o-2', 7],
      ['o-3', 11],
    ] as const)
      await putOrder(TableName, id, 'NEW', total)
    const closed: { start: string; orders: number; total: number }[] = []
    const handler = dynamodbWindowHandler({
      schema: Order,
      state: z.object({ orders: z.number(), total: z.number() }),
      initial: () => ({ orders: 0, total: 0 }),
      reduce: (s, change) => (change.eventName === 'INSERT' ? { orders: s.orders + 1, total: s.total + change.newImage.total } : s),
      onWindowEnd: (s, w) => void closed.push({ start: w.start.toISOString(), ...s }),
    })
    const run = await runLocal(handler, {
      source: 'dynamodb',
      client: streams,
      streamArn,
      TumblingWindowInSeconds: 1,
      windowGraceSeconds: 0,
      pollIntervalMs: 20,
    })
    await vi.waitFor(() => expect(closed.reduce((n, w) => n + w.orders, 0)).toBe(3), { timeout: 10_000 })
    const report = await run.stop()
    expect(closed.reduce((n, w) => n + w.total, 0)).toBe(23)
    expect(new Set(closed.map((w) => w.start)).size).toBe(closed.length)
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    // One final invocation per window (fact 63), with records when the window had already ended as they were read.
    expect(
      report.invocations.filter((i) => (i.event as { isFinalInvokeForWindow?: boolean }).isFinalInvokeForWindow === true),
    ).toHaveLength(closed.length)
  }, 60_000)

  it('does not expire a change before its age, though DynamoDB Local cuts its creation time to the minute (fact 110)', async () => {
    const TableName = 'aged'
    const streamArn = await createTable(TableName)
    // Written late in a minute, the change carries a time 45 s or more before it was made.
    await vi.waitFor(() => expect(new Date().getUTCSeconds()).toBeGreaterThanOrEqual(45), { timeout: 60_000, interval: 200 })
    const written = Date.now()
    await putOrder(TableName, 'o-1', 'NEW', 1)
    let calls = 0
    const run = await runLocal(
      () => {
        calls++
        throw new Error('the warehouse is down')
      },
      { source: 'dynamodb', client: streams, streamArn, MaximumRecordAgeInSeconds: 60, retryDelayMs: () => 200, pollIntervalMs: 50 },
    )
    // Judged by the time it carries, the change would pass 60 s within 15 s of being made.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, written + 16_000 - Date.now())))
    const report = await run.stop()
    expect(calls).toBeGreaterThan(5)
    expect(report.outcomes.map((o) => o.fate)).toEqual(['pending'])
    expect(report.failureDestination).toEqual([])
    expect(report.assumptions.some((a) => a.startsWith('DynamoDB Local gives'))).toBe(true)
  }, 120_000)

  it('refuses what Lambda refuses, before reading anything', async () => {
    const handler = () => {}
    await expect(runLocal(handler, { source: 'dynamodb', client: streams, streamArn: 'orders' })).rejects.toThrow(
      /`streamArn` must be the stream's ARN/,
    )
    const streamArn = 'arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/2026-01-01T00:00:00.000'
    await expect(runLocal(handler, { source: 'dynamodb', client: streams, streamArn, StartingPosition: 'AT_TIMESTAMP' })).rejects.toThrow(
      /not available for DynamoDB Streams/,
    )
    await expect(runLocal(handler, { source: 'dynamodb', client: streams, streamArn, streamName: 'x' } as never)).rejects.toThrow(
      /unknown option `streamName`/,
    )
  })
})
