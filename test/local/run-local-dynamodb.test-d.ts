import type { DynamoDBStreamsClient, _Record } from '@aws-sdk/client-dynamodb-streams'
import type { KinesisClient } from '@aws-sdk/client-kinesis'
import type { DynamoDBRecord } from 'aws-lambda'
import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, dynamodbWindowHandler, kinesisHandler } from 'lambda-stream-handlers'
import { lambdaDynamoDBRecord, runLocal, type LocalRun } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string() })
const ddb = dynamodbHandler({ schema: Order }, () => {})
const kinesis = kinesisHandler(Order, () => {})
declare const streams: DynamoDBStreamsClient
declare const kinesisClient: KinesisClient
const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000'

it('runLocal with a DynamoDB stream takes a DynamoDB Streams handler and a DynamoDB Streams client', () => {
  expectTypeOf(
    runLocal(ddb, { source: 'dynamodb', client: streams, streamArn, FunctionResponseTypes: ['ReportBatchItemFailures'] }),
  ).toEqualTypeOf<Promise<LocalRun>>()
  // @ts-expect-error a Kinesis handler cannot read a DynamoDB stream
  void runLocal(kinesis, { source: 'dynamodb', client: streams, streamArn })
  // Clients are typed by shape (the types need no SDK package you do not use): runLocal checks
  // the client's service when it starts instead (run-local-client.test.ts).
  void runLocal(ddb, { source: 'dynamodb', client: kinesisClient, streamArn })
  // @ts-expect-error not a client
  void runLocal(ddb, { source: 'dynamodb', client: {}, streamArn })
  // @ts-expect-error a DynamoDB stream is named by its ARN
  void runLocal(ddb, { source: 'dynamodb', client: streams, streamName: 'orders' })
})

it('a tumbling-window DynamoDB handler needs TumblingWindowInSeconds', () => {
  const windowed = dynamodbWindowHandler({
    schema: Order,
    state: z.object({ n: z.number() }),
    initial: () => ({ n: 0 }),
    reduce: (s) => ({ n: s.n + 1 }),
    onWindowEnd: () => {},
  })
  expectTypeOf(runLocal(windowed, { source: 'dynamodb', client: streams, streamArn, TumblingWindowInSeconds: 60 })).toEqualTypeOf<
    Promise<LocalRun>
  >()
  // @ts-expect-error without windows the mapping never sends the window fields the handler needs
  void runLocal(windowed, { source: 'dynamodb', client: streams, streamArn })
})

it('lambdaDynamoDBRecord turns an SDK stream record into the event record', () => {
  expectTypeOf<[_Record, string]>().toExtend<Parameters<typeof lambdaDynamoDBRecord>>()
  expectTypeOf(lambdaDynamoDBRecord).returns.toEqualTypeOf<DynamoDBRecord>()
})
