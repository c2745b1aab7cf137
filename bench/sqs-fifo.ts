// SQS FIFO contenders. Every one parses the JSON body, validates it with the same zod schema,
// calls the record function, and reports failures by message id under the FIFO rule (fact 56):
// a failed message and every later message of its group are reported, the later ones without
// running, while the other groups go on.
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch'
import middy from '@middy/core'
import eventNormalizer from '@middy/event-normalizer'
import type { SQSEvent, SQSRecord } from 'aws-lambda'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { sqsEvent } from 'lambda-stream-handlers/testing'
import type { BatchResponse, Handler, Workload } from './harness.js'
import { Payload, payloads } from './payload.js'

/** Message groups of the event: message i is in group `g${i % GROUPS}`, round robin. */
const GROUPS = 10

export const sqsFifo: Workload<SQSEvent> = {
  source: 'sqs-fifo',
  // As the standard-queue row: two message attributes on every message. The invalid payloads are
  // every 100th (i = 99, 199, ...), so with 10 round-robin groups they all fall in group g9: from
  // i = 99 on, g9 stops (1 message reported at N = 100, 91 at N = 1,000, 991 at N = 10,000) and
  // the nine other groups run to the end.
  makeEvent: (n) =>
    sqsEvent(payloads(n) as never[], {
      messageGroupId: (_body, i) => `g${i % GROUPS}`,
      messageAttributes: { tenant: 'acme', version: 3 },
    }),
  contenders: [
    {
      name: 'floor',
      what: 'hand-written loop: JSON.parse of the body, zod safeParse, await the record function; a Set of failed groups reports their later messages without running them',
      make: (work) => async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        const failedGroups = new Set<string | undefined>()
        for (const record of event.Records) {
          const group = record.attributes.MessageGroupId
          if (failedGroups.has(group)) {
            batchItemFailures.push({ itemIdentifier: record.messageId })
            continue
          }
          try {
            const parsed = Payload.safeParse(JSON.parse(record.body))
            if (!parsed.success) throw parsed.error
            await work(parsed.data)
          } catch {
            batchItemFailures.push({ itemIdentifier: record.messageId })
            failedGroups.add(group)
          }
        }
        return { batchItemFailures }
      },
    },
    {
      name: 'lambda-stream-handlers',
      what: "sqsHandler(Payload, fn), silentLogger, FIFO defaults: ordering 'per-key' (one lane per message group), concurrency 10 (all 10 groups in flight)",
      make: (work) => {
        const handler = sqsHandler({ schema: Payload, logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'lambda-stream-handlers c1',
      what: "the same with concurrency 1: one group at a time, each run to its end or first failure (sequential, as the floor's loop)",
      make: (work) => {
        const handler = sqsHandler({ schema: Payload, concurrency: 1, logger: silentLogger }, work)
        return (event, context) => handler(event, context)
      },
    },
    {
      name: 'powertools',
      what:
        'Powertools SqsFifoPartialProcessorAsync + processPartialResponse with skipGroupOnError: true (without it Powertools fails every message after the first failure, ' +
        'all groups); the record handler runs Payload.parse on the parsed body. Its sync SqsFifoPartialProcessor does not await the record function, so it is not measured',
      make: (work) => {
        const processor = new SqsFifoPartialProcessorAsync()
        const recordHandler = async (record: SQSRecord): Promise<void> => {
          await work(Payload.parse(JSON.parse(record.body)))
        }
        return (event, context) =>
          processPartialResponse(event, recordHandler, processor, { context, skipGroupOnError: true }) as Promise<BatchResponse>
      },
    },
    {
      name: 'middy',
      what: '@middy/core + @middy/event-normalizer (parses bodies in place); the handler loops, safeParse, a Set of failed groups, failures collected by hand',
      make: (work) =>
        middy<SQSEvent, BatchResponse>()
          .use(eventNormalizer())
          .handler(async (event) => {
            const batchItemFailures: BatchResponse['batchItemFailures'] = []
            const failedGroups = new Set<string | undefined>()
            for (const record of event.Records) {
              const group = record.attributes.MessageGroupId
              if (failedGroups.has(group)) {
                batchItemFailures.push({ itemIdentifier: record.messageId })
                continue
              }
              try {
                const parsed = Payload.safeParse(record.body)
                if (!parsed.success) throw parsed.error
                await work(parsed.data)
              } catch {
                batchItemFailures.push({ itemIdentifier: record.messageId })
                failedGroups.add(group)
              }
            }
            return { batchItemFailures }
          }) as unknown as Handler<SQSEvent>,
    },
  ],
}
