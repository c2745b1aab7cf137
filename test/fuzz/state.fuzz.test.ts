// Fuzzing the state half of issue 16 with fast-check, bounded so the file takes a few seconds:
// hostile window state, hostile filter data and patterns, KPL aggregates under idempotent().
// Every case ends ok or with the library's own error or report: no crash, no hang, no lost key.
import type { StandardSchemaV1 } from '@standard-schema/spec'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  compileFilter,
  ConfigurationError,
  kinesisHandler,
  kinesisWindowHandler,
  MalformedEventError,
  silentLogger,
  WindowRecordError,
  WindowStateError,
  type FilterSource,
  type RecordFilter,
} from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent, kinesisWindowEvent, kplAggregate, lambdaContext, raw, runWindow, sqsEvent } from 'lambda-stream-handlers/testing'
import { handler as totalsHandler, published, Sale as TotalsSale } from '../../examples/windows/totals.js'

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', '', 'a', 'b']
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 6 }))

/** Nested `levels` deep, alternating objects and arrays. */
function deep(levels: number, leaf: unknown = 1): unknown {
  let v = leaf
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

const thrower = (): object =>
  Object.defineProperty({}, 'boom', {
    enumerable: true,
    get() {
      throw new Error('a getter that throws')
    },
  })

/** Values a state should never hold, or that JSON changes. */
const nonJson = fc.constantFrom<unknown>(
  undefined,
  NaN,
  Infinity,
  -0,
  10n,
  new Date(0),
  new Map([['__proto__', 1]]),
  new Set([1]),
  () => 1,
  Symbol('s'),
)

/** A hostile state: JSON with hostile keys, sometimes deep, huge, non-JSON, or with a throwing getter. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map((entries) => {
      // Own properties, `__proto__` included, as JSON.parse and Lambda's runtime make them.
      const o: Record<string, unknown> = {}
      for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
      return o
    }),
  ),
})).value

const hostileState = fc.oneof(
  { weight: 6, arbitrary: hostileValue.map((v) => ({ s: v })) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 3000 }).map((n) => ({ s: deep(n) })) },
  { weight: 1, arbitrary: fc.constant(0).map(() => ({ s: deep(100_000) })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }).map((mb) => ({ s: 'x'.repeat(mb * 600_000) })) },
  { weight: 1, arbitrary: nonJson.map((v) => ({ s: v })) },
  { weight: 1, arbitrary: fc.constant(0).map(() => thrower()) },
  { weight: 1, arbitrary: fc.constant(0).map(() => JSON.parse('{"__proto__": {"a": 1}, "b": 2}') as object) },
)

/** Every path of keys in a JSON value, as text (iterative: the value may be deep). */
function keyPaths(value: unknown): Set<string> {
  const paths = new Set<string>()
  const stack: [unknown, string][] = [[value, '']]
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    const [v, path] = at
    if (typeof v !== 'object' || v === null) continue
    for (const k of Object.keys(v)) {
      const p = `${path}/${JSON.stringify(k)}`
      paths.add(p)
      stack.push([(v as Record<string, unknown>)[k], p])
    }
  }
  return paths
}

/** How deep JSON text nests objects and arrays (0 for text that is not JSON), counted on the text. */
function depthOf(text: string): number {
  try {
    JSON.parse(text)
  } catch {
    return 0
  }
  let depth = 0
  let max = 0
  for (const token of text.matchAll(/"(?:[^"\\]|\\.)*"|[[\]{}]/g)) {
    const c = token[0]
    if (c === '[' || c === '{') max = Math.max(max, ++depth)
    else if (c === ']' || c === '}') depth--
  }
  return max
}

/** A Standard Schema that keeps any object as it is (no `__proto__` rule, no depth of its own). */
const anyObject: StandardSchemaV1<Record<string, unknown>, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'fuzz',
    validate: (v) =>
      typeof v === 'object' && v !== null ? { value: v as Record<string, unknown> } : { issues: [{ message: 'not an object' }] },
  },
}
const STATE_SCHEMAS = { 'z.record of z.json()': z.record(z.string(), z.json()), 'any object (Standard Schema)': anyObject }

const isLibraryError = (e: unknown): boolean =>
  e instanceof WindowStateError || e instanceof WindowRecordError || e instanceof MalformedEventError
const Sale = z.object({ cents: z.number().int() })

