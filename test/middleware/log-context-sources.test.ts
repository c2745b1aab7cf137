// logContext puts each source's identifiers on every line a record logs: the keys its TSDoc names.
import { expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, logContext, sqsHandler, type RecordLogger } from 'lambda-stream-handlers'
import { dynamodbEvent, insert, kinesisEvent, kinesisEventFromDynamoDB, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Order = z.object({ orderId: z.string() })

/** The keys logContext added to the line the record function logged. */
function contextOf(logger: ReturnType<typeof memoryLogger>): Record<string, unknown> {
  const line = logger.lines.find((l) => l.message === 'record')
  expect(line).toBeDefined()
  return line!.extra[0] as Record<string, unknown>
}

const logRecord = (_p: unknown, meta: { logger: RecordLogger }): void => meta.logger.info('record')

it('Kinesis: shardId, sequenceNumber, partitionKey', async () => {
  const logger = memoryLogger()
  const event = kinesisEvent([{ orderId: 'o-1' }], { partitionKey: 'pk-1' })
  await kinesisHandler({ schema: Order, logger }).use(logContext()).handle(logRecord)(event)
  const r = event.Records[0]!
  expect(contextOf(logger)).toEqual({ shardId: r.eventID.split(':')[0], sequenceNumber: r.kinesis.sequenceNumber, partitionKey: 'pk-1' })
})

it('SQS: messageId and, on a FIFO queue, messageGroupId (and the FIFO sequenceNumber)', async () => {
  const logger = memoryLogger()
  const event = sqsEvent([{ orderId: 'o-1' }], { messageGroupId: 'g-1' })
  await sqsHandler({ schema: Order, logger }).use(logContext()).handle(logRecord)(event)
  const r = event.Records[0]!
  expect(contextOf(logger)).toEqual({ messageId: r.messageId, messageGroupId: 'g-1', sequenceNumber: r.attributes.SequenceNumber })
})

it('DynamoDB Streams: sequenceNumber, eventID, eventName', async () => {
  const logger = memoryLogger()
  const event = dynamodbEvent([insert({ orderId: 'o-1' })], { keys: ['orderId'] })
  await dynamodbHandler({ schema: Order, logger }).use(logContext()).handle(logRecord)(event)
  const r = event.Records[0]!
  expect(r.eventID).toEqual(expect.any(String))
  expect(contextOf(logger)).toEqual({ sequenceNumber: r.dynamodb!.SequenceNumber, eventID: r.eventID, eventName: 'INSERT' })
})

it("DynamoDB through Kinesis: the Kinesis sequenceNumber, and the change record's eventID and eventName", async () => {
  const logger = memoryLogger()
  const changes = dynamodbEvent([insert({ orderId: 'o-1' })], { keys: ['orderId'] })
  const event = kinesisEventFromDynamoDB(changes)
  await dynamodbHandler({ schema: Order, logger }).use(logContext()).handle(logRecord)(event)
  expect(contextOf(logger)).toEqual({
    sequenceNumber: event.Records[0]!.kinesis.sequenceNumber,
    eventID: changes.Records[0]!.eventID,
    eventName: 'INSERT',
  })
})
