// Window state a stream or a careless reduce can make: nested too deep, keyed by `__proto__`,
// unreadable. Each ends in the library's own WindowStateError, never a crash or a silent loss.
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisWindowHandler, silentLogger, WindowRecordError, WindowStateError } from 'lambda-stream-handlers'
import { kinesisWindowEvent, lambdaContext } from 'lambda-stream-handlers/testing'

const Sale = z.object({ cents: z.number().int() })
const deep = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf
  for (let i = 0; i < levels; i++) v = i % 2 === 0 ? { a: v } : [v]
  return v
}

/** A Standard Schema that accepts any object as it is, as a validator without zod's `__proto__` rule would. */
const anyObject: StandardSchemaV1<Record<string, unknown>, Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (value) =>
      typeof value === 'object' && value !== null
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'not an object' }] },
  },
}

function handlerWith(state: StandardSchemaV1<Record<string, unknown>, unknown>, reduce: (s: never) => unknown = (s) => s) {
  return kinesisWindowHandler({
    schema: Sale,
    state: state as never,
    logger: silentLogger,
    initial: () => ({}) as never,
    reduce: reduce as never,
    onWindowEnd: () => {},
  })
}

describe('window state nested too deep', () => {
  it.each([
    ['z.record of z.json()', z.record(z.string(), z.json())],
    ['z.record of z.unknown()', z.record(z.string(), z.unknown())],
    ['a Standard Schema that keeps it as it is', anyObject],
  ])('incoming, 100,000 levels, %s: a WindowStateError that says so', async (_name, schema) => {
    const handler = handlerWith(schema as never)
    const event = kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: { x: deep(100_000) } as never })
    const error = await handler(event, lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(/^kinesisWindowHandler: the incoming window state is nested more than 256 levels deep/)
  })

  it('outgoing: a reduce that builds a state 100,000 levels deep fails the invocation with a WindowStateError', async () => {
    for (const schema of [z.record(z.string(), z.json()), anyObject]) {
      const handler = handlerWith(schema as never, () => ({ x: deep(100_000) }))
      const error = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext()).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WindowStateError)
      expect((error as Error).message).toMatch(/the window state is nested more than 256 levels deep/)
    }
  })

  it('outgoing: a codec whose JSON form is far deeper than the state fails with a WindowStateError', async () => {
    const Deep = z.codec(z.record(z.string(), z.json()), z.object({ n: z.number() }), {
      decode: () => ({ n: 1 }),
      encode: () => ({ x: deep(100_000) as never }),
    })
    const handler = handlerWith(Deep as never, () => ({ n: 1 }))
    const error = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(/the window state is nested too deeply for the state schema to encode/)
    // A JSON form the schema does not look into: the JSON check stops at 256 levels.
    const Opaque = z.codec(z.record(z.string(), z.unknown()), z.object({ n: z.number() }), {
      decode: () => ({ n: 1 }),
      encode: () => ({ x: deep(300) }),
    })
    const opaque = handlerWith(Opaque as never, () => ({ n: 1 }))
    await expect(opaque(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext())).rejects.toThrow(
      /cannot travel to Lambda as JSON: the state is nested more than 256 levels deep/,
    )
  })

  it('256 levels are fine, both ways', async () => {
    const handler = handlerWith(z.record(z.string(), z.json()) as never)
    const state = { x: deep(255) } as never
    expect((await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state }), lambdaContext())).state).toEqual(state)
  })
})