describe('hostile window state (fast-check)', () => {
  it.each(Object.entries(STATE_SCHEMAS))(
    'incoming, %s: the state comes out with every key, or the invocation fails with a WindowStateError',
    async (_name, schema) => {
      const handler = kinesisWindowHandler({
        schema: Sale,
        state: schema as never,
        logger: silentLogger,
        initial: () => ({}) as never,
        reduce: (s) => s,
        onWindowEnd: () => {},
      })
      await fc.assert(
        fc.asyncProperty(hostileState, async (state) => {
          const event = kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: state as never })
          let response: { state: unknown } | undefined
          try {
            response = await handler(event, lambdaContext())
          } catch (e) {
            expect(isLibraryError(e), `not the library's error: ${String(e)}`).toBe(true)
            return
          }
          // It went through: as JSON (what Lambda carries), no key of the incoming state is missing.
          const before = keyPaths(JSON.parse(JSON.stringify(state)))
          const after = keyPaths(JSON.parse(JSON.stringify(response.state)))
          for (const p of before) expect(after.has(p), `lost ${p}`).toBe(true)
        }),
        { numRuns: 150 },
      )
    },
    30_000,
  )

  it.each(Object.entries(STATE_SCHEMAS))(
    'outgoing, %s: whatever reduce returns, the state goes out with its keys, or a WindowStateError or WindowRecordError',
    async (_name, schema) => {
      await fc.assert(
        fc.asyncProperty(hostileState, async (state) => {
          const handler = kinesisWindowHandler({
            schema: Sale,
            state: schema as never,
            logger: silentLogger,
            initial: () => ({}) as never,
            reduce: () => state as never,
            onWindowEnd: () => {},
          })
          let response: { state: unknown } | undefined
          try {
            response = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext())
          } catch (e) {
            expect(isLibraryError(e), `not the library's error: ${String(e)}`).toBe(true)
            return
          }
          const json = JSON.stringify(response.state)
          expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024 * 1024)
          for (const p of keyPaths(JSON.parse(JSON.stringify(state)))) expect(keyPaths(JSON.parse(json)).has(p), `lost ${p}`).toBe(true)
        }),
        { numRuns: 150 },
      )
    },
    30_000,
  )

  it("the README's totals example sums any partition keys over a window of several invocations, and loses none", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.record({
              pk: fc.oneof(fc.constantFrom(...HOSTILE_KEYS.filter((k) => k !== '')), fc.string({ minLength: 1, maxLength: 6 })),
              cents: fc.nat(1000),
            }),
            { maxLength: 8 },
          ),
          { minLength: 1, maxLength: 4 },
        ),
        async (batches) => {
          published.length = 0
          const events = batches.map((b) =>
            kinesisEvent(
              b.map((s) => ({ cents: s.cents })),
              { schema: TotalsSale, partitionKey: (_p, i) => b[i]!.pk },
            ),
          )
          await runWindow(totalsHandler, events)
          const expected = new Map<string, number>()
          for (const s of batches.flat()) expected.set(s.pk, (expected.get(s.pk) ?? 0) + s.cents)
          expect(published).toHaveLength(1)
          expect(new Map(published[0]!.totals)).toEqual(expected)
        },
      ),
      { numRuns: 60 },
    )
  }, 30_000)
})

