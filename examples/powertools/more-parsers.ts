import type { DynamoDBRecord, SQSRecord } from 'aws-lambda'
import { dynamodbParser, InvalidRecordError, sqsParser } from 'lambda-stream-handlers'
import { Order } from './orders.js'

// SQS: the body (here an SNS notification's message) checked by the schema.
export function orderFromQueue(record: SQSRecord): Order {
  const parseMessage = sqsParser({ schema: Order, envelope: 'sns' })
  const order = parseMessage(record)
  return order
}

// DynamoDB Streams: the typed change, its images as the view type promises.
export function totalFromStream(record: DynamoDBRecord): number | undefined {
  const parseChange = dynamodbParser({ schema: Order, streamViewType: 'NEW_IMAGE' })
  const change = parseChange(record)
  return change.eventName === 'REMOVE' ? undefined : change.newImage.total
}

// A bad record throws InvalidRecordError, with the reason a handler would report.
export function reasonsOf(parseOrder: (record: never) => Order, records: readonly never[]): string[] {
  const reasons: string[] = []
  for (const record of records) {
    try {
      parseOrder(record)
    } catch (e) {
      if (e instanceof InvalidRecordError) reasons.push(e.reason.kind)
    }
  }
  return reasons
}
