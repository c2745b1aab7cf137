import type { Context, KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, sqsHandler, type RecordOutcome } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))
const numbers = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('a short function timeout with the default margin (deadlineMarginMs 1000)', () => {
  it('a 1-second timeout runs the records instead of reporting them all', async () => {
    const handler = kinesisHandler({ schema: z.number(), logger: memoryLogger() }, () => {})
    // Lambda's context at entry shows a little under the timeout.
    let now = 0
    const context = lambdaContext({ timeoutMs: 1000, now: () => now })
    now = 20
    const report = await handler.process(kinesisEvent(numbers(5)), context)
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
    await expect(handler(kinesisEvent(numbers(5)), lambdaContext({ timeoutMs: 1000 }))).resolves.toEqual({ batchItemFailures: [] })
  })

  it('keeps at most half the time left at entry as its margin, and says so', async () => {
    let now = 0
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: z.number(), logger }, () => void (now += 100))
    const report = await handler.process(kinesisEvent(numbers(8)), lambdaContext({ timeoutMs: 1000, now: () => now }))
    // Started with 1000, 900, ..., 500 ms left; at 400 ms (under the 500 ms margin) the rest wait.
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'skipped:deadline', 'skipped:deadline'])
    expect(logger.lines.find((l) => l.level === 'warn')?.message).toMatch(/^Stopped starting records: under 500 ms of the Lambda's time/)
  })

  it('a long timeout keeps the whole margin', async () => {
    let now = 0
    const handler = kinesisHandler({ schema: z.number(), logger: memoryLogger() }, () => void (now += 1000))
    const report = await handler.process(kinesisEvent(numbers(5)), lambdaContext({ timeoutMs: 4000, now: () => now }))
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'ok', 'ok', 'skipped:deadline'])
  })

  it('always starts the first record, even when the clock falls under the margin before it starts', async () => {
    // A clock that shows 2000 ms at entry, then 10 ms: the margin (1000) is already passed when the first record would start.
    let reads = 0
    const context = { ...lambdaContext(), getRemainingTimeInMillis: () => (reads++ === 0 ? 2000 : 10) } as Context
    const ran: number[] = []
    const handler = sqsHandler({ schema: z.number(), logger: memoryLogger(), concurrency: 1 }, (n) => void ran.push(n))
    const report = await handler.process(sqsEvent(numbers(3)), context)
    expect(ran).toEqual([0])
    expect(statuses(report.outcomes)).toEqual(['ok', 'skipped:deadline', 'skipped:deadline'])
  })
})

describe("the simulator's context loses time as Lambda's does", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  it('starts a little under the timeout and falls while the handler runs (streams and SQS)', async () => {
    const seen: number[][] = []
    const handler = async (_event: unknown, context: Context) => {
      const entry = context.getRemainingTimeInMillis()
      await sleep(60)
      seen.push([entry, context.getRemainingTimeInMillis()])
    }
    await simulate(handler as (e: KinesisStreamEvent, c: Context) => Promise<void>, {
      source: 'kinesis',
      records: [{ data: 1 }],
      timeoutSeconds: 1,
    })
    await simulate(handler as (e: SQSEvent, c: Context) => Promise<void>, { source: 'sqs', records: [{ body: 'x' }], timeoutSeconds: 1 })
    expect(seen).toHaveLength(2)
    for (const [entry, later] of seen) {
      expect(entry).toBeLessThan(1000)
      expect(entry).toBeGreaterThan(900)
      expect(later).toBeLessThanOrEqual((entry as number) - 50)
    }
  })

  it('a handler with a 1-second timeout succeeds in the simulator as on Lambda', async () => {
    const handler = kinesisHandler({ schema: z.number(), logger: memoryLogger() }, () => {})
    const report = await simulate(handler, {
      source: 'kinesis',
      records: numbers(3).map((data) => ({ data })),
      timeoutSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  })
})
