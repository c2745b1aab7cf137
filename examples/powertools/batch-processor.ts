// Step 1: keep your Powertools BatchProcessor; the record handler gets a typed, checked order.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { kinesisParser } from 'lambda-stream-handlers'
import { charge, Order } from './orders.js'

const parseOrder = kinesisParser(Order)
const processor = new BatchProcessor(EventType.KinesisDataStreams)

export const handler = async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> =>
  processPartialResponse(event, async (record: KinesisStreamRecord) => charge(parseOrder(record)), processor, { context })
