import type { StandardSchemaV1 } from '@standard-schema/spec'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  ConfigurationError,
  kinesisWindowHandler,
  MalformedEventError,
  silentLogger,
  WindowEndError,
  WindowRecordError,
  WindowStateError,
  type WindowInfo,
} from 'lambda-stream-handlers'
import {
  kinesisEvent,
  kinesisWindowEvent,
  lambdaContext,
  raw,
  runWindow,
  sampleWindowEvents,
  windowEvent,
} from 'lambda-stream-handlers/testing'

const Sale = z.object({ id: z.string(), cents: z.number().int() })
const Totals = z.record(z.string(), z.number().int())

const sales = (from: number, n: number, key = (i: number) => `k${i % 3}`) =>
  Array.from({ length: n }, (_, i) => ({ id: `s-${from + i}`, cents: from + i, pk: key(from + i) }))
const batch = (items: { id: string; cents: number; pk: string }[], firstSequenceNumber = 1000n + BigInt(items[0]?.cents ?? 0)) =>
  kinesisEvent(
    items.map(({ id, cents }) => ({ id, cents })),
    { schema: Sale, partitionKey: (_p, i) => items[i]!.pk, firstSequenceNumber, shardId: 'shardId-000000000007' },
  )
const expectedTotals = (items: { cents: number; pk: string }[]) => {
  const totals: Record<string, number> = {}
  for (const s of items) totals[s.pk] = (totals[s.pk] ?? 0) + s.cents
  return totals
}

/** A totals handler that records every reduce call and every window end. */
function totalsHandler(options: { failOnce?: string; endFailsOnce?: boolean } = {}) {
  const reduced: string[] = []
  const ended: { totals: Record<string, number>; window: WindowInfo }[] = []
  let failOnce = options.failOnce
  let endFailsOnce = options.endFailsOnce ?? false
  const handler = kinesisWindowHandler({
    schema: Sale,
    state: Totals,
    logger: silentLogger,
    initial: () => ({}),
    reduce: async (totals, sale, meta) => {
      if (sale.id === failOnce) {
        failOnce = undefined
        throw new Error(`downstream hiccup on ${sale.id}`)
      }
      reduced.push(sale.id)
      totals[meta.partitionKey] = (totals[meta.partitionKey] ?? 0) + sale.cents
      return totals
    },
    onWindowEnd: (totals, window) => {
      if (endFailsOnce) {
        endFailsOnce = false
        throw new Error('the sink is down')
      }
      ended.push({ totals: structuredClone(totals), window })
    },
  })
  return { handler, reduced, ended }
}