describe('a `__proto__` key in the window state survives as an own property, or fails loudly', () => {
  // What Lambda's runtime hands the handler: JSON.parse, which makes `__proto__` an own property.
  const incoming = JSON.parse('{"totals": {"__proto__": 5, "a": 1}}') as never

  it('zod drops `__proto__` keys from objects and records: the incoming state fails, naming where', async () => {
    for (const schema of [
      z.object({ totals: z.record(z.string(), z.number()) }),
      z.object({ totals: z.object({ a: z.number() }).loose() }),
    ]) {
      const handler = handlerWith(schema as never)
      const error = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: incoming }), lambdaContext()).catch(
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(WindowStateError)
      expect((error as Error).message).toMatch(
        /the incoming window state has a `__proto__` key at state\.totals, which the state schema dropped/,
      )
    }
  })

  it('a Map codec whose JSON form is an object loses it in the record before the codec: fails loudly too', async () => {
    const MapState = z.codec(z.record(z.string(), z.number()), z.map(z.string(), z.number()), {
      decode: (r) => new Map(Object.entries(r)),
      encode: (m) => Object.fromEntries(m),
    })
    const handler = handlerWith(MapState as never)
    const error = await handler(
      kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: JSON.parse('{"__proto__": 5, "a": 1}') as never }),
      lambdaContext(),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(/has a `__proto__` key at state, which the state schema dropped/)
  })

  it('outgoing: a Map holding a `__proto__` key, behind a codec whose JSON form is a record, fails instead of losing it', async () => {
    const State = z.object({
      seen: z.codec(z.record(z.string(), z.number()), z.map(z.string(), z.number()), {
        decode: (r) => new Map(Object.entries(r)),
        encode: (m) => Object.fromEntries(m),
      }),
    })
    const handler = handlerWith(State as never, () => ({
      seen: new Map([
        ['__proto__', 1],
        ['a', 2],
      ]),
    }))
    const error = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(/has a `__proto__` key at state\.seen, which the state schema dropped when encoding it/)
  })

  it('a schema that keeps it: it reaches reduce as an own property and goes out again', async () => {
    const seen: boolean[] = []
    const handler = handlerWith(anyObject as never, (s: { totals: Record<string, number> }) => {
      seen.push(Object.hasOwn(s.totals, '__proto__'))
      return s
    })
    const response = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: incoming }), lambdaContext())
    expect(seen).toEqual([true])
    expect(JSON.stringify(response.state)).toBe('{"totals":{"__proto__":5,"a":1}}')
  })

  it('outgoing: a reduce that keeps the key in a null-prototype object, under a zod schema that drops it, fails instead of losing it', async () => {
    const state = Object.create(null) as Record<string, number>
    state.a = 1
    Reflect.set(state, '__proto__', 2) // an own key: a null-prototype object has no `__proto__` setter
    const handler = handlerWith(z.record(z.string(), z.number()) as never, () => state)
    const error = await handler(kinesisWindowEvent([{ cents: 1 }], { schema: Sale }), lambdaContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowStateError)
    expect((error as Error).message).toMatch(
      /the window state has a `__proto__` key at state, which the state schema dropped when encoding it/,
    )
  })
})

describe('window state that cannot be read', () => {
  it('a getter that throws, incoming or outgoing: WindowStateError, with the reason', async () => {
    const hostile = Object.defineProperty({}, 'a', {
      enumerable: true,
      get() {
        throw new Error('getter says no')
      },
    })
    const incoming = await handlerWith(z.record(z.string(), z.number()) as never)(
      kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: hostile as never }),
      lambdaContext(),
    ).catch((e: unknown) => e)
    expect(incoming).toBeInstanceOf(WindowStateError)
    expect((incoming as Error).message).toMatch(/^kinesisWindowHandler: the incoming window state cannot be read: getter says no/)
    const outgoing = await handlerWith(anyObject as never, () => hostile)(
      kinesisWindowEvent([{ cents: 1 }], { schema: Sale }),
      lambdaContext(),
    ).catch((e: unknown) => e)
    expect(outgoing).toBeInstanceOf(WindowStateError)
    expect((outgoing as Error).message).toMatch(/^kinesisWindowHandler: the window state cannot be read: getter says no/)
  })

  it('a revoked Proxy: as the incoming state a WindowStateError; returned by reduce, a failed record (WindowRecordError)', async () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const incoming = await handlerWith(anyObject as never)(
      kinesisWindowEvent([{ cents: 1 }], { schema: Sale, state: proxy as never }),
      lambdaContext(),
    ).catch((e: unknown) => e)
    expect(incoming).toBeInstanceOf(WindowStateError)
    expect((incoming as Error).message).toMatch(/the incoming window state cannot be read: Cannot perform/)
    const reduced = await handlerWith(anyObject as never, () => proxy)(
      kinesisWindowEvent([{ cents: 1 }], { schema: Sale }),
      lambdaContext(),
    ).catch((e: unknown) => e)
    expect(reduced).toBeInstanceOf(WindowRecordError)
  })
})
