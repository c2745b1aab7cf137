import { afterEach, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler } from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'

// The quickstart's handler, built without a logger: the default one.
const handler = kinesisHandler(z.object({ orderId: z.string() }), (order, meta) => {
  meta.logger.debug(`debugging ${order.orderId}`)
  meta.logger.info(`order ${order.orderId}`)
})

/** The JSON lines the default logger writes on stdout and stderr while the handler runs once, as `stream level message`. */
async function linesOf(env: Record<string, string | undefined>): Promise<string[]> {
  for (const [name, value] of Object.entries({
    AWS_LAMBDA_FUNCTION_NAME: undefined,
    AWS_LAMBDA_LOG_LEVEL: undefined,
    LOG_LEVEL: undefined,
    ...env,
  }))
    vi.stubEnv(name, value)
  const lines: string[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    vi.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      const line = JSON.parse(String(chunk)) as { level: string; message: string }
      lines.push(`${stream} ${line.level} ${line.message.replace(/\d{20,}/, 'N')}`)
      return true
    })
  }
  await handler(kinesisEvent([{ orderId: 'o-1' }, raw('oops')]), lambdaContext())
  vi.restoreAllMocks()
  return lines
}

afterEach(() => {
  vi.unstubAllEnvs()
})

it('on Lambda (AWS_LAMBDA_FUNCTION_NAME set) the default logger writes INFO and above: the quickstart line shows', async () => {
  expect(await linesOf({ AWS_LAMBDA_FUNCTION_NAME: 'orders' })).toEqual([
    'stdout INFO order o-1',
    expect.stringMatching(/^stderr WARN Invalid record N, reported for retry: The data is not valid JSON/),
    'stdout INFO Batch of 2 records: 1 succeeded, 0 failed, 1 invalid, 0 skipped after a failure, 0 cut by the deadline; 1 reported for retry.',
  ])
})

it('elsewhere it writes WARN and above, so that unit tests and tools print only what went wrong', async () => {
  expect(await linesOf({})).toEqual([expect.stringMatching(/^stderr WARN Invalid record N/)])
})

it('follows AWS_LAMBDA_LOG_LEVEL, then LOG_LEVEL, in any case; a value that is not a level counts as unset', async () => {
  expect(await linesOf({ LOG_LEVEL: 'debug' })).toEqual([
    'stdout DEBUG debugging o-1',
    'stdout INFO order o-1',
    expect.stringMatching(/^stderr WARN/),
    expect.stringMatching(/^stdout INFO Batch of 2 records/),
  ])
  expect(await linesOf({ AWS_LAMBDA_LOG_LEVEL: 'ERROR', LOG_LEVEL: 'DEBUG', AWS_LAMBDA_FUNCTION_NAME: 'orders' })).toEqual([])
  expect(await linesOf({ LOG_LEVEL: 'SILENT', AWS_LAMBDA_FUNCTION_NAME: 'orders' })).toEqual([])
  expect(await linesOf({ LOG_LEVEL: 'loud', AWS_LAMBDA_FUNCTION_NAME: 'orders' })).toHaveLength(3)
})

it('never fails a record for what it logs: a bigint is written as its digits, an unwritable field gives way to a note', async () => {
  vi.stubEnv('LOG_LEVEL', 'INFO')
  const written: Record<string, unknown>[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(JSON.parse(String(chunk)) as Record<string, unknown>)
    return true
  })
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  const logging = dynamodbHandler(z.object({ id: z.string(), views: z.bigint() }), (change, meta) => {
    if (change.eventName !== 'INSERT') return
    meta.logger.info('change', { views: change.newImage.views })
    meta.logger.info('cyclic', cyclic)
    meta.logger.info('getter', {
      get broken(): never {
        throw new Error('no')
      },
    })
  })
  const event = dynamodbEvent([insert(attributeValues({ id: { S: 'a' }, views: { N: '9007199254740993' } }))], { keys: ['id'] })
  const response = await logging(event, lambdaContext())
  vi.restoreAllMocks()
  expect(response).toEqual({ batchItemFailures: [] })
  const byMessage = Object.fromEntries(written.map((line) => [line.message, line]))
  expect(byMessage.change).toEqual({ level: 'INFO', message: 'change', views: '9007199254740993' })
  expect(byMessage.cyclic).toMatchObject({ level: 'INFO', message: 'cyclic', logError: expect.stringContaining('could not be written') })
  expect(byMessage.getter).toMatchObject({ level: 'INFO', message: 'getter', logError: expect.stringContaining('could not be written') })
})
