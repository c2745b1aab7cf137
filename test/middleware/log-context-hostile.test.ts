// logContext and the default logger with keys that collide, values that cannot be written, loggers
// that throw, and KPL user records that share a sequence number: a log line never names the wrong
// record, never loses the record's identifiers, and never fails the record.
import { afterEach, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, type RecordLogger, logContext, sqsHandler } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Message = z.object({ messageId: z.string(), message: z.string() })

/** The JSON lines the default logger writes on stdout while `run` runs, without the batch summary. */
async function defaultLoggerLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  vi.stubEnv('LOG_LEVEL', 'INFO')
  const lines: Record<string, unknown>[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    lines.push(JSON.parse(String(chunk)) as Record<string, unknown>)
    return true
  })
  await run()
  vi.restoreAllMocks()
  return lines.filter((l) => !String(l.message).startsWith('Batch of'))
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

it("keeps the record's identifiers over keys of the same name, and the line's level and message over fields of those names", async () => {
  const handler = sqsHandler({ schema: Message })
    .use(logContext({ keys: (p) => ({ messageId: p.messageId, message: p.message, level: 'ERROR', orderOf: p.messageId }) }))
    .handle((_p, meta) => meta.logger.info('order received'))
  const event = sqsEvent([{ messageId: 'biz-42', message: 'hello' }])
  const [line] = await defaultLoggerLines(() => handler(event, lambdaContext()))
  expect(line).toEqual({ level: 'INFO', message: 'order received', messageId: event.Records[0]!.messageId, orderOf: 'biz-42' })
})

it('keeps the identifiers and every writable field when one field cannot be written, and names the one left out', async () => {
  const handler = sqsHandler({ schema: Message })
    .use(logContext({ keys: (p) => ({ orderOf: p.messageId }) }))
    .handle((_p, meta) => {
      const response: Record<string, unknown> = { status: 500 }
      response.request = { response }
      meta.logger.info('downstream failed', { status: 500, response })
    })
  const event = sqsEvent([{ messageId: 'biz-42', message: 'hello' }])
  const [line] = await defaultLoggerLines(() => handler(event, lambdaContext()))
  expect(line).toEqual({
    level: 'INFO',
    message: 'downstream failed',
    orderOf: 'biz-42',
    messageId: event.Records[0]!.messageId,
    status: 500,
    logError: 'Left out, since they could not be written as JSON (a cycle, or a getter that throws): response.',
  })
})

it('never fails a record because its logger throws', async () => {
  const throwing: RecordLogger = {
    debug: () => {},
    info: () => {
      throw new Error('cannot write that key')
    },
    warn: () => {},
    error: () => {},
  }
  const handler = sqsHandler({ schema: Message, logger: throwing })
    .use(logContext())
    .handle((_p, meta) => meta.logger.info('order received'))
  const report = await handler.process(sqsEvent([{ messageId: 'b', message: 'm' }]), lambdaContext())
  expect(report.outcomes.map((o) => o.status)).toEqual(['ok'])
})

it('fails the record, with a reason and no unhandled rejection, when keys returns something other than an object', async () => {
  const rejections: unknown[] = []
  const onRejection = (e: unknown): void => void rejections.push(e)
  process.on('unhandledRejection', onRejection)
  try {
    for (const [keys, said] of [
      [() => Promise.reject(new Error('later')), 'a promise (keys must be synchronous)'],
      [(p: { message: string }) => p.message, 'a string'],
      [() => null, 'null'],
      [() => ['a'], 'an array'],
    ] as const) {
      const handler = sqsHandler({ schema: Message, allFailed: 'report' })
        .use(logContext({ keys: keys as never }))
        .handle(() => {})
      const report = await handler.process(sqsEvent([{ messageId: 'b', message: 'secret text' }]), lambdaContext())
      const [outcome] = report.outcomes
      expect(outcome?.status === 'failed' && outcome.reason.message).toBe(
        `logContext: \`keys\` must return an object of log keys; it returned ${said}.`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 10))
  } finally {
    process.off('unhandledRejection', onRejection)
  }
  expect(rejections).toEqual([])
})

it('writes the whole line, with no note, when a field that threw once can be written the second time', async () => {
  let reads = 0
  const flaky = {
    get total(): number {
      if (++reads === 1) throw new Error('not yet')
      return 5
    },
  }
  const handler = sqsHandler({ schema: Message }).handle((_p, meta) => meta.logger.info('flaky', flaky))
  const [line] = await defaultLoggerLines(() => handler(sqsEvent([{ messageId: 'b', message: 'm' }]), lambdaContext()))
  expect(line).toEqual({ level: 'INFO', message: 'flaky', total: 5 })
})

it('tells the user records of one KPL aggregate apart: they share a sequence number, not a subSequenceNumber', async () => {
  const Order = z.object({ orderId: z.string() })
  const logger = memoryLogger()
  const handler = kinesisHandler({ schema: Order, logger })
    .use(logContext())
    .handle((order, meta) => meta.logger.info(`order ${order.orderId}`))
  await handler(kinesisEvent([kplAggregate([{ orderId: 'a' }, { orderId: 'b' }], { schema: Order }), { orderId: 'c' }], { schema: Order }))
  const ids = logger.lines
    .filter((l) => l.message.startsWith('order '))
    .map((l) => {
      const { sequenceNumber, subSequenceNumber } = l.extra[0] as { sequenceNumber: string; subSequenceNumber?: number }
      return [l.message, sequenceNumber.length > 0, subSequenceNumber]
    })
  expect(ids).toEqual([
    ['order a', true, 0],
    ['order b', true, 1],
    ['order c', true, undefined],
  ])
})
