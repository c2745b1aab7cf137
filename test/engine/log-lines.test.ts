import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, logContext, sqsHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'

/** The raw lines the default logger writes while `run` runs, without the batch summary. */
async function written(run: () => Promise<unknown>): Promise<string[]> {
  vi.stubEnv('LOG_LEVEL', 'INFO')
  const lines: string[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
  }
  try {
    await run()
  } finally {
    vi.restoreAllMocks()
  }
  return lines.filter((l) => !l.includes('"message":"Batch of'))
}
const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>)

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('the default logger: identifiers, level and message always win', () => {
  it('an extra with a toJSON cannot rewrite the line', async () => {
    const handler = kinesisHandler(z.unknown(), (_p, meta) => {
      meta.logger.info('paid', { toJSON: () => ({ level: 'DEBUG', message: 'all good' }), amount: 5 })
    })
    const [line] = parsed(await written(() => handler(kinesisEvent([1]), lambdaContext())))
    expect(line).toEqual({ level: 'INFO', message: 'paid', amount: 5 })
  })

  it("under logContext, a call's extras named like the record's identifiers do not overwrite them", async () => {
    const spoof = { shardId: 'x', sequenceNumber: '1', partitionKey: 'p', messageId: 'm', messageGroupId: 'g', amount: 5 }
    const kinesis = kinesisHandler(z.unknown())
      .use(logContext())
      .handle((_p, meta) => meta.logger.info('paid', spoof))
    const event = kinesisEvent([1])
    const [k] = parsed(await written(() => kinesis(event, lambdaContext())))
    expect(k).toMatchObject({
      level: 'INFO',
      message: 'paid',
      shardId: 'shardId-000000000000',
      sequenceNumber: event.Records[0]!.kinesis.sequenceNumber,
      partitionKey: event.Records[0]!.kinesis.partitionKey,
      amount: 5,
    })
    const sqs = sqsHandler(z.unknown())
      .use(logContext())
      .handle((_p, meta) => meta.logger.info('paid', spoof))
    const queued = sqsEvent([1])
    const [s] = parsed(await written(() => sqs(queued, lambdaContext())))
    expect(s).toMatchObject({ message: 'paid', messageId: queued.Records[0]!.messageId, amount: 5 })
  })
})

describe('the default logger: a line is at most 16 KB', () => {
  it("a failed record's 100 KB error message is written once, cut, with the record's identifier", async () => {
    const handler = kinesisHandler({ schema: z.unknown(), allFailed: 'report' }, () => {
      throw new Error(`MARK${'x'.repeat(100_000)}`)
    })
    const event = kinesisEvent([1])
    const id = event.Records[0]!.kinesis.sequenceNumber
    const lines = await written(() => handler(event, lambdaContext()))
    const failed = lines.find((l) => l.includes('failed: MARK'))
    expect(failed).toBeDefined()
    expect(Buffer.byteLength(failed!)).toBeLessThanOrEqual(16 * 1024)
    // Once, in the line's message: not again as the error's message, nor in the stack (its frames only).
    expect(failed!.split('MARK')).toHaveLength(2)
    const line = JSON.parse(failed!) as { message: string; recordId: string; error: Record<string, unknown> }
    expect(line.message.startsWith(`Record ${id} failed: MARKxxx`)).toBe(true)
    expect(line.message).toMatch(/x…\(cut: \d+ characters\)$/)
    expect(line).toMatchObject({ level: 'ERROR', recordId: id, error: { name: 'Error', stack: expect.stringMatching(/^ {4}at /) } })
    expect(line.error).not.toHaveProperty('message')
    for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(16 * 1024)
  })

  it("an error's message the line does not already say is kept in the error", async () => {
    const handler = kinesisHandler(z.unknown(), (_p, meta) => {
      meta.logger.error('could not pay', { error: new Error('card declined') })
      meta.logger.error('could not pay: card declined', { error: new Error('card declined') })
    })
    const [kept, said] = parsed(await written(() => handler(kinesisEvent([1]), lambdaContext())))
    expect(kept).toMatchObject({ message: 'could not pay', error: { name: 'Error', message: 'card declined' } })
    expect(said).toMatchObject({ message: 'could not pay: card declined', error: { name: 'Error' } })
    expect(said!.error).not.toHaveProperty('message')
  })

  it('large fields are cut, and the largest left out and named, so the line fits', async () => {
    const handler = kinesisHandler(z.unknown(), (_p, meta) => {
      const big = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'y'.repeat(5_000)]))
      meta.logger.info('big', { id: 'keep-me', ...big }, { nested: { deep: Array.from({ length: 5_000 }, () => 'z') } })
    })
    const [line] = await written(() => handler(kinesisEvent([1]), lambdaContext()))
    expect(Buffer.byteLength(line!)).toBeLessThanOrEqual(16 * 1024)
    const fields = JSON.parse(line!) as Record<string, unknown>
    expect(fields).toMatchObject({ level: 'INFO', message: 'big', id: 'keep-me' })
    expect(fields.logError).toMatch(/^Left out, since the line would pass 16384 bytes: nested, /)
  })
})
