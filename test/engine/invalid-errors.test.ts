import { afterEach, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'

// The errors made for a bad record carry their reason in the message and no stack: capturing one
// cost ~4.5 µs a bad record (bench/PROFILE.md, eighth pass). The user's own stack settings are kept.
const handler = kinesisHandler({ schema: z.object({ amount: z.number() }), ordering: 'unordered', logger: silentLogger }, () => {})
const event = (): ReturnType<typeof kinesisEvent> => kinesisEvent([{ amount: 1 }, raw('not json'), { amount: 'two' } as never])

const initial = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')
afterEach(() => {
  if (initial) Object.defineProperty(Error, 'stackTraceLimit', initial)
})

it('fails bad records with their reason, an error without library frames, and the stack limit as it was', async () => {
  Error.stackTraceLimit = 7
  const report = await handler.process(event(), lambdaContext())
  expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid', 'invalid'])
  const decode = report.outcomes[1]
  if (decode?.status !== 'invalid') throw new Error('expected an invalid record')
  expect(decode.reason.message).toMatch(/^The data is not valid JSON: /)
  expect(decode.reason.error?.stack).not.toMatch(/\n\s+at /)
  // What JSON.parse threw stays the cause, with its own stack.
  expect((decode.reason.error?.cause as Error | undefined)?.name).toBe('SyntaxError')
  expect(Error.stackTraceLimit).toBe(7)
  expect(new Error('user').stack).toMatch(/\n\s+at /)
})

it('still fails bad records with their reason where the stack limit cannot be set', async () => {
  Object.defineProperty(Error, 'stackTraceLimit', { value: 5, writable: false, configurable: true })
  const report = await handler.process(event(), lambdaContext())
  expect(report.batchItemFailures).toHaveLength(2)
  const schema = report.outcomes[2]
  expect(schema?.status === 'invalid' && schema.reason.message).toMatch(/does not match the schema at amount/)
  expect(Error.stackTraceLimit).toBe(5)
})

it('keeps no stack limit of its own when the user removed it', async () => {
  delete (Error as { stackTraceLimit?: number }).stackTraceLimit
  const report = await handler.process(event(), lambdaContext())
  expect(report.batchItemFailures).toHaveLength(2)
  expect(Error.stackTraceLimit).toBeUndefined()
})
