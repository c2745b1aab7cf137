import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, sqsHandler, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

// What one record's function does. Every payload carries a marker that must never reach a reason
// or a log line.
const behaviours = ['ok', 'okAsync', 'throwError', 'throwObject', 'throwRevoked', 'throwGetter', 'reject', 'never', 'invalid'] as const
type Behaviour = (typeof behaviours)[number]
const MARKER = 'SECRET-7f3a'
const Item = z.object({ n: z.number(), key: z.string(), note: z.string() })

function hostile(b: Behaviour): unknown {
  if (b === 'throwObject') return { card: MARKER }
  if (b === 'throwRevoked') {
    const { proxy, revoke } = Proxy.revocable({ card: MARKER }, {})
    revoke()
    return proxy
  }
  const e = new Error('getter')
  Object.defineProperty(e, 'message', {
    get() {
      throw new Error(MARKER)
    },
  })
  return e
}

function recordFunction(plan: readonly Behaviour[]) {
  return (item: z.infer<typeof Item>): unknown => {
    const b = plan[item.n]
    if (b === 'okAsync') return new Promise((resolve) => setImmediate(resolve))
    if (b === 'throwError') throw new Error(`failed ${item.n}`)
    if (b === 'throwObject' || b === 'throwRevoked' || b === 'throwGetter') throw hostile(b)
    if (b === 'reject') return Promise.reject(hostile('throwObject'))
    if (b === 'never') return new Promise(() => {})
    return undefined
  }
}

const batch = fc.record({
  plan: fc.array(fc.constantFrom(...behaviours), { minLength: 1, maxLength: 25 }),
  keys: fc.array(fc.constantFrom('a', 'b', 'c', '__proto__', 'constructor'), { minLength: 25, maxLength: 25 }),
  ordering: fc.constantFrom('in-order', 'per-key', 'unordered'),
  concurrency: fc.integer({ min: 1, max: 4 }),
})

function payloads(plan: readonly Behaviour[], keys: readonly string[]): unknown[] {
  return plan.map((b, n) => (b === 'invalid' ? { n: MARKER, key: keys[n], note: MARKER } : { n, key: keys[n], note: MARKER }))
}

function check(
  outcomes: readonly RecordOutcome[],
  failures: readonly { itemIdentifier: string }[],
  ids: readonly string[],
  plan: readonly Behaviour[],
  text: string,
): void {
  expect(outcomes).toHaveLength(plan.length)
  const reported = new Set(failures.map((f) => f.itemIdentifier))
  outcomes.forEach((o, i) => {
    expect(o.id).toBe(ids[i])
    // Every record ends ok or reported: nothing is lost.
    if (o.status !== 'ok') expect(reported.has(o.id)).toBe(true)
    if (plan[i] !== 'ok' && plan[i] !== 'okAsync') expect(o.status).not.toBe('ok')
  })
  expect(text).not.toContain(MARKER)
}

// 50 ms before the 1 s margin: a 'never' record is abandoned quickly.
const context = () => lambdaContext({ timeoutMs: 1_050 })

describe('fuzz: the engine under hostile record functions', () => {
  it('streams: every record ends ok or reported, the handler always returns, no payload in any reason or log line', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async ({ plan, keys, ordering, concurrency }) => {
        const logger = memoryLogger()
        const options =
          ordering === 'in-order'
            ? { schema: Item, logger, allFailed: 'report' as const }
            : { schema: Item, logger, ordering, concurrency, allFailed: 'report' as const }
        const handler = kinesisHandler(options, recordFunction(plan))
        const event = kinesisEvent(payloads(plan, keys), { partitionKey: (p) => String((p as { key: string }).key) })
        const report = await handler.process(event, context())
        const ids = event.Records.map((r) => r.kinesis.sequenceNumber)
        check(report.outcomes, report.batchItemFailures, ids, plan, JSON.stringify({ outcomes: report.outcomes, lines: logger.lines }))
        // Streams: nothing before the lowest reported record is reported unless it failed itself.
        if (ordering === 'in-order') {
          const first = report.outcomes.findIndex((o) => o.status !== 'ok')
          if (first !== -1) expect(report.outcomes.slice(first).every((o) => o.status !== 'ok')).toBe(true)
        }
      }),
      { numRuns: 40 },
    )
  }, 60_000)

  it('SQS: the same for standard queues', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async ({ plan, concurrency }) => {
        const logger = memoryLogger()
        const handler = sqsHandler({ schema: Item, logger, concurrency, allFailed: 'report' }, recordFunction(plan))
        const event = sqsEvent(payloads(plan, []).map((p, n) => ({ ...(p as object), key: `k${n}` })))
        const report = await handler.process(event, context())
        check(
          report.outcomes,
          report.batchItemFailures,
          event.Records.map((r) => r.messageId),
          plan,
          JSON.stringify({ outcomes: report.outcomes, lines: logger.lines }),
        )
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})
