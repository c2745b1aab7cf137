// Promises of the engine that mutation testing (npm run mutate) found no test pinning: each test
// here fails on a mutant of src/engine/engine.ts that `stryker-equivalent.md` does not list.
import type { Context } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, MalformedEventError, sqsHandler, type RecordOutcome, type Schema } from 'lambda-stream-handlers'
import { dynamodbEvent, insert, kinesisEvent, lambdaContext, raw, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Item = z.object({ n: z.number(), key: z.string() })
type Item = z.infer<typeof Item>
const items = (keys: string[]) => keys.map((key, n) => ({ n, key }))
const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const never = new Promise<never>(() => {})

/** A context whose remaining time is whatever `left()` says. */
function clockContext(left: () => number): Context {
  return { ...lambdaContext(), getRemainingTimeInMillis: left }
}

describe('a record handed to the onInvalid function', () => {
  it('never reaches the record function, synchronously or not, and is not reported', async () => {
    for (const hand of [() => undefined, async () => undefined, () => null]) {
      const payloads: unknown[] = []
      const handed: string[] = []
      const handler = kinesisHandler(
        {
          schema: Item,
          onInvalid: (info) => {
            handed.push(info.id)
            return hand()
          },
        },
        (item) => {
          payloads.push(item)
        },
      )
      const event = kinesisEvent([raw('not json'), { n: 1, key: 'a' }, raw('{"n":"two"}')], { schema: Item })
      const report = await handler.process(event, lambdaContext())
      expect(payloads).toEqual([{ n: 1, key: 'a' }])
      expect(handed).toEqual([event.Records[0]!.kinesis.sequenceNumber, event.Records[2]!.kinesis.sequenceNumber])
      expect(report.outcomes.map((o) => [o.status, o.status === 'invalid' && o.handled])).toEqual([
        ['invalid', true],
        ['ok', false],
        ['invalid', true],
      ])
      expect(report.batchItemFailures).toEqual([])
    }
  })

  it('an onInvalid function that returns null, or an object whose then is no function, has handled the record', async () => {
    // biome-ignore lint/suspicious/noThenProperty: objects with a `then` that is no function, or a thenable that is no Promise, are the cases tested
    for (const value of [null, { then: 'soon' }, 0, '']) {
      const handler = kinesisHandler({ schema: Item, onInvalid: () => value }, () => {})
      const report = await handler.process(kinesisEvent([raw('{')]), lambdaContext())
      expect(report.outcomes[0]).toMatchObject({ status: 'invalid', handled: true, reason: { kind: 'decode' } })
      expect(report.batchItemFailures).toEqual([])
    }
  })

  it('an onInvalid function that throws or rejects leaves the record reported, the record function unrun, the reason saying both', async () => {
    for (const onInvalid of [
      () => {
        throw new Error('dead-letter store down')
      },
      () => Promise.reject(new Error('dead-letter store down')),
    ]) {
      const logger = memoryLogger()
      let ran = 0
      const handler = kinesisHandler({ schema: Item, logger, onInvalid, allFailed: 'report' }, () => {
        ran++
      })
      const event = kinesisEvent([raw('{')])
      const id = event.Records[0]!.kinesis.sequenceNumber
      const report = await handler.process(event, lambdaContext())
      expect(ran).toBe(0)
      expect(report.outcomes[0]).toEqual({
        status: 'invalid',
        id,
        index: 0,
        handled: false,
        reason: expect.objectContaining({
          kind: 'decode',
          message:
            "The data is not valid JSON: Expected property name or '}' in JSON at position 1. The onInvalid function then threw: dead-letter store down",
        }),
      })
      expect(report.batchItemFailures).toEqual([{ itemIdentifier: id }])
      const line = logger.lines.find((l) => l.level === 'error')
      expect(line?.message).toBe(`Invalid record ${id} could not be handed to onInvalid, reported for retry.`)
      expect(line?.extra[0]).toMatchObject({ recordId: id, reason: 'decode', error: { message: 'dead-letter store down' } })
    }
  })

  it("'skip' and 'fail' log the reason with the record's identifier and the failing path", async () => {
    for (const [onInvalid, words] of [
      ['skip', ", skipped (onInvalid: 'skip')"],
      ['fail', ', reported for retry'],
    ] as const) {
      const logger = memoryLogger()
      const handler = kinesisHandler({ schema: Item, logger, onInvalid, allFailed: 'report' }, () => {})
      const event = kinesisEvent([{ n: 'one', key: 'a' }])
      const id = event.Records[0]!.kinesis.sequenceNumber
      const report = await handler.process(event, lambdaContext())
      expect(report.outcomes[0]).toMatchObject({ status: 'invalid', handled: onInvalid === 'skip' })
      const line = logger.lines.find((l) => l.level === 'warn')
      expect(line?.message).toMatch(
        new RegExp(`^Invalid record ${id}${words.replace(/[()]/g, '\\$&')}: The record does not match the schema`),
      )
      expect(line?.extra).toEqual([{ recordId: id, reason: 'validation', path: 'n' }])
    }
  })
})

describe('what the record function returns', () => {
  it('null, a number, or an object whose then is not a function: the record succeeded', async () => {
    // biome-ignore lint/suspicious/noThenProperty: objects with a `then` that is no function, or a thenable that is no Promise, are the cases tested
    for (const value of [null, 0, { then: 1 }, { then: null }]) {
      const handler = kinesisHandler(Item, () => value)
      const report = await handler.process(kinesisEvent(items(['a'])), lambdaContext())
      expect(statuses(report.outcomes)).toEqual(['ok'])
    }
  })

  it('a thenable that is not a Promise is awaited: its rejection fails the record', async () => {
    // biome-ignore lint/suspicious/noThenProperty: objects with a `then` that is no function, or a thenable that is no Promise, are the cases tested
    const thenable = { then: (_ok: () => void, fail: (e: unknown) => void) => fail(new Error('custom thenable failed')) }
    const handler = kinesisHandler({ schema: Item, allFailed: 'report' }, () => thenable)
    const report = await handler.process(kinesisEvent(items(['a'])), lambdaContext())
    expect(report.outcomes[0]).toMatchObject({ status: 'failed', reason: { kind: 'handler', message: 'custom thenable failed' } })
  })
})

describe('deadlineMarginMs: 0 and no context: nothing is cut by time', () => {
  it('with a margin of 0, a record that outlives the function timeout still finishes, and later records start', async () => {
    const ran: number[] = []
    const handler = kinesisHandler({ schema: Item, deadlineMarginMs: 0 }, async (item) => {
      ran.push(item.n)
      await sleep(40)
    })
    // 10 ms left at entry: the first record alone takes four times that.
    const report = await handler.process(kinesisEvent(items(['a', 'b'])), lambdaContext({ timeoutMs: 10 }))
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok'])
    expect(ran).toEqual([0, 1])
  })

  it('with the default margin, the same context does cut the batch (the test above can fail)', async () => {
    const handler = kinesisHandler({ schema: Item }, async () => {
      await sleep(40)
    })
    const report = await handler.process(kinesisEvent(items(['a', 'b'])), lambdaContext({ timeoutMs: 10 }))
    expect(report.outcomes.some((o) => o.status !== 'ok' && o.reason.kind === 'deadline')).toBe(true)
  })

  it('without a context, a slow batch runs to its end, and meta.context is undefined', async () => {
    const contexts: unknown[] = []
    const handler = kinesisHandler({ schema: Item, deadlineMarginMs: 5_000 }, async (_item, meta) => {
      contexts.push(meta.context)
      await sleep(20)
    })
    const report = await handler.process(kinesisEvent(items(['a', 'b', 'c'])))
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'ok'])
    expect(contexts).toEqual([undefined, undefined, undefined])
  })

  it('a context that has no getRemainingTimeInMillis, or one that throws, means no deadline', async () => {
    const broken = [
      { ...lambdaContext(), getRemainingTimeInMillis: undefined } as unknown as Context,
      clockContext(() => {
        throw new Error('no clock')
      }),
      clockContext(() => '100' as unknown as number),
    ]
    for (const context of broken) {
      const handler = kinesisHandler({ schema: Item, deadlineMarginMs: 5_000 }, () => sleep(5))
      const report = await handler.process(kinesisEvent(items(['a', 'b'])), context)
      expect(statuses(report.outcomes)).toEqual(['ok', 'ok'])
    }
  })
})

