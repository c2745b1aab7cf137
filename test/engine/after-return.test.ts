import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, sqsHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
// 100 ms left and a 50 ms margin: the handler stops waiting about 50 ms in.
const shortContext = () => lambdaContext({ timeoutMs: 100 })

describe('after the handler returned, nothing of that invocation runs a user callback or logs', () => {
  it('a record abandoned during an async schema parse: onInvalid is never called and nothing is logged when the parse ends', async () => {
    const logger = memoryLogger()
    const handedOff: string[] = []
    const Slow = z.object({ n: z.number() }).refine(async () => {
      await sleep(150)
      return false
    })
    const handler = kinesisHandler({ schema: Slow, logger, deadlineMarginMs: 50, onInvalid: ({ id }) => void handedOff.push(id) }, () => {})
    const report = await handler.process(kinesisEvent([{ n: 1 }]), shortContext())
    expect(report.outcomes.map((o) => `${o.status}:${'reason' in o ? o.reason.kind : ''}`)).toEqual(['failed:deadline'])
    const linesAtReturn = logger.lines.length
    await sleep(250)
    expect(handedOff).toEqual([])
    expect(logger.lines.slice(linesAtReturn)).toEqual([])
  })

  it('an async onInvalid still running at the deadline logs nothing when it fails later', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler(
      {
        schema: z.number(),
        logger,
        deadlineMarginMs: 50,
        onInvalid: async () => {
          await sleep(150)
          throw new Error('dead-letter store down')
        },
      },
      () => {},
    )
    await handler.process(kinesisEvent(['not a number']), shortContext())
    const linesAtReturn = logger.lines.length
    await sleep(250)
    expect(logger.lines.slice(linesAtReturn)).toEqual([])
  })

  it('an SQS function that reads a broken lazy field after the deadline: no onInvalid, no log line', async () => {
    const logger = memoryLogger()
    const handedOff: string[] = []
    const handler = sqsHandler(
      { schema: z.unknown(), logger, deadlineMarginMs: 50, onInvalid: ({ id }) => void handedOff.push(id) },
      async (_body, meta) => {
        await sleep(150)
        return meta.sentAt // broken: read after the handler returned
      },
    )
    const event = sqsEvent([{ a: 1 }])
    ;(event.Records[0]!.attributes as unknown as Record<string, unknown>).SentTimestamp = 'never'
    const report = await handler.process(event, shortContext())
    expect(report.outcomes[0]?.status).toBe('failed')
    const linesAtReturn = logger.lines.length
    await sleep(250)
    expect(handedOff).toEqual([])
    expect(logger.lines.slice(linesAtReturn)).toEqual([])
  })

  it('a record function that throws after the deadline logs no "Record … failed" line (its own lines are its own)', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: z.number(), logger, deadlineMarginMs: 50 }, async (_n, meta) => {
      await sleep(150)
      meta.logger.info('still here')
      throw new Error('too late')
    })
    await handler.process(kinesisEvent([1]), shortContext())
    const linesAtReturn = logger.lines.length
    await sleep(250)
    expect(logger.lines.slice(linesAtReturn).map((l) => l.message)).toEqual(['still here'])
  })
})
