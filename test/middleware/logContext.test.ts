import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kinesisHandler, logContext, summarize } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler as exampleHandler } from '../../examples/middleware/logging.js'
import { memoryLogger } from '../helpers.js'

const Order = z.object({ orderId: z.string(), total: z.number() })

/** The JSON lines a Powertools Logger writes while `run` runs. */
async function powertoolsLines(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = []
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk))
    return true
  })
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    written.push(String(chunk))
    return true
  })
  try {
    await run()
  } finally {
    spy.mockRestore()
    errSpy.mockRestore()
  }
  return written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('logContext with a Powertools Logger', () => {
  it("puts each record's identifiers and keys on its lines, and one summary line per batch", async () => {
    const event = kinesisEvent(
      [{ orderId: 'o-1', total: 5 }, { orderId: 'o-2', total: 20_000 }, raw('not json'), { orderId: 'o-3', total: 7 }],
      { schema: Order, shardId: 'shardId-000000000007', partitionKey: (_p, i) => `pk-${i}` },
    )
    const seq = event.Records.map((r) => r.kinesis.sequenceNumber)
    const lines = await powertoolsLines(() => exampleHandler.process(event, lambdaContext()))
    const received = lines.filter((l) => l.message === 'order received')
    expect(received).toEqual([
      expect.objectContaining({
        level: 'INFO',
        service: 'orders',
        shardId: 'shardId-000000000007',
        sequenceNumber: seq[0],
        partitionKey: 'pk-0',
        orderId: 'o-1',
        total: 5,
      }),
    ])
    // In order, the failed o-2 stops the batch: the invalid record and o-3 are not started.
    const summary = lines.filter((l) => typeof l.message === 'string' && l.message.startsWith('Batch of'))
    expect(summary).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message:
          'Batch of 4 records: 1 succeeded, 1 failed, 0 invalid, 2 skipped after a failure, 0 cut by the deadline; 3 reported for retry.',
        batch: { records: 4, succeeded: 1, failed: 1, invalid: 0, skipped: 2, deadline: 0, reported: 3 },
      }),
    ])
  })

  it('keeps the keys of concurrent records apart', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Order, logger, ordering: 'per-key', concurrency: 4 })
      .use(logContext({ keys: (order) => ({ orderId: order.orderId }) }))
      .handle(async (order, meta) => {
        await new Promise((resolve) => setTimeout(resolve, order.total))
        meta.logger.warn('done')
      })
    const event = kinesisEvent(
      [
        { orderId: 'slow', total: 20 },
        { orderId: 'fast', total: 1 },
      ],
      { schema: Order, partitionKey: (p) => String((p as { orderId: string }).orderId) },
    )
    await handler(event, lambdaContext())
    const done = logger.lines.filter((l) => l.message === 'done').map((l) => l.extra[0])
    expect(done).toEqual([
      { shardId: 'shardId-000000000000', sequenceNumber: event.Records[1]!.kinesis.sequenceNumber, partitionKey: 'fast', orderId: 'fast' },
      { shardId: 'shardId-000000000000', sequenceNumber: event.Records[0]!.kinesis.sequenceNumber, partitionKey: 'slow', orderId: 'slow' },
    ])
  })

  it('counts the deadline cut and invalid records in the summary', async () => {
    const logger = memoryLogger()
    let now = 0
    const context = lambdaContext({ timeoutMs: 3000, now: () => now })
    const handler = kinesisHandler({ schema: Order, logger, onInvalid: 'skip' }, () => {
      now += 1000
    })
    const report = await handler.process(
      kinesisEvent([
        { orderId: 'a', total: 1 },
        raw('x'),
        { orderId: 'b', total: 1 },
        { orderId: 'c', total: 1 },
        { orderId: 'd', total: 1 },
      ]),
      context,
    )
    expect(summarize(report.outcomes)).toEqual({ records: 5, succeeded: 3, failed: 0, invalid: 1, skipped: 0, deadline: 1, reported: 1 })
    expect(logger.lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([
      'Batch of 5 records: 3 succeeded, 0 failed, 1 invalid, 0 skipped after a failure, 1 cut by the deadline; 1 reported for retry.',
    ])
  })

  it('checks its options when the handler is built', () => {
    expect(() => logContext({ keys: 'orderId' } as never)).toThrow(ConfigurationError)
    expect(() => logContext({ fields: [] } as never)).toThrow('logContext: unknown option `fields`; the only option is `keys`.')
  })
})