describe("'per-key' on a stream: the cut stays at the earliest failure", () => {
  it('a later failure of a higher record does not let a record after the earlier failure start', async () => {
    const ran: number[] = []
    // Lanes: a = [0, 2], b = [1], c = [3]. Record 1 fails first (cut at 1); record 3, already
    // running, fails next; record 0 then finishes and its lane's next record, 2, is after the cut.
    const handler = kinesisHandler({ schema: Item, ordering: 'per-key', concurrency: 3, allFailed: 'report' }, async (item) => {
      ran.push(item.n)
      if (item.n === 0) await sleep(60)
      if (item.n === 1) {
        await sleep(5)
        throw new Error('one failed')
      }
      if (item.n === 3) {
        await sleep(25)
        throw new Error('three failed')
      }
    })
    const event = kinesisEvent(items(['a', 'b', 'a', 'c']), { schema: Item, partitionKey: (p) => (p as Item).key })
    const report = await handler.process(event, lambdaContext())
    expect(ran.sort()).toEqual([0, 1, 3])
    expect(statuses(report.outcomes)).toEqual(['ok', 'failed:handler', 'skipped:after-failure', 'failed:handler'])
  })

  it('SQS FIFO stops only the failed message group, whatever its position', async () => {
    const ran: number[] = []
    const handler = sqsHandler({ schema: Item, allFailed: 'report' }, (item) => {
      ran.push(item.n)
      if (item.n === 0) throw new Error('first group fails')
    })
    const event = sqsEvent(items(['g1', 'g2', 'g1', 'g2']), { schema: Item, fifo: true, messageGroupId: (p) => (p as Item).key })
    const report = await handler.process(event, lambdaContext())
    expect(ran).toEqual([0, 1, 3])
    expect(statuses(report.outcomes)).toEqual(['failed:handler', 'ok', 'skipped:after-failure', 'ok'])
  })
})

