// Promises of src/engine/outcome.ts that mutation testing (npm run mutate) found no test pinning:
// formatOutcome on every status, and what becomes of anything a record function throws.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { formatOutcome, kinesisHandler, summarize, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

describe('formatOutcome', () => {
  const handler = { kind: 'handler', message: 'Boom.' } as const
  it.each<[RecordOutcome, string]>([
    [{ status: 'ok', id: '42', index: 0 }, 'record 42 ok'],
    [{ status: 'failed', id: '42', index: 0, reason: handler }, 'record 42 failed (handler): Boom.'],
    [
      {
        status: 'invalid',
        id: '7',
        index: 1,
        handled: false,
        reason: { kind: 'validation', path: 'items[0].price', message: 'Bad price.' },
      },
      'record 7 invalid (validation at items[0].price): Bad price.',
    ],
    [
      { status: 'invalid', id: '7', index: 1, handled: true, reason: { kind: 'validation', path: 'total', message: 'Bad total.' } },
      'record 7 invalid (validation at total, handled): Bad total.',
    ],
    [
      { status: 'invalid', id: '7', index: 1, handled: true, reason: { kind: 'decode', message: 'Not JSON.' } },
      'record 7 invalid (decode, handled): Not JSON.',
    ],
    [
      { status: 'skipped', id: '9', index: 2, reason: { kind: 'after-failure', message: 'Not started.' } },
      'record 9 skipped (after-failure): Not started.',
    ],
  ])('%j reads "%s"', (outcome, line) => {
    expect(formatOutcome(outcome)).toBe(line)
  })
})

/** The reason a record function's throw of `thrown` becomes. */
async function reasonFor(thrown: unknown): Promise<{ message: string; error: Error | undefined }> {
  const handler = kinesisHandler({ schema: z.unknown(), allFailed: 'report', logger: memoryLogger() }, () => {
    throw thrown
  })
  const report = await handler.process(kinesisEvent([{}]), lambdaContext())
  const outcome = report.outcomes[0]!
  if (outcome.status !== 'failed') throw new Error(`expected a failed record, got ${outcome.status}`)
  return { message: outcome.reason.message, error: outcome.reason.error }
}

class PaymentDeclined {
  constructor(readonly card: string) {}
}

describe('a thrown value, as the reason of a failed record', () => {
  const kind = (what: string) => `A non-Error value was thrown: ${what}. Throw an Error to say why.`

  it.each<[string, () => unknown, string]>([
    ['a string, kept as the reason', () => 'card declined', 'A non-Error value was thrown: card declined'],
    ['an empty string', () => '', 'A non-Error value was thrown: '],
    ['null', () => null, kind('null')],
    ['undefined', () => undefined, kind('undefined')],
    ['a number', () => 4111, kind('number')],
    ['a bigint', () => 4111n, kind('bigint')],
    ['a symbol', () => Symbol('secret'), kind('symbol')],
    ['a boolean', () => false, kind('boolean')],
    ['a plain object, without its contents', () => ({ card: '4111 1111 1111 1111' }), kind('an object')],
    ['an array', () => ['4111'], kind('an array')],
    ['an instance, by its class name', () => new PaymentDeclined('4111'), kind('an object (PaymentDeclined)')],
    ['an object without a prototype', () => Object.create(null), kind('an object')],
    ['an object whose prototype has no constructor', () => Object.create(Object.create(null)), kind('an object')],
    ['an instance of an anonymous class', () => new (class {})(), kind('an object')],
    ['an object whose constructor has no string name', () => ({ constructor: { name: 42 } }), kind('an object')],
    ['a function', () => () => 4111, kind('an object (Function)')],
    [
      'a class name cut to 60 characters',
      () => new (({ [`C${'x'.repeat(99)}`]: class {} }) as Record<string, new () => object>)[`C${'x'.repeat(99)}`]!(),
      kind(`an object (C${'x'.repeat(59)})`),
    ],
    [
      'an object whose prototype cannot be read',
      () =>
        new Proxy(
          {},
          {
            getPrototypeOf() {
              throw new Error('trap')
            },
          },
        ),
      kind('an object that cannot be inspected'),
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {})
        revoke()
        return proxy
      },
      kind('an object that cannot be inspected'),
    ],
  ])('%s', async (_what, make, message) => {
    const { message: got, error } = await reasonFor(make())
    expect(got).toBe(message)
    expect(error).toBeInstanceOf(Error)
    expect(error?.message).toBe(message)
  })

  it('an Error is kept as it is, and its message is the reason', async () => {
    const thrown = new TypeError('no such order')
    const { message, error } = await reasonFor(thrown)
    expect(error).toBe(thrown)
    expect(message).toBe('no such order')
  })

  it('an Error without a stack is kept as it is', async () => {
    const thrown = new Error('no stack')
    Object.defineProperty(thrown, 'stack', { value: undefined })
    const { error } = await reasonFor(thrown)
    expect(error).toBe(thrown)
  })

  it.each<[string, () => Error]>([
    [
      'a message getter that throws',
      () =>
        Object.defineProperty(new Error(), 'message', {
          get() {
            throw new Error('trap')
          },
        }),
    ],
    ['a message that is no string', () => Object.defineProperty(new Error(), 'message', { value: 4111 })],
    ['a stack that is no string', () => Object.defineProperty(new Error('x'), 'stack', { value: { frames: [] } })],
    [
      'a stack getter that throws',
      () =>
        Object.defineProperty(new Error('x'), 'stack', {
          get() {
            throw new Error('trap')
          },
        }),
    ],
  ])('an Error with %s becomes a new Error that says so', async (_what, make) => {
    const thrown = make()
    const { message, error } = await reasonFor(thrown)
    expect(message).toBe('An Error was thrown whose message or stack cannot be read (a getter threw).')
    expect(error === thrown).toBe(false)
  })

  it('the log line of a failed record says the reason, never the thrown object', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: z.unknown(), allFailed: 'report', logger }, () => {
      throw { card: '4111 1111 1111 1111' }
    })
    const event = kinesisEvent([{}])
    await handler.process(event, lambdaContext())
    const line = logger.lines.find((l) => l.level === 'error')
    expect(line?.message).toBe(
      `Record ${event.Records[0]!.kinesis.sequenceNumber} failed: ${'A non-Error value was thrown: an object. Throw an Error to say why.'}`,
    )
    expect(JSON.stringify(logger.lines)).not.toContain('4111')
  })
})

describe('summarize', () => {
  it('counts each status once, deadline cuts apart, and what is reported', () => {
    const d = { kind: 'deadline', message: 'm' } as const
    const outcomes: RecordOutcome[] = [
      { status: 'ok', id: '1', index: 0 },
      { status: 'failed', id: '2', index: 1, reason: { kind: 'handler', message: 'm' } },
      { status: 'failed', id: '3', index: 2, reason: d },
      { status: 'skipped', id: '4', index: 3, reason: d },
      { status: 'skipped', id: '5', index: 4, reason: { kind: 'after-failure', message: 'm' } },
      { status: 'invalid', id: '6', index: 5, handled: true, reason: { kind: 'decode', message: 'm' } },
      { status: 'invalid', id: '7', index: 6, handled: false, reason: { kind: 'validation', message: 'm' } },
    ]
    expect(summarize(outcomes)).toEqual({ records: 7, succeeded: 1, failed: 1, invalid: 2, skipped: 1, deadline: 2, reported: 5 })
    expect(summarize([])).toEqual({ records: 0, succeeded: 0, failed: 0, invalid: 0, skipped: 0, deadline: 0, reported: 0 })
  })
})