describe('kinesisWindowHandler: one window over several invocations', () => {
  it('aggregates every record once and calls onWindowEnd once, on the final invocation, with the whole aggregate', async () => {
    const { handler, reduced, ended } = totalsHandler()
    const items = [sales(0, 4), sales(4, 5), sales(9, 3)]
    const run = await runWindow(
      handler,
      items.map((b) => batch(b)),
      { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:02:00Z' },
    )

    expect(run.invocations).toHaveLength(3)
    const states = run.invocations.map((i) => ('response' in i ? i.response : i.error))
    expect(states).toEqual([
      { state: expectedTotals(items[0]!), batchItemFailures: [] },
      { state: expectedTotals([...items[0]!, ...items[1]!]), batchItemFailures: [] },
      { state: expectedTotals(items.flat()), batchItemFailures: [] },
    ])
    // Each invocation received the previous response's state, and only the last was final.
    expect(run.invocations.map((i) => [i.event.state, i.event.isFinalInvokeForWindow])).toEqual([
      [{}, false],
      [expectedTotals(items[0]!), false],
      [expectedTotals([...items[0]!, ...items[1]!]), true],
    ])
    expect(reduced).toEqual(items.flat().map((s) => s.id))
    expect(ended).toHaveLength(1)
    expect(ended[0]!.totals).toEqual(expectedTotals(items.flat()))
    expect(ended[0]!.window).toMatchObject({
      start: new Date('2026-01-01T00:00:00Z'),
      end: new Date('2026-01-01T00:02:00Z'),
      shardId: 'shardId-000000000007',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/test-stream',
      terminatedEarly: false,
    })
    expect(run.state).toEqual(expectedTotals(items.flat()))
  })

  it('accepts an empty final invocation (Records: [], fact 68) and ends the window with the state it received', async () => {
    const { handler, ended } = totalsHandler()
    const items = sales(0, 6)
    const run = await runWindow(handler, [batch(items), { Records: [] }])
    expect(run.invocations[1]!.event.Records).toEqual([])
    // The empty invocation belongs to the same window and shard.
    expect(run.invocations.map((i) => [i.event.shardId, i.event.window, i.event.eventSourceARN])).toEqual(
      [0, 1].map(() => [ended[0]!.window.shardId, run.invocations[0]!.event.window, ended[0]!.window.eventSourceARN]),
    )
    expect(ended[0]!.window.shardId).toBe('shardId-000000000007')
    expect(run.state).toEqual(expectedTotals(items))
    expect(ended.map((e) => e.totals)).toEqual([expectedTotals(items)])
  })

  it('accepts an empty invocation that opens a window: the state is initial()', async () => {
    const { handler } = totalsHandler()
    expect(await handler(windowEvent({ Records: [] }))).toEqual({ state: {}, batchItemFailures: [] })
  })

  it('passes isWindowTerminatedEarly, the bounds as Dates and the shard id to onWindowEnd', async () => {
    const { handler, ended } = totalsHandler()
    const event = kinesisWindowEvent([{ id: 'a', cents: 2 }], {
      schema: Sale,
      start: '2026-03-01T10:00:00Z',
      end: '2026-03-01T10:15:00Z',
      shardId: 'shardId-000000000042',
      final: true,
      terminatedEarly: true,
      state: { 'pk-0': 40 },
    })
    expect(await handler(event, lambdaContext())).toEqual({ state: { 'pk-0': 42 }, batchItemFailures: [] })
    expect(ended).toHaveLength(1)
    const { window } = ended[0]!
    expect(window.start).toBeInstanceOf(Date)
    expect([window.start.toISOString(), window.end.toISOString(), window.shardId, window.terminatedEarly]).toEqual([
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T10:15:00.000Z',
      'shardId-000000000042',
      true,
    ])
    expect(window.context?.functionName).toBe('test-function')
  })

  it('keeps the state of concurrent invocations apart (two shards at once)', async () => {
    const { handler } = totalsHandler()
    const [a, b] = await Promise.all([
      handler(windowEvent(batch(sales(0, 50, () => 'a')), { shardId: 'shardId-000000000001' })),
      handler(windowEvent(batch(sales(100, 50, () => 'b')), { shardId: 'shardId-000000000002' })),
    ])
    expect(a.state).toEqual(expectedTotals(sales(0, 50, () => 'a')))
    expect(b.state).toEqual(expectedTotals(sales(100, 50, () => 'b')))
  })
})

describe('kinesisWindowHandler: failures fail the whole invocation, so the state only advances on success', () => {
  it('a reduce that throws mid-window: the invocation throws, the retry from the same state gives the right total', async () => {
    const { handler, reduced, ended } = totalsHandler({ failOnce: 's-6' })
    const items = [sales(0, 4), sales(4, 5), sales(9, 3)]
    const run = await runWindow(
      handler,
      items.map((b) => batch(b)),
      { retries: 2 },
    )

    const outcome = run.invocations.map((i) => ('error' in i ? `error ${(i.error as Error).name}` : 'ok'))
    expect(outcome).toEqual(['ok', 'error WindowRecordError', 'ok', 'ok'])
    // The retry got the same event, with the state the last successful invocation returned.
    expect(run.invocations[2]!.event).toBe(run.invocations[1]!.event)
    expect(run.invocations[2]!.event.state).toEqual(expectedTotals(items[0]!))
    // s-4 and s-5 were reduced in the failed attempt and again in the retry; the state counts them once.
    expect(reduced.filter((id) => id === 's-4')).toHaveLength(2)
    expect(run.state).toEqual(expectedTotals(items.flat()))
    expect(ended.map((e) => e.totals)).toEqual([expectedTotals(items.flat())])

    const error = (run.invocations[1] as { error: WindowRecordError }).error
    expect(error.message).toMatch(
      /^kinesisWindowHandler: record \d+ failed \(handler\): downstream hiccup on s-6\. The whole invocation fails/,
    )
    expect(error.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'failed', 'skipped', 'skipped'])
    expect((error.cause as Error).message).toBe('downstream hiccup on s-6')
  })

  it('an invalid record fails the invocation, naming the record and the field but not the payload', async () => {
    const { handler, reduced } = totalsHandler()
    const event = kinesisWindowEvent(
      [
        { id: 'a', cents: 1 },
        { id: 'b', cents: 'secret-1.5' },
        { id: 'c', cents: 3 },
      ],
      { state: { k: 5 } },
    )
    const error = await handler(event).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WindowRecordError)
    expect((error as Error).message).toContain(`record ${event.Records[1]!.kinesis.sequenceNumber} invalid (validation at cents)`)
    expect((error as Error).message).not.toContain('secret')
    expect(reduced).toEqual(['a'])
  })

  it('logs what happens to a failed record in a window: the invocation fails and the last good state stands, never "reported for retry"', async () => {
    const lines: string[] = []
    const logger = {
      debug: () => {},
      info: (m: string) => void lines.push(m),
      warn: (m: string) => void lines.push(m),
      error: (m: string) => void lines.push(m),
    }
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      logger,
      initial: () => ({}),
      reduce: (totals, sale, meta) => {
        meta.logger.info(`reducing ${sale.id}; a line of mine, reported for retry as written`)
        if (sale.id === 'c') throw new Error('downstream hiccup')
        return totals
      },
      onWindowEnd: () => {},
    })
    const event = kinesisWindowEvent(
      [
        { id: 'a', cents: 1 },
        { id: 'b', cents: 'x' },
      ],
      { state: { k: 5 } },
    )
    await expect(handler(event)).rejects.toThrow(WindowRecordError)
    await expect(
      handler(
        kinesisWindowEvent([
          { id: 'c', cents: 1 },
          { id: 'd', cents: 2 },
        ]),
      ),
    ).rejects.toThrow(WindowRecordError)
    const library = lines.filter((l) => !l.startsWith('reducing'))
    expect(library.filter((l) => l.includes('reported for retry'))).toEqual([])
    expect(library.filter((l) => l.includes('; the invocation fails, so the last good state stands'))).toHaveLength(3)
    // The record function's own lines are passed on as written.
    expect(lines).toContain('reducing a; a line of mine, reported for retry as written')
  })

  it("onInvalid: 'skip' leaves an invalid record out of the aggregate, explicitly, and the invocation succeeds", async () => {
    const warnings: string[] = []
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      onInvalid: 'skip',
      logger: { ...silentLogger, warn: (m: string) => void warnings.push(m) },
      initial: () => ({}),
      reduce: (t, s) => ({ ...t, all: (t.all ?? 0) + s.cents }),
      onWindowEnd: () => {},
    })
    const response = await handler(kinesisWindowEvent([{ id: 'a', cents: 1 }, raw('not json'), { id: 'c', cents: 3 }]))
    expect(response).toEqual({ state: { all: 4 }, batchItemFailures: [] })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/skipped \(onInvalid: 'skip'\)/)
  })

  it('an onWindowEnd that throws fails the final invocation; the retry reduces again from the same state and ends the window once', async () => {
    const { handler, ended } = totalsHandler({ endFailsOnce: true })
    const items = [sales(0, 3), sales(3, 3)]
    const run = await runWindow(
      handler,
      items.map((b) => batch(b)),
      { retries: 1 },
    )
    const failed = run.invocations[1] as { error: unknown }
    expect(failed.error).toBeInstanceOf(WindowEndError)
    expect((failed.error as Error).message).toMatch(/onWindowEnd threw: the sink is down\. The final invocation fails/)
    expect(((failed.error as Error).cause as Error).message).toBe('the sink is down')
    expect(ended.map((e) => e.totals)).toEqual([expectedTotals(items.flat())])
    expect(run.state).toEqual(expectedTotals(items.flat()))
  })

  it('stops before the Lambda times out and fails the invocation, so the retry starts from the last good state', async () => {
    let now = 0
    const context = lambdaContext({ timeoutMs: 2500, now: () => now })
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      logger: silentLogger,
      initial: () => ({}),
      reduce: (t, s) => {
        now += 1000 // each record takes a second
        return { ...t, all: (t.all ?? 0) + s.cents }
      },
      onWindowEnd: () => {},
    })
    const error = await handler(
      kinesisWindowEvent([
        { id: 'a', cents: 1 },
        { id: 'b', cents: 2 },
        { id: 'c', cents: 3 },
      ]),
      context,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowRecordError)
    expect((error as WindowRecordError).outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'skipped'])
    expect((error as Error).message).toMatch(
      /skipped \(deadline\): Not started: the Lambda was close to its timeout\. The whole invocation fails/,
    )
  })

  it('when the retries run out, runWindow throws the last error', async () => {
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      logger: silentLogger,
      initial: () => ({}),
      reduce: () => {
        throw new Error('always')
      },
      onWindowEnd: () => {},
    })
    await expect(runWindow(handler, [batch(sales(0, 1))], { retries: 2 })).rejects.toThrow(WindowRecordError)
  })

  it('a reduce that returns nothing fails the record with a sentence saying so', async () => {
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      logger: silentLogger,
      initial: () => ({}),
      reduce: ((t: Record<string, number>) => {
        t.n = 1
      }) as never,
      onWindowEnd: () => {},
    })
    await expect(handler(kinesisWindowEvent([{ id: 'a', cents: 1 }]))).rejects.toThrow(
      '`reduce` returned undefined; it must return the new state.',
    )
  })
})