describe("the deadline watch's lifecycle", () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

  it('leaves no timer behind once the handler returned (Lambda waits for an empty event loop)', async () => {
    const before = timers()
    const handler = kinesisHandler(Item, () => {})
    await handler.process(kinesisEvent(items(['a', 'b'])), lambdaContext({ timeoutMs: 60_000 }))
    expect(timers()).toBe(before)
  })

  it('a remaining time beyond what a timer holds (24.8 days) sets no overflowing timer', async () => {
    const warnings: Error[] = []
    const listen = (w: Error) => warnings.push(w)
    process.on('warning', listen)
    try {
      const handler = kinesisHandler(Item, () => sleep(15))
      const report = await handler.process(
        kinesisEvent(items(['a'])),
        clockContext(() => 2 ** 32),
      )
      expect(statuses(report.outcomes)).toEqual(['ok'])
      await sleep(5)
    } finally {
      process.off('warning', listen)
    }
    expect(warnings.map((w) => w.name)).not.toContain('TimeoutOverflowWarning')
  })

  it('a remaining time exactly at the margin starts nothing more and abandons what runs at once', async () => {
    // 2 s left at entry, then exactly the margin: the first record starts (it is not under the
    // margin), and the watch, finding no time left above the margin, abandons it without a timer.
    let calls = 0
    const clock = () => (calls++ === 0 ? 2_000 : 500)
    const handler = kinesisHandler({ schema: Item, deadlineMarginMs: 500 }, () => never)
    const started = Date.now()
    const report = await handler.process(kinesisEvent(items(['a', 'b'])), clockContext(clock))
    expect(statuses(report.outcomes)).toEqual(['failed:deadline', 'skipped:deadline'])
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('the watch asks the clock again when its timer fires, and stops at the margin', async () => {
    let left = 200
    const handler = kinesisHandler({ schema: Item, deadlineMarginMs: 100 }, () => never)
    // The timer is set for 100 ms; meanwhile the (test's) clock jumps past the margin.
    setTimeout(() => (left = 90), 20)
    const report = await handler.process(
      kinesisEvent(items(['a'])),
      clockContext(() => left),
    )
    expect(statuses(report.outcomes)).toEqual(['failed:deadline'])
  })

  it('a clock that says NaN means no deadline: the batch runs to its end', async () => {
    for (const clock of [
      () => Number.NaN,
      (() => {
        let calls = 0
        return () => (calls++ === 0 ? 30_000 : Number.NaN)
      })(),
    ]) {
      const handler = kinesisHandler(Item, () => sleep(10))
      const report = await handler.process(kinesisEvent(items(['a', 'b'])), clockContext(clock))
      expect(statuses(report.outcomes)).toEqual(['ok', 'ok'])
    }
  })

  it('an async schema that settles after the handler returned runs no record function and changes no outcome', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const Slow: Schema<unknown, Item> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: async (value) => {
          await gate
          return { value: value as Item }
        },
      },
    }
    const ran: number[] = []
    const handler = kinesisHandler({ schema: Slow, deadlineMarginMs: 1_000 }, (item) => {
      ran.push(item.n)
    })
    const report = await handler.process(kinesisEvent(items(['a', 'b'])), lambdaContext({ timeoutMs: 1_050 }))
    const before = structuredClone(report.outcomes)
    expect(statuses(before)).toEqual(['failed:deadline', 'skipped:deadline'])
    release()
    await sleep(10)
    expect(ran).toEqual([])
    expect(report.outcomes).toEqual(before)
  })

  it('a record function that settles after the handler returned changes no outcome, and nothing after it starts', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const ran: number[] = []
    const handler = kinesisHandler({ schema: Item, ordering: 'unordered', concurrency: 1 }, async (item) => {
      ran.push(item.n)
      if (item.n === 0) await gate
    })
    const report = await handler.process(kinesisEvent(items(['a', 'b'])), lambdaContext({ timeoutMs: 1_050 }))
    const before = structuredClone(report.outcomes)
    expect(statuses(before)).toEqual(['failed:deadline', 'skipped:deadline'])
    release()
    await sleep(10)
    expect(ran).toEqual([0])
    expect(report.outcomes).toEqual(before)
  })
})

