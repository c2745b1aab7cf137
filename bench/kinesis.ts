// Kinesis contenders. Every one decodes base64 `data`, parses JSON, validates with the same zod
// schema, calls the record function, and reports each invalid record by its sequence number.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import { parser } from '@aws-lambda-powertools/batch/parser'
import middy from '@middy/core'
import eventNormalizer from '@middy/event-normalizer'
import type { KinesisStreamEvent } from 'aws-lambda'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import type { BatchResponse, Handler, Workload } from './harness.js'
import { Payload, payloads } from './payload.js'

export const kinesis: Workload<KinesisStreamEvent> = {
  source: 'kinesis',
  makeEvent: (n) => kinesisEvent(payloads(n) as never[], { partitionKey: (_p, i) => `k${i % 37}` }),
  contenders: [
    {
      name: 'floor',
      what: 'hand-written loop: Buffer base64, JSON.parse, zod safeParse, await the record function, failures collected',
      make: (work) => async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          try {
            const parsed = Payload.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
            if (!parsed.success) throw parsed.error
            await work(parsed.data)
          } catch {
            batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
          }
        }
        return { batchItemFailures }
      },
    },
    {
      name: 'floor-noschema',
      what: 'the floor without zod (a type check of `amount` stands in for the schema, so the same records fail)',
      make: (work) => async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          try {
            const value = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as Payload
            if (typeof value.amount !== 'number') throw new Error('invalid')
            await work(value)
          } catch {
            batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
          }
        }
        return { batchItemFailures }
      },
    },
    {
      name: 'lambda-stream-handlers',
      what: "kinesisHandler(Payload, fn) with ordering 'unordered', concurrency 1 (the floor's sequential loop), silentLogger",
      make: (work) => {
        const handler = kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'lambda-stream-handlers c10',
      what: 'the same with the default concurrency (10 records in flight)',
      make: (work) => {
        const handler = kinesisHandler({ schema: Payload, ordering: 'unordered', logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'powertools',
      what: 'Powertools BatchProcessor + processPartialResponse; the record handler decodes and runs Payload.parse',
      make: (work) => {
        const processor = new BatchProcessor(EventType.KinesisDataStreams)
        const recordHandler = async (record: KinesisStreamEvent['Records'][number]): Promise<void> => {
          await work(Payload.parse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))))
        }
        return (event, context) => processPartialResponse(event, recordHandler, processor, { context }) as Promise<BatchResponse>
      },
    },
    {
      name: 'powertools-parser',
      what: "Powertools batch parser integration: BatchProcessor with { parser, innerSchema: Payload, transformer: 'base64' }",
      make: (work) => {
        const processor = new BatchProcessor(EventType.KinesisDataStreams, { parser, innerSchema: Payload, transformer: 'base64' })
        const recordHandler = async (record: { kinesis: { data: unknown } }): Promise<void> => {
          await work(record.kinesis.data as Payload)
        }
        return (event, context) => processPartialResponse(event, recordHandler as never, processor, { context }) as Promise<BatchResponse>
      },
    },
    {
      name: 'middy',
      what: '@middy/core + @middy/event-normalizer (decodes data in place); the handler loops, safeParse, failures collected by hand',
      make: (work) =>
        middy<KinesisStreamEvent, BatchResponse>()
          .use(eventNormalizer())
          .handler(async (event) => {
            const batchItemFailures: BatchResponse['batchItemFailures'] = []
            for (const record of event.Records) {
              try {
                const parsed = Payload.safeParse(record.kinesis.data)
                if (!parsed.success) throw parsed.error
                await work(parsed.data)
              } catch {
                batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
              }
            }
            return { batchItemFailures }
          }) as unknown as Handler<KinesisStreamEvent>,
    },
  ],
}
