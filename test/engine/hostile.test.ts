import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, sqsHandler, type RecordLogger, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Item = z.object({ n: z.number() })
const statuses = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}`))

function hostileValues(): unknown[] {
  const messageGetter = new Error('x')
  Object.defineProperty(messageGetter, 'message', {
    get() {
      throw new Error('message getter')
    },
  })
  const stackGetter = new Error('y')
  Object.defineProperty(stackGetter, 'stack', {
    get() {
      throw new Error('stack getter')
    },
  })
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  const toJson = {
    toJSON() {
      throw new Error('toJSON')
    },
  }
  return [messageGetter, stackGetter, proxy, toJson, Symbol('s'), 10n, () => 1, null, undefined, Object.create(null)]
}

describe('hostile thrown values fail only their record', () => {
  it.each(['in-order', 'unordered'] as const)(
    '%s: every hostile value becomes a failed record with a readable reason',
    async (ordering) => {
      const values = hostileValues()
      const logger = memoryLogger()
      const handler = kinesisHandler({ schema: Item, logger, ordering, allFailed: 'report' }, (item) => {
        throw values[item.n]
      })
      const report = await handler.process(kinesisEvent(values.map((_, n) => ({ n }))))
      const expected =
        ordering === 'in-order'
          ? ['failed:handler', ...values.slice(1).map(() => 'skipped:after-failure')]
          : values.map(() => 'failed:handler')
      expect(statuses(report.outcomes)).toEqual(expected)
      for (const o of report.outcomes) if (o.status === 'failed') expect(typeof o.reason.message).toBe('string')
      // What the logger received can be turned into a log line.
      for (const line of logger.lines)
        expect(() => JSON.stringify(line.extra, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toThrow()
    },
  )

  it('a thrown object is described by its kind, never serialised into the reason', async () => {
    const handler = sqsHandler({ schema: Item, logger: memoryLogger() }, () => {
      throw { card: 'SECRET-4111' }
    })
    const report = await handler.process(sqsEvent([{ n: 1 }, { n: 2 }]), undefined).catch((e: unknown) => e)
    expect(JSON.stringify(report)).not.toContain('SECRET')
  })

  it('a logger that throws does not fail the batch', async () => {
    const explode = (): never => {
      throw new Error('logger down')
    }
    const logger: RecordLogger = { debug: explode, info: explode, warn: explode, error: explode }
    const handler = kinesisHandler({ schema: Item, logger, ordering: 'unordered', allFailed: 'report' }, (item) => {
      if (item.n === 1) throw new Error('boom')
    })
    const report = await handler.process(kinesisEvent([{ n: 0 }, { n: 1 }, 'not an item']))
    expect(statuses(report.outcomes)).toEqual(['ok', 'failed:handler', 'invalid:validation'])
  })
})

describe('identifiers are read before any record function runs', () => {
  it('a record function that rewrites a later record cannot change what is reported for it', async () => {
    const event = kinesisEvent([{ n: 0 }, { n: 1 }, { n: 2 }])
    const original = event.Records.map((r) => r.kinesis.sequenceNumber)
    const handler = kinesisHandler({ schema: Item, logger: memoryLogger() }, (item) => {
      if (item.n === 0) for (const r of event.Records) r.kinesis.sequenceNumber = '1'
      if (item.n === 1) throw new Error('fails')
    })
    const report = await handler.process(event)
    expect(report.batchItemFailures).toEqual([{ itemIdentifier: original[1] }, { itemIdentifier: original[2] }])
  })
})

describe('no payload text in reasons or log lines, unless logPayloads', () => {
  const Strict = z.strictObject({ n: z.number() })

  it("zod's unknown-key message names no key by default", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Strict, logger, allFailed: 'report' }, () => {})
    const report = await handler.process(kinesisEvent([{ n: 1, SECRET_KEY: 1 }]))
    const o = report.outcomes[0]!
    expect(o.status === 'invalid' && o.reason.message).toBe('The record does not match the schema: a key that the schema does not know')
    expect(JSON.stringify(logger.lines)).not.toContain('SECRET')
  })

  it('quoted values of other validators are cut from the reason', async () => {
    // A Standard Schema validator whose message quotes the value, as valibot's defaults do.
    const quoting = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => ({ issues: [{ message: `Invalid type: Expected number but received ${JSON.stringify(value)}` }] }),
      },
    }
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: quoting, logger, allFailed: 'report' }, () => {})
    const report = await handler.process(kinesisEvent(['SECRET-4111']))
    expect(JSON.stringify(report.outcomes)).not.toContain('SECRET')
    expect(report.outcomes[0]).toMatchObject({ reason: { message: 'The record does not match the schema: Invalid type: Expected number' } })
    expect(JSON.stringify(logger.lines)).not.toContain('SECRET')
  })

  it("logPayloads: true adds the validator's own words to the log line as detail, never to the reason", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Strict, logger, allFailed: 'report', logPayloads: true }, () => {})
    const report = await handler.process(kinesisEvent([{ n: 1, SECRET_KEY: 1 }]))
    expect(JSON.stringify(report.outcomes)).not.toContain('SECRET')
    const warn = logger.lines.find((l) => l.level === 'warn')
    expect(JSON.stringify(warn?.extra)).toContain('SECRET_KEY')
  })

  it('logPayloads must be a boolean', () => {
    expect(() => kinesisHandler({ schema: Item, logPayloads: 'yes' as unknown as boolean }, () => {})).toThrow(
      /`logPayloads` must be true or false/,
    )
  })
})
