// Issue 26: runLocal() takes any (event, context, callback?) => unknown of the right source, as
// simulate() does, so handlers typed the Powertools or Middy way run against a real server as they are.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams'
import type { KinesisClient } from '@aws-sdk/client-kinesis'
import type { SQSClient } from '@aws-sdk/client-sqs'
import type { DynamoDBStreamHandler, KinesisStreamHandler, SQSHandler } from 'aws-lambda'
import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { kinesisWindowHandler } from 'lambda-stream-handlers'
import { runLocal, type LocalRun } from 'lambda-stream-handlers/local'

declare const kinesis: KinesisStreamHandler
declare const sqs: SQSHandler
declare const dynamodb: DynamoDBStreamHandler
declare const kinesisClient: KinesisClient
declare const sqsClient: SQSClient
declare const streams: DynamoDBStreamsClient
const streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000'

it('handlers typed KinesisStreamHandler, SQSHandler and DynamoDBStreamHandler are taken', () => {
  expectTypeOf(runLocal(kinesis, { source: 'kinesis', client: kinesisClient, streamName: 'orders' })).toEqualTypeOf<Promise<LocalRun>>()
  expectTypeOf(runLocal(sqs, { source: 'sqs', client: sqsClient, queueUrl: 'q' })).toEqualTypeOf<Promise<LocalRun>>()
  expectTypeOf(runLocal(dynamodb, { source: 'dynamodb', client: streams, streamArn })).toEqualTypeOf<Promise<LocalRun>>()
  // A callback handler too.
  void runLocal((_event, _context, callback: (error: null, result: object) => void) => callback(null, {}), {
    source: 'sqs',
    client: sqsClient,
    queueUrl: 'q',
  })
})

it('a handler of another source is refused, against the handler the options expect', () => {
  // @ts-expect-error an SQSHandler for a Kinesis stream
  void runLocal(sqs, { source: 'kinesis', client: kinesisClient, streamName: 'orders' })
  // @ts-expect-error a KinesisStreamHandler for a DynamoDB stream
  void runLocal(kinesis, { source: 'dynamodb', client: streams, streamArn })
  // @ts-expect-error misspelt settings are still refused
  void runLocal(kinesis, { source: 'kinesis', client: kinesisClient, streamName: 'orders', batchSize: 10 })
})

it('a window handler still needs TumblingWindowInSeconds', () => {
  const windowed = kinesisWindowHandler({
    schema: z.object({ n: z.number() }),
    state: z.object({ n: z.number() }),
    initial: () => ({ n: 0 }),
    reduce: (s) => s,
    onWindowEnd: () => {},
  })
  void runLocal(windowed, { source: 'kinesis', client: kinesisClient, streamName: 'orders', TumblingWindowInSeconds: 60 })
  // @ts-expect-error without windows the mapping never sends the window fields the handler needs
  void runLocal(windowed, { source: 'kinesis', client: kinesisClient, streamName: 'orders' })
})