describe('kinesisWindowHandler: the state', () => {
  it('fails the invocation with a sentence when the incoming state does not match the state schema', async () => {
    const { handler, reduced } = totalsHandler()
    const event = kinesisWindowEvent([{ id: 'a', cents: 1 }], { state: { 'pk-0': 'twelve' } })
    const error = await handler(event).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toBe(
      'kinesisWindowHandler: The incoming window state does not match the schema at <key>: Invalid input: expected number, received string. ' +
        'It is the state the previous invocation returned: did the state schema change while a window was open? The window cannot go on until the schema accepts it.',
    )
    expect(reduced).toEqual([])
  })

  it('fails with a clear error that names the size when the state is over 1 MB as JSON (fact 62), before onWindowEnd', async () => {
    const { handler, ended } = totalsHandler()
    // 12,000 distinct partition keys of 96 characters: about 1.2 MB of JSON.
    const items = Array.from({ length: 12_000 }, (_, i) => ({ id: `s-${i}`, cents: 1, pk: `pk-${String(i).padStart(93, '0')}` }))
    const event = windowEvent(batch(items), { final: true })
    const error = await handler(event).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    const size = Buffer.byteLength(JSON.stringify(expectedTotals(items)))
    expect(size).toBeGreaterThan(1024 * 1024)
    expect((error as WindowStateError).bytes).toBe(size)
    expect((error as Error).message).toBe(
      `kinesisWindowHandler: the window state is ${size.toLocaleString('en-US')} bytes as JSON; Lambda keeps at most 1 MB (1,048,576 bytes) per shard. Keep a smaller aggregate, or a shorter window.`,
    )
    expect(ended).toEqual([])
  })

  it('accepts a state of exactly 1 MB', async () => {
    const Blob = z.object({ s: z.string() })
    const handler = kinesisWindowHandler({
      schema: z.number(),
      state: Blob,
      initial: () => ({ s: '' }),
      reduce: (_state, n) => ({ s: 'x'.repeat(n) }),
      onWindowEnd: () => {},
    })
    const n = 1024 * 1024 - JSON.stringify({ s: '' }).length
    const response = await handler(kinesisWindowEvent([n]))
    expect(Buffer.byteLength(JSON.stringify(response.state))).toBe(1024 * 1024)
    await expect(handler(kinesisWindowEvent([n + 1]))).rejects.toThrow(/1,048,577 bytes/)
  })

  it.each([
    ['a Map', () => new Map([['a', 1]]), /state\.m is a Map, which JSON turns into \{\}/],
    ['a Date', () => new Date(0), /state\.m is a Date, which JSON turns into a string/],
    ['a bigint', () => 10n ** 30n, /state\.m is a bigint, which JSON cannot hold/],
    ['NaN', () => Number.NaN, /state\.m is NaN, which JSON turns into null/],
    ['an undefined in an array', () => [1, undefined], /state\.m\[1\] is undefined/],
    ['a class instance', () => new (class Tally {})(), /state\.m is a Tally, which JSON turns into \{\}/],
  ])('refuses a state holding %s instead of turning it into something else', async (_name, make, message) => {
    const handler = kinesisWindowHandler({
      schema: z.unknown(),
      state: z.object({ m: z.unknown() }) as unknown as z.ZodType<{ m?: string }, { m?: string }>, // a JSON type, as a user could claim
      logger: silentLogger,
      initial: () => ({}),
      reduce: () => ({ m: make() }) as never,
      onWindowEnd: () => {},
    })
    const error = await handler(kinesisWindowEvent([1])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(/^kinesisWindowHandler: the window state cannot travel to Lambda as JSON: /)
    expect((error as Error).message).toMatch(message)
  })

  it('refuses a state the schema would not read back, and a one-way transform it cannot encode', async () => {
    const Counted = z.object({ n: z.number().int().nonnegative() })
    const negative = kinesisWindowHandler({
      schema: z.number(),
      state: Counted,
      initial: () => ({ n: 0 }),
      reduce: (s, x) => ({ n: s.n + x }),
      onWindowEnd: () => {},
    })
    await expect(negative(kinesisWindowEvent([-1]))).rejects.toThrow(
      'kinesisWindowHandler: the state after this batch does not match the `state` schema (at n: Too small: expected number to be >=0), so the next invocation could not read it; the invocation fails, so the state returned last time stands.',
    )
    const oneWay = kinesisWindowHandler({
      schema: z.number(),
      state: z.object({ at: z.string().transform((s) => new Date(s)) }),
      initial: () => ({ at: new Date(0) }),
      reduce: (s) => s,
      onWindowEnd: () => {},
    })
    await expect(oneWay(kinesisWindowEvent([1]))).rejects.toThrow(
      /the state schema has a one-way transform, so the state cannot be turned back into JSON/,
    )
  })

  it('with a validator that cannot encode (any Standard Schema), checks the state as it will travel', async () => {
    // A hand-written Standard Schema: an object of whole numbers.
    const Counts: StandardSchemaV1<Record<string, number>> = {
      '~standard': {
        version: 1,
        vendor: 'hand-written',
        validate: (value) => {
          for (const [key, n] of Object.entries(value as object)) {
            if (!Number.isInteger(n)) return { issues: [{ message: 'expected a whole number', path: [key] }] }
          }
          return { value: value as Record<string, number> }
        },
      },
    }
    const handler = kinesisWindowHandler({
      schema: z.number(),
      state: Counts,
      logger: silentLogger,
      initial: () => ({}),
      reduce: (counts, n) => ({ ...counts, total: (counts.total ?? 0) + n }),
      onWindowEnd: () => {},
    })
    const run = await runWindow(handler, [kinesisEvent([1, 2]), kinesisEvent([3])])
    expect(run.state).toEqual({ total: 6 })
    await expect(handler(kinesisWindowEvent([0.5], { state: { total: 1 } }))).rejects.toThrow(
      'kinesisWindowHandler: the state after this batch does not match the `state` schema (at total: expected a whole number), so the next invocation could not read it;',
    )
    await expect(handler(kinesisWindowEvent([1], { state: { total: 0.5 } }))).rejects.toThrow(
      'kinesisWindowHandler: The incoming window state does not match the schema at total: expected a whole number.',
    )
  })

  it('carries a Map and a Date across invocations through zod codecs', async () => {
    const State = z.object({
      seen: z.codec(z.record(z.string(), z.number()), z.map(z.string(), z.number()), {
        decode: (record) => new Map(Object.entries(record)),
        encode: (map) => Object.fromEntries(map),
      }),
      last: z.codec(z.iso.datetime(), z.date(), { decode: (s) => new Date(s), encode: (d) => d.toISOString() }).optional(),
    })
    const sawMap: boolean[] = []
    let ended: unknown
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: State,
      initial: () => ({ seen: new Map() }),
      reduce: (state, sale, meta) => {
        sawMap.push(state.seen instanceof Map)
        state.seen.set(meta.partitionKey, (state.seen.get(meta.partitionKey) ?? 0) + sale.cents)
        return { ...state, last: meta.arrivedAt }
      },
      onWindowEnd: (state) => {
        ended = state
      },
    })
    const arrivedAt = new Date('2026-05-05T05:05:05.000Z')
    const run = await runWindow(handler, [
      kinesisEvent([{ id: 'a', cents: 1 }], { partitionKey: 'x', arrivedAt }),
      kinesisEvent(
        [
          { id: 'b', cents: 2 },
          { id: 'c', cents: 4 },
        ],
        { partitionKey: 'y', arrivedAt },
      ),
    ])
    expect(run.invocations.map((i) => ('response' in i ? i.response.state : i.error))).toEqual([
      { seen: { x: 1 }, last: '2026-05-05T05:05:05.000Z' },
      { seen: { x: 1, y: 6 }, last: '2026-05-05T05:05:05.001Z' },
    ])
    expect(sawMap).toEqual([true, true, true])
    expect(ended).toEqual({
      seen: new Map([
        ['x', 1],
        ['y', 6],
      ]),
      last: new Date('2026-05-05T05:05:05.001Z'),
    })
  })

  it('accepts the AWS sample window event (spec §9.4) and carries its state on', async () => {
    const handler = kinesisWindowHandler({
      schema: z.string(),
      decode: 'text',
      state: z.record(z.string(), z.number()),
      initial: () => ({}),
      reduce: (counts, _text, meta) => ({ ...counts, [meta.partitionKey]: (counts[meta.partitionKey] ?? 0) + 1 }),
      onWindowEnd: () => {},
    })
    // The documented response to it is {"state": {"1": 282, "2": 715}, "batchItemFailures": []}; here one more record for key 1.
    expect(await handler(sampleWindowEvents.kinesis())).toEqual({ state: { '1': 283, '2': 715 }, batchItemFailures: [] })
  })
})

