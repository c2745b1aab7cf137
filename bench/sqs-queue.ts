// SQS contenders (a standard queue; bench/sqs-fifo.ts measures FIFO). Every one parses the JSON
// body, validates it with the same zod schema, calls the record function, and reports each
// invalid message by its message id.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import middy from '@middy/core'
import eventNormalizer from '@middy/event-normalizer'
import sqsPartialBatchFailure from '@middy/sqs-partial-batch-failure'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { sqsEvent } from 'lambda-stream-handlers/testing'
import type { BatchResponse, Handler, Workload } from './harness.js'
import { Payload, payloads } from './payload.js'

export const sqs: Workload<SQSEvent> = {
  source: 'sqs',
  // Every message carries two message attributes, as producers that tag messages send them.
  makeEvent: (n) => sqsEvent(payloads(n) as never[], { messageAttributes: { tenant: 'acme', version: 3 } }),
  contenders: [
    {
      name: 'floor',
      what: 'hand-written loop: JSON.parse of the body, zod safeParse, await the record function, failures collected',
      make: (work) => async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          try {
            const parsed = Payload.safeParse(JSON.parse(record.body))
            if (!parsed.success) throw parsed.error
            await work(parsed.data)
          } catch {
            batchItemFailures.push({ itemIdentifier: record.messageId })
          }
        }
        return { batchItemFailures }
      },
    },
    {
      name: 'lambda-stream-handlers',
      what: "sqsHandler(Payload, fn) with ordering 'unordered', concurrency 1 (the floor's sequential loop), silentLogger",
      make: (work) => {
        const handler = sqsHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'lambda-stream-handlers c10',
      what: 'the same with the default concurrency (10 records in flight)',
      make: (work) => {
        const handler = sqsHandler({ schema: Payload, ordering: 'unordered', logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'powertools',
      what: 'Powertools BatchProcessor + processPartialResponse; the record handler runs Payload.parse on the parsed body',
      make: (work) => {
        const processor = new BatchProcessor(EventType.SQS)
        const recordHandler = async (record: SQSRecord): Promise<void> => {
          await work(Payload.parse(JSON.parse(record.body)))
        }
        return (event, context) => processPartialResponse(event, recordHandler, processor, { context }) as Promise<BatchResponse>
      },
    },
    {
      name: 'middy',
      what: '@middy/core + @middy/event-normalizer (parses bodies in place); the handler loops, safeParse, failures collected by hand',
      make: (work) =>
        middy<SQSEvent, BatchResponse>()
          .use(eventNormalizer())
          .handler(async (event) => {
            const batchItemFailures: BatchResponse['batchItemFailures'] = []
            for (const record of event.Records) {
              try {
                const parsed = Payload.safeParse(record.body)
                if (!parsed.success) throw parsed.error
                await work(parsed.data)
              } catch {
                batchItemFailures.push({ itemIdentifier: record.messageId })
              }
            }
            return { batchItemFailures }
          }) as unknown as Handler<SQSEvent>,
    },
    {
      name: 'middy-partial',
      what: "Middy's documented SQS pattern: @middy/core + event-normalizer + @middy/sqs-partial-batch-failure (its logger a no-op); the handler returns Promise.allSettled over the records, safeParse in each",
      make: (work) =>
        middy<SQSEvent, PromiseSettledResult<void>[]>()
          .use(eventNormalizer())
          .use(sqsPartialBatchFailure({ logger: () => {} }))
          .handler(async (event) =>
            Promise.allSettled(
              event.Records.map(async (record) => {
                const parsed = Payload.safeParse(record.body)
                if (!parsed.success) throw parsed.error
                await work(parsed.data)
              }),
            ),
          ) as unknown as Handler<SQSEvent>,
    },
  ],
}
