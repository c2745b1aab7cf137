import type { SQSEvent } from 'aws-lambda'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { simulate, type MappingReport, type SqsSimulation } from 'lambda-stream-handlers/local'
import { raw, sqsEvent } from 'lambda-stream-handlers/testing'

const RBIF = ['ReportBatchItemFailures'] as const
const bodies = (event: SQSEvent): string[] => event.Records.map((r) => r.body)
const batches = (report: MappingReport): string[][] => report.invocations.map((i) => bodies(i.event as SQSEvent))
const sqs = (records: SqsSimulation['records'], settings: Omit<SqsSimulation, 'source' | 'records'> = {}): SqsSimulation => ({
  source: 'sqs',
  records,
  ...settings,
})
const msgs = (...names: string[]) => names.map((body) => ({ body }))

/** Reports (RBIF) the messages whose body is in `bad`. */
const reports =
  (...bad: string[]) =>
  (event: SQSEvent) => ({
    batchItemFailures: event.Records.filter((r) => bad.includes(r.body)).map((r) => ({ itemIdentifier: r.messageId })),
  })

describe('SQS', () => {
  it('fact 48: on a function error the whole batch comes back after the visibility timeout, successes included', async () => {
    let calls = 0
    const report = await simulate(
      () => {
        if (++calls === 1) throw new Error('down')
      },
      sqs(msgs('a', 'b'), { visibilityTimeoutSeconds: 30 }),
    )
    expect(batches(report)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ])
    expect(report.invocations.map((i) => i.at.slice(11, 19))).toEqual(['00:00:00', '00:00:30'])
    expect(report.outcomes.map((o) => [o.fate, o.deliveries])).toEqual([
      ['succeeded', 2],
      ['succeeded', 2],
    ])
    expect(report.costly.duplicates).toHaveLength(2)
  })

  it('§11.8: ApproximateReceiveCount grows by one per receive; the function runs exactly maxReceiveCount times, then the DLQ gets the unchanged body', async () => {
    const counts: string[] = []
    const report = await simulate(
      (event: SQSEvent) => {
        counts.push(event.Records[0]!.attributes.ApproximateReceiveCount)
        throw new Error('poison')
      },
      sqs([{ body: { order: 1 } }], { maxReceiveCount: 3, visibilityTimeoutSeconds: 10 }),
    )
    expect(counts).toEqual(['1', '2', '3'])
    expect(report.outcomes[0]).toMatchObject({ fate: 'dead-lettered', deliveries: 3 })
    expect(report.deadLetters).toEqual([{ messageId: report.outcomes[0]!.id, body: '{"order":1}', receiveCount: 3 }])
  })

  it('facts 52 and §11.8: with ReportBatchItemFailures only the reported messages come back; the rest are deleted', async () => {
    const report = await simulate(reports('b'), sqs(msgs('a', 'b', 'c'), { FunctionResponseTypes: RBIF, maxReceiveCount: 2 }))
    expect(batches(report)).toEqual([['a', 'b', 'c'], ['b']])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'dead-lettered', 'succeeded'])
  })

  it('fact 53: SQS success forms', async () => {
    for (const response of [null, undefined, {}, { batchItemFailures: [] }, { batchItemFailures: null }]) {
      const report = await simulate(() => response, sqs(msgs('a'), { FunctionResponseTypes: RBIF, maxReceiveCount: 1 }))
      expect(
        report.outcomes.map((o) => o.fate),
        JSON.stringify(response),
      ).toEqual(['succeeded'])
    }
  })

  it('fact 54: malformed responses return every message of the batch', async () => {
    for (const response of [
      { batchItemFailures: [{ foo: 'notvalid' }] },
      { batchItemFailures: [{ itemIdentifier: '' }] },
      { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] },
      'text',
    ]) {
      const report = await simulate(() => response, sqs(msgs('a', 'b'), { FunctionResponseTypes: RBIF, maxReceiveCount: 2 }))
      expect(
        report.invocations.map((i) => i.result),
        JSON.stringify(response),
      ).toEqual(['malformed-response', 'malformed-response'])
      expect(report.outcomes.map((o) => o.fate)).toEqual(['dead-lettered', 'dead-lettered'])
    }
  })

  it('fact 43 on SQS: without ReportBatchItemFailures the reported messages are deleted anyway, and the report says so', async () => {
    const report = await simulate(reports('b'), sqs(msgs('a', 'b')))
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
    expect(report.outcomes[1]!.reportedButIgnored).toBe(true)
    expect(report.costly.ignoredPartialResponses).toEqual([{ invocation: 0, ids: [report.outcomes[1]!.id] }])
  })

  it('fact 31 and §11.9: FIFO keeps order per group; a group’s retries block that group while other groups flow', async () => {
    const report = await simulate(
      (event: SQSEvent) => {
        const first = event.Records.findIndex((r) => r.body === 'g1-0')
        if (first >= 0 && Number(event.Records[first]!.attributes.ApproximateReceiveCount) < 2) {
          // Report the failure and everything after it in the batch (fact 56).
          return {
            batchItemFailures: event.Records.slice(first)
              .filter((r) => r.attributes.MessageGroupId === 'g1')
              .map((r) => ({ itemIdentifier: r.messageId })),
          }
        }
        return {}
      },
      sqs(
        [
          { body: 'g1-0', messageGroupId: 'g1' },
          { body: 'g1-1', messageGroupId: 'g1' },
          { body: 'g2-0', messageGroupId: 'g2', at: 1000 },
          { body: 'g2-1', messageGroupId: 'g2', at: 2000 },
        ],
        { fifo: true, BatchSize: 1, FunctionResponseTypes: RBIF, visibilityTimeoutSeconds: 30, durationMs: 100 },
      ),
    )
    expect(batches(report)).toEqual([['g1-0'], ['g2-0'], ['g2-1'], ['g1-0'], ['g1-1']])
    expect(report.invocations.map((i) => i.at.slice(11, 21))).toEqual([
      '00:00:00.0',
      '00:00:01.0',
      '00:00:02.0',
      '00:00:30.0',
      '00:00:30.1',
    ])
    const event = report.invocations[0]!.event as SQSEvent
    expect(event.Records[0]!.attributes).toMatchObject({ MessageGroupId: 'g1', ApproximateReceiveCount: '1' })
    expect(event.Records[0]!.eventSourceARN).toMatch(/\.fifo$/)
  })

  it('ScalingConfig.MaximumConcurrency bounds the invocations running at once', async () => {
    const report = await simulate(
      () => {},
      sqs(msgs(...'abcdefgh'.split('')), { BatchSize: 1, durationMs: 1000, ScalingConfig: { MaximumConcurrency: 3 } }),
    )
    expect(report.invocations.map((i) => i.at.slice(17, 19))).toEqual(['00', '00', '00', '01', '01', '01', '02', '02'])
  })

  it('settings: fact 50, §11.12 and fact 57 are checked before anything runs', async () => {
    await expect(simulate(() => {}, sqs([], { timeoutSeconds: 60, visibilityTimeoutSeconds: 30 }))).rejects.toThrow(
      /must not exceed the queue's visibility timeout/,
    )
    await expect(simulate(() => {}, sqs([], { BatchSize: 11 }))).rejects.toThrow(/needs `MaximumBatchingWindowInSeconds`/)
    await expect(simulate(() => {}, sqs([], { fifo: true, BatchSize: 11 }))).rejects.toThrow(/from 1 to 10/)
    await expect(simulate(() => {}, { ...sqs([]), BisectBatchOnFunctionError: true } as SqsSimulation)).rejects.toThrow(
      /stream setting with no SQS equivalent/,
    )
    await expect(simulate(() => {}, sqs([{ body: 'x' }], { fifo: true }))).rejects.toThrow(/messageGroupId/)
  })

  it('settings are checked as the stream simulator checks them: a near-miss name is suggested, a bad durationMs is refused', async () => {
    await expect(simulate(() => {}, { ...sqs([]), visibilityTimeoutSecond: 30 } as SqsSimulation)).rejects.toThrow(
      /unknown option `visibilityTimeoutSecond`.*Did you mean `visibilityTimeoutSeconds`\?/,
    )
    await expect(simulate(() => {}, sqs([], { maxReceiveCount: 0 }))).rejects.toThrow(
      'simulate: `maxReceiveCount` must be a whole number from 1 to 1000; received 0.',
    )
    await expect(simulate(() => {}, sqs(msgs('a'), { durationMs: -1 }))).rejects.toThrow(
      /`durationMs` must be a number of milliseconds, 0 or more, or a function of the event; received -1/,
    )
  })

  it('property: whatever the handler fails, every message is deleted or dead-lettered, once, and none is lost', async () => {
    const answer = fc.oneof(
      fc.constant('ok'),
      fc.constant('throw'),
      fc.constant('malformed'),
      fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 3 }),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ group: fc.constantFrom('a', 'b', 'c'), at: fc.nat({ max: 5000 }) }), { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(answer, { minLength: 1, maxLength: 10 }),
        async (list, fifo, rbif, maxReceiveCount, answers) => {
          let n = 0
          const report = await simulate(
            (event: SQSEvent) => {
              const a = answers[n++ % answers.length]!
              if (a === 'throw') throw new Error('x')
              if (a === 'malformed') return { batchItemFailures: [{ itemIdentifier: null }] }
              if (a === 'ok') return {}
              return {
                batchItemFailures: a.filter((i) => i < event.Records.length).map((i) => ({ itemIdentifier: event.Records[i]!.messageId })),
              }
            },
            sqs(
              list.map((m, i) => ({ body: `m${i}`, messageGroupId: m.group, at: m.at })),
              {
                fifo,
                maxReceiveCount,
                BatchSize: 3,
                durationMs: 200,
                visibilityTimeoutSeconds: 5,
                ...(rbif ? { FunctionResponseTypes: RBIF } : {}),
              },
            ),
          )
          expect(report.outcomes).toHaveLength(list.length)
          expect(new Set(report.outcomes.map((o) => o.id)).size).toBe(list.length)
          for (const o of report.outcomes) {
            expect(['succeeded', 'dead-lettered']).toContain(o.fate)
            expect(o.deliveries).toBeLessThanOrEqual(maxReceiveCount)
          }
          expect(report.deadLetters!.map((d) => d.messageId).sort()).toEqual(
            report.outcomes
              .filter((o) => o.fate === 'dead-lettered')
              .map((o) => o.id)
              .sort(),
          )
          if (fifo) {
            // Per group, first deliveries happen in send order.
            const firstSeen: string[] = []
            for (const inv of report.invocations)
              for (const b of bodies(inv.event as SQSEvent)) if (!firstSeen.includes(b)) firstSeen.push(b)
            for (const g of ['a', 'b', 'c']) {
              const inGroup = list.map((m, i) => ({ ...m, body: `m${i}` })).filter((m) => m.group === g)
              const sent = inGroup.sort((x, y) => x.at - y.at || Number(x.body.slice(1)) - Number(y.body.slice(1))).map((m) => m.body)
              expect(firstSeen.filter((b) => sent.includes(b))).toEqual(sent.filter((b) => firstSeen.includes(b)))
            }
          }
        },
      ),
      { numRuns: 150 },
    )
  })
})