describe('kinesisWindowHandler: malformed events and options', () => {
  const { handler } = totalsHandler()

  it.each([
    [
      'a plain Kinesis event',
      kinesisEvent([]),
      /expected a tumbling-window event \(`window` is undefined\); is TumblingWindowInSeconds set/,
    ],
    [
      'a bad window start',
      { ...kinesisWindowEvent([]), window: { start: 'yesterday', end: '2026-01-01T00:00:00Z' } },
      /`window\.start` is not an ISO-8601 time: "yesterday"/,
    ],
    ['a state that is not an object', { ...kinesisWindowEvent([]), state: [1] }, /`state` must be an object; it is an array/],
    ['no shard id', { ...kinesisWindowEvent([]), shardId: undefined }, /`shardId` is undefined/],
    [
      'a flag that is not a boolean',
      { ...kinesisWindowEvent([]), isFinalInvokeForWindow: 'true' },
      /`isFinalInvokeForWindow` must be true or false; it is "true"/,
    ],
  ])('throws MalformedEventError for %s', async (_name, event, message) => {
    const error = await handler(event as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MalformedEventError)
    expect((error as Error).message).toMatch(message)
  })

  it('reads a missing state (the DefinitelyTyped event marks it optional) as a window that opens', async () => {
    const event = kinesisWindowEvent([{ id: 'a', cents: 3 }])
    delete event.state
    expect(await handler(event)).toEqual({ state: { 'pk-0': 3 }, batchItemFailures: [] })
  })

  it('checks the options when the handler is built', () => {
    const base = { schema: Sale, state: Totals, initial: () => ({}), reduce: (t: Record<string, number>) => t, onWindowEnd: () => {} }
    const build = (options: Record<string, unknown>) => () => kinesisWindowHandler({ ...base, ...options } as never)
    expect(build({ ordering: 'per-key' })).toThrow(ConfigurationError)
    expect(build({ ordering: 'per-key' })).toThrow(
      'kinesisWindowHandler: `ordering` does not apply to a window: records are reduced one at a time, in order, and any failure fails the whole invocation.',
    )
    expect(build({ concurrency: 4 })).toThrow(/`concurrency` does not apply to a window/)
    expect(build({ state: { n: 1 } })).toThrow(/`state` must be a Standard Schema validator for the window state/)
    expect(build({ reduce: undefined })).toThrow('kinesisWindowHandler: `reduce` must be a function; received undefined.')
    expect(build({ onWindowEnd: 'log' })).toThrow('kinesisWindowHandler: `onWindowEnd` must be a function; received "log".')
    expect(build({ decode: 'xml' })).toThrow(/kinesisWindowHandler: `decode` must be 'json', 'text', 'bytes' or a function/)
    expect(build({ onWindowStart: () => {} })).toThrow(/unknown option `onWindowStart`/)
    expect(build({ schema: undefined })).toThrow(/`schema` must be a Standard Schema validator/)
  })
})
