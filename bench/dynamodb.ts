// DynamoDB Streams contenders. The event is MODIFY records on a NEW_AND_OLD_IMAGES stream (the
// payload as the item, its `amount` one lower in the old image); every contender unmarshalls and
// validates both images with the same zod schema, calls the record function with the new image,
// and reports each invalid record by its sequence number.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import middy from '@middy/core'
import type { AttributeValue } from '@aws-sdk/client-dynamodb'
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { dynamodbHandler, silentLogger } from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, modify } from 'lambda-stream-handlers/testing'
import type { BatchResponse, Handler, Workload } from './harness.js'
import { Payload, payloads } from './payload.js'

type Image = Record<string, AttributeValue>

// 1% invalid, as for Kinesis: half cannot be decoded (an attribute value of no DynamoDB type),
// half fail the schema (`amount` is a string).
function makeEvent(n: number): DynamoDBStreamEvent {
  const changes = payloads(n).map((p, i) => {
    if (i % 200 === 99)
      return modify(attributeValues({ id: { S: `p-${i}` } }), attributeValues({ id: { S: `p-${i}` }, amount: { Q: '1' } }))
    const item = p as Payload
    return modify({ ...item, amount: typeof item.amount === 'number' ? item.amount - 1 : item.amount }, item)
  })
  return dynamodbEvent(changes as never[], { keys: ['id'] })
}

// Both images, unmarshalled and validated; throws on either.
function images(record: DynamoDBRecord): Payload {
  const images = record.dynamodb!
  const before = Payload.safeParse(unmarshall(images.OldImage as Image))
  if (!before.success) throw before.error
  const after = Payload.safeParse(unmarshall(images.NewImage as Image))
  if (!after.success) throw after.error
  return after.data
}

export const dynamodb: Workload<DynamoDBStreamEvent> = {
  source: 'dynamodb',
  makeEvent,
  contenders: [
    {
      name: 'floor',
      what: 'hand-written loop: @aws-sdk/util-dynamodb unmarshall of both images, zod safeParse of both, await the record function, failures collected',
      make: (work) => async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          try {
            await work(images(record))
          } catch {
            batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! })
          }
        }
        return { batchItemFailures }
      },
    },
    {
      name: 'lambda-stream-handlers',
      what: "dynamodbHandler(Payload, fn) with ordering 'unordered', concurrency 1 (the floor's sequential loop), silentLogger; fn gets change.newImage",
      make: (work) => {
        const handler = dynamodbHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, (change) =>
          work((change as { newImage: Payload }).newImage),
        )
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'lambda-stream-handlers c10',
      what: 'the same with the default concurrency (10 records in flight)',
      make: (work) => {
        const handler = dynamodbHandler({ schema: Payload, ordering: 'unordered', logger: silentLogger }, (change) =>
          work((change as { newImage: Payload }).newImage),
        )
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'powertools',
      what: 'Powertools BatchProcessor + processPartialResponse; the record handler unmarshalls and runs Payload.parse on both images',
      make: (work) => {
        const processor = new BatchProcessor(EventType.DynamoDBStreams)
        const recordHandler = async (record: DynamoDBRecord): Promise<void> => {
          const images = record.dynamodb!
          Payload.parse(unmarshall(images.OldImage as Image))
          await work(Payload.parse(unmarshall(images.NewImage as Image)))
        }
        return (event, context) => processPartialResponse(event, recordHandler, processor, { context }) as Promise<BatchResponse>
      },
    },
    {
      name: 'middy',
      what:
        '@middy/core; the handler loops, unmarshalls and safeParses both images (util-dynamodb), failures collected by hand. Not @middy/event-normalizer: ' +
        'it unmarshalls every record before the handler runs and throws on the first undecodable attribute, failing the whole batch',
      make: (work) =>
        middy<DynamoDBStreamEvent, BatchResponse>().handler(async (event) => {
          const batchItemFailures: BatchResponse['batchItemFailures'] = []
          for (const record of event.Records) {
            try {
              await work(images(record))
            } catch {
              batchItemFailures.push({ itemIdentifier: record.dynamodb!.SequenceNumber! })
            }
          }
          return { batchItemFailures }
        }) as unknown as Handler<DynamoDBStreamEvent>,
    },
  ],
}