describe('SQS with this library’s handler and test kit', () => {
  it('fact 56: a FIFO sqsHandler reports the failure and the rest of its group; the DLQ takes the poison message, the group then resumes in order', async () => {
    const Order = z.object({ orderId: z.string() })
    const handled: string[] = []
    const handler = sqsHandler({ schema: Order, logger: silentLogger }, (order) => {
      handled.push(order.orderId)
    })
    const event = sqsEvent([{ orderId: 'a-1' }, raw('poison'), { orderId: 'a-3' }, { orderId: 'b-1' }], {
      schema: Order,
      messageGroupId: (_b, i) => (i < 3 ? 'a' : 'b'),
      messageAttributes: { tenant: 'acme' },
      sentAt: new Date('2026-01-01T00:00:00Z'),
    })
    const report = await simulate(handler, {
      source: 'sqs',
      records: event,
      BatchSize: 10,
      FunctionResponseTypes: RBIF,
      maxReceiveCount: 2,
    })
    expect(report.outcomes.map((o) => [o.key, o.fate, o.deliveries])).toEqual([
      ['a', 'succeeded', 1],
      ['a', 'dead-lettered', 2],
      ['a', 'succeeded', 2], // held back while the poison message was in flight, then reported unstarted behind it once
      ['b', 'succeeded', 1],
    ])
    expect(handled).toEqual(['a-1', 'b-1', 'a-3'])
    // The test kit's record is delivered as built, with the receive fields brought up to date.
    const last = (report.invocations.at(-1)!.event as SQSEvent).Records[0]!
    expect(last.messageAttributes.tenant?.stringValue).toBe('acme')
    expect(last.attributes.ApproximateReceiveCount).toBe('2')
    expect(last.messageId).toBe(event.Records[2]!.messageId)
  })
})

it('a batch holds no more messages than fit one invocation of 6 MB, metadata included, so it can hold fewer than BatchSize (fact 16)', async () => {
  const body = 'x'.repeat(250 * 1024)
  const sizes: number[] = []
  const counts: number[] = []
  const report = await simulate(
    (event: SQSEvent) => {
      sizes.push(Buffer.byteLength(JSON.stringify(event), 'utf8'))
      counts.push(event.Records.length)
    },
    {
      source: 'sqs',
      records: Array.from({ length: 40 }, (_, i) => ({ body: `${body}${i}` })),
      BatchSize: 40,
      MaximumBatchingWindowInSeconds: 1,
    },
  )
  expect(counts.length).toBeGreaterThan(1)
  expect(counts.reduce((a, b) => a + b, 0)).toBe(40)
  for (const size of sizes) expect(size).toBeLessThanOrEqual(6 * 1024 * 1024)
  expect(report.outcomes.every((o) => o.fate === 'succeeded')).toBe(true)
})