describe('hostile filter data and patterns (fast-check)', () => {
  const sources: FilterSource[] = ['kinesis', 'dynamodb', 'sqs']
  const rules = fc.array(
    fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.constant(null),
      fc.record({ exists: fc.boolean() }),
      fc.record({ numeric: fc.constant(['>', 0]) }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  const patternObject: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
    node: fc.dictionary(key, fc.oneof({ depthSize: 'small' }, rules, tie('node')), { minKeys: 1, maxKeys: 3 }),
  })).node
  // A pattern: built from parts, random JSON, nested arrays or objects, or far too long.
  const pattern = fc.oneof(
    patternObject.map((p) => JSON.stringify({ data: p, body: p, dynamodb: p })),
    patternObject.map((p) => JSON.stringify(p)),
    fc.json({ maxDepth: 4 }),
    fc.integer({ min: 1, max: 3000 }).map((n) => `{"data": {"a": ${'['.repeat(n)}1${']'.repeat(n)}}}`),
    fc.integer({ min: 1, max: 2000 }).map((n) => `{"data": ${'{"a":'.repeat(n)}[1]${'}'.repeat(n)}}`),
    fc.string({ maxLength: 20 }),
  )
  // Data: random JSON, or JSON around arrays or objects nested up to 100,000 deep.
  const data = fc.oneof(
    fc.json({ maxDepth: 4 }),
    fc
      .tuple(fc.integer({ min: 990, max: 3000 }), fc.boolean())
      .map(([n, arrays]) => `{"a": ${arrays ? `${'['.repeat(n)}1${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`}}`),
    fc.constant(`{"a": ${'['.repeat(100_000)}1${']'.repeat(100_000)}}`),
    fc.string({ maxLength: 20 }),
  )

  const recordOf = (source: FilterSource, text: string): unknown => {
    if (source === 'kinesis') return kinesisEvent([raw(text)]).Records[0]
    if (source === 'sqs') return sqsEvent([raw(text)]).Records[0]
    let value: unknown = text
    try {
      value = JSON.parse(text)
    } catch {}
    return { eventSource: 'aws:dynamodb', eventName: 'INSERT', dynamodb: { NewImage: { a: value } } }
  }

  it('a pattern compiles or is refused with a ConfigurationError; a compiled filter answers true or false for any data', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...sources),
        fc.array(data, { maxLength: 3 }),
        (patterns, source, texts) => {
          let passes: RecordFilter
          try {
            passes = compileFilter({ Filters: patterns.map((Pattern) => ({ Pattern })) }, source)
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigurationError)
            return
          }
          for (const text of texts) expect(typeof passes(recordOf(source, text))).toBe('boolean')
        },
      ),
      { numRuns: 300 },
    )
  }, 30_000)

  it('simulate with FilterCriteria: every record is delivered or filtered, never a crash; a record too deep to read says so', async () => {
    const handler = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
    await fc.assert(
      fc.asyncProperty(fc.array(data, { minLength: 1, maxLength: 5 }), async (texts) => {
        const event = kinesisEvent(texts.map((t) => raw(t)))
        const report = await simulate(handler, {
          source: 'kinesis',
          records: event,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          MaximumRetryAttempts: 0,
          FilterCriteria: { Filters: [{ Pattern: '{"data": {"a": [{"exists": true}]}}' }] },
        })
        expect(report.outcomes).toHaveLength(texts.length)
        texts.forEach((text, i) => {
          const outcome = report.outcomes[i]!
          expect(['succeeded', 'discarded', 'filtered']).toContain(outcome.fate)
          if (depthOf(text) > 1000) {
            expect(outcome.fate).toBe('filtered')
            expect(outcome.filteredBecause).toMatch(/^The data is nested more than 1000 levels deep/)
          } else {
            expect(outcome.filteredBecause).toBeUndefined()
          }
        })
      }),
      { numRuns: 25 },
    )
  }, 30_000)
})

describe('KPL aggregates under idempotent() (fast-check)', () => {
  const Order = z.object({ orderId: z.string(), total: z.number() })

  it('every user record completes exactly once, whatever fails on the way; a redelivery runs none', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Records: aggregates of 1-6 orders or plain orders; some orders fail their first attempts.
        fc.array(fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(0)), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 30, maxLength: 30 }),
        fc.constantFrom('in-order', 'unordered'),
        async (shape, flaky, ordering) => {
          let n = 0
          const records = shape.map((size) => {
            if (size === 0) return { orderId: `o-${n++}`, total: 1 }
            return kplAggregate(
              Array.from({ length: size }, () => ({ orderId: `o-${n++}`, total: 1 })),
              { schema: Order },
            )
          })
          const failuresLeft = [...flaky]
          const completed = new Map<string, number>()
          const persistenceStore = new InMemoryPersistenceStore()
          const handler = kinesisHandler({
            schema: Order,
            logger: silentLogger,
            ...(ordering === 'unordered' ? { ordering, concurrency: 4 } : {}),
          })
            .use(idempotent({ persistenceStore }))
            .handle((order) => {
              const i = Number(order.orderId.slice(2))
              if (failuresLeft[i]! > 0) {
                failuresLeft[i]!--
                throw new Error('flaky')
              }
              completed.set(order.orderId, (completed.get(order.orderId) ?? 0) + 1)
              return order.orderId
            })
          const event = kinesisEvent(records, { schema: Order })
          const report = await simulate(handler, {
            source: 'kinesis',
            records: event,
            FunctionResponseTypes: ['ReportBatchItemFailures'],
            MaximumRetryAttempts: 100,
          })
          expect(report.outcomes.every((o) => o.fate === 'succeeded')).toBe(true)
          expect([...completed.keys()].sort()).toEqual(Array.from({ length: n }, (_, i) => `o-${i}`).sort())
          expect([...completed.values()].every((c) => c === 1)).toBe(true)
          // Lambda delivers the same event again: nothing runs, every record gets its stored result.
          expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
          expect([...completed.values()].every((c) => c === 1)).toBe(true)
        },
      ),
      { numRuns: 40 },
    )
  }, 30_000)
})