describe('the words of the lines and errors a batch can end with', () => {
  it('an identifier that cannot be read a second time is a MalformedEventError naming the record', async () => {
    const event = kinesisEvent(items(['a', 'b']))
    const kinesis = event.Records[1]!.kinesis
    const sequenceNumber = kinesis.sequenceNumber
    let reads = 0
    Object.defineProperty(kinesis, 'sequenceNumber', {
      get() {
        if (reads++ > 0) throw new Error('gone')
        return sequenceNumber
      },
    })
    const error = await kinesisHandler(Item, () => {})
      .process(event, lambdaContext())
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).toBe('kinesisHandler could not read the identifier of Records[1]: gone')
  })

  it('records abandoned at the deadline: the line names 20 and counts the rest; the cut ones are counted', async () => {
    for (const running of [20, 21]) {
      const logger = memoryLogger()
      const handler = kinesisHandler(
        { schema: Item, logger, deadlineMarginMs: 1_000, ordering: 'unordered', concurrency: running },
        () => never,
      )
      const event = kinesisEvent(items(Array.from({ length: running + 2 }, (_, i) => `k${i}`)))
      const ids = event.Records.map((r) => r.kinesis.sequenceNumber)
      const report = await handler.process(event, lambdaContext({ timeoutMs: 2_050 }))
      expect(statuses(report.outcomes)).toEqual([...Array(running).fill('failed:deadline'), 'skipped:deadline', 'skipped:deadline'])
      const abandoned = logger.lines.find((l) => l.level === 'error')
      const listed = running === 20 ? ids.slice(0, 20).join(', ') : `${ids.slice(0, 20).join(', ')} and 1 more`
      expect(abandoned?.message).toBe(
        `Stopped waiting: under 1000 ms of the Lambda's time were left. ${running} records still running were abandoned and are reported for retry (their functions may still finish): ${listed}.`,
      )
      expect(abandoned?.extra).toEqual([{ abandoned: ids.slice(0, running) }])
      const cut = logger.lines.find((l) => l.level === 'warn')
      expect(cut?.message).toBe(
        "Stopped starting records: under 1000 ms of the Lambda's time were left. 2 records were not started and are reported for retry.",
      )
      expect(cut?.extra).toEqual([{ deadlineSkips: 2 }])
    }
  })
})

