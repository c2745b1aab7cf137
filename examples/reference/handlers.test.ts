// The TSDoc examples of the engine's exports, as runnable code (test/docs.test.ts checks that
// every TSDoc example's lines appear in a file under examples/).
import { Logger } from '@aws-lambda-powertools/logger'
import { expect, it } from 'vitest'
import * as z from 'zod'
import {
  AllRecordsFailedError,
  ConfigurationError,
  formatOutcome,
  kinesisHandler,
  MalformedEventError,
  silentLogger,
} from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw, sampleEvents } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })
const fn = (): void => {}

it('checks options when the handler is built', () => {
  const build = (): unknown => kinesisHandler({ schema: Order, ordering: 'per-key', concurrency: 0 }, fn)
  expect(build).toThrow(ConfigurationError)
})

it('refuses an event that is not a Kinesis event', async () => {
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, fn)
  const call = async (): Promise<unknown> => await handler(JSON.parse('{"records": []}'))
  await expect(call()).rejects.toThrow(MalformedEventError)
})

it('throws AllRecordsFailedError when every record failed, with each outcome', async () => {
  const failed: number[] = []
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {
    throw new Error('down')
  })
  const event = kinesisEvent([{ orderId: 'a', total: 1 }], { schema: Order })
  try {
    await handler(event)
  } catch (e) {
    if (e instanceof AllRecordsFailedError) failed.push(e.outcomes.length)
  }
  expect(failed).toEqual([1])
})

it('logs with a Powertools Logger', async () => {
  const handler = kinesisHandler({ schema: Order, logger: new Logger({ logLevel: 'SILENT' }) }, fn)
  expect(await handler(kinesisEvent([{ orderId: 'a', total: 1 }], { schema: Order }))).toEqual({ batchItemFailures: [] })
})

it('reports outcomes as data, and formats them', async () => {
  const lines: string[] = []
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, fn)
  const event = kinesisEvent([{ orderId: 'a-1', total: 10 }, raw('not json')], { schema: Order })
  const response = await handler(event, lambdaContext())
  expect(response.batchItemFailures).toHaveLength(1)
  const report = await handler.process(event)
  for (const o of report.outcomes) if (o.status !== 'ok') lines.push(formatOutcome(o))
  expect(lines).toEqual([
    `record ${event.Records[1]!.kinesis.sequenceNumber} invalid (decode): The data is not valid JSON: Unexpected token.`,
  ])
})

it('runs the AWS sample event and a controllable clock', async () => {
  const handler = kinesisHandler({ schema: z.string(), decode: 'text', logger: silentLogger }, fn)
  const sample = await handler.process(sampleEvents.kinesis())
  expect(sample.batchItemFailures).toEqual([])
  let now = 0
  const context = lambdaContext({ timeoutMs: 3000, now: () => now })
  now = 2500
  expect(context.getRemainingTimeInMillis()).toBe(500)
})