describe('logPayloads: the decoder’s own words, only where there are some', () => {
  it("an invalid JSON record's line carries V8's words as its detail", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger, logPayloads: true, allFailed: 'report' }, () => {})
    const event = kinesisEvent([raw('SECRET')])
    await handler.process(event, lambdaContext())
    const line = logger.lines.find((l) => l.level === 'warn')
    expect(line?.extra).toEqual([
      {
        recordId: event.Records[0]!.kinesis.sequenceNumber,
        reason: 'decode',
        detail: 'Unexpected token \'S\', "SECRET" is not valid JSON',
      },
    ])
  })

  it('a reason without an error (a DynamoDB record without its image) or a schema that throws: no detail, no crash', async () => {
    const logger = memoryLogger()
    const dynamodb = dynamodbHandler({ schema: Item, logger, logPayloads: true, allFailed: 'report' }, () => {})
    const event = dynamodbEvent([insert({ id: 'x', n: 1, key: 'a' })])
    delete (event.Records[0]!.dynamodb as { NewImage?: unknown }).NewImage
    const report = await dynamodb.process(event, lambdaContext())
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode', path: 'NewImage' } })
    expect(logger.lines.find((l) => l.level === 'warn')?.extra).toEqual([
      { recordId: report.outcomes[0]!.id, reason: 'decode', path: 'NewImage' },
    ])

    const Throws: Schema<unknown, Item> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: () => {
          throw new TypeError('validator crashed')
        },
      },
    }
    const kinesis = kinesisHandler({ schema: Throws, logger, logPayloads: true, allFailed: 'report' }, () => {})
    const thrown = await kinesis.process(kinesisEvent(items(['a'])), lambdaContext())
    expect(thrown.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'decode', message: 'validator crashed' } })
  })
})

describe('a clock that is not a number of milliseconds', () => {
  it('a bigint or a numeric string from getRemainingTimeInMillis means no deadline, not a crash', async () => {
    for (const left of [5_000n, '5000']) {
      const handler = kinesisHandler(Item, () => sleep(5))
      const report = await handler.process(
        kinesisEvent(items(['a', 'b'])),
        clockContext(() => left as never),
      )
      expect(statuses(report.outcomes)).toEqual(['ok', 'ok'])
    }
  })
})

describe("an invalid record's log line carries only the fields it has", () => {
  it('a decode failure without logPayloads: recordId and reason, no empty path or detail key', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger, allFailed: 'report' }, () => {})
    await handler.process(kinesisEvent([raw('not json')]), lambdaContext())
    const line = logger.lines.find((l) => l.level === 'warn')
    expect(Object.keys(line?.extra[0] as object)).toEqual(['recordId', 'reason'])
  })

  it('a schema failure: recordId, reason and the path', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Item, logger, allFailed: 'report' }, () => {})
    await handler.process(kinesisEvent([{ n: 'one', key: 'a' }]), lambdaContext())
    const line = logger.lines.find((l) => l.level === 'warn')
    expect(Object.keys(line?.extra[0] as object)).toEqual(['recordId', 'reason', 'path'])
  })
})
