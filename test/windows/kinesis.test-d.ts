import type { Context } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  kinesisWindowHandler,
  type KinesisMeta,
  type KinesisWindowEvent,
  type WindowInfo,
  type WindowResponse,
} from 'lambda-stream-handlers'
import { kinesisEvent, kinesisWindowEvent, runWindow, type WindowRun } from 'lambda-stream-handlers/testing'

const Sale = z.object({ cents: z.number(), at: z.string().transform((s) => new Date(s)) })
const Totals = z.record(z.string(), z.number())

describe('kinesisWindowHandler types', () => {
  it('types the state as the state schema output and the payload as the record schema output', () => {
    kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      initial: () => ({}),
      reduce: (state, sale, meta) => {
        expectTypeOf(state).toEqualTypeOf<Record<string, number>>()
        expectTypeOf(sale).toEqualTypeOf<{ cents: number; at: Date }>()
        expectTypeOf(meta).toEqualTypeOf<KinesisMeta>()
        return state
      },
      onWindowEnd: (state, window) => {
        expectTypeOf(state).toEqualTypeOf<Record<string, number>>()
        expectTypeOf(window).toEqualTypeOf<WindowInfo>()
        expectTypeOf(window.start).toEqualTypeOf<Date>()
        expectTypeOf(window.terminatedEarly).toEqualTypeOf<boolean>()
        expectTypeOf(window.context).toEqualTypeOf<Context | undefined>()
      },
    })
  })

  it('lets reduce be async', () => {
    kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      initial: () => ({}),
      reduce: async (state) => state,
      onWindowEnd: async () => {},
    })
  })

  it('gives reduce and onWindowEnd the decoded side of a codec, and the response its JSON side', () => {
    const State = z.object({
      seen: z.codec(z.record(z.string(), z.number()), z.map(z.string(), z.number()), {
        decode: (r) => new Map(Object.entries(r)),
        encode: (m) => Object.fromEntries(m),
      }),
    })
    const handler = kinesisWindowHandler({
      schema: Sale,
      state: State,
      initial: () => ({ seen: new Map<string, number>() }),
      reduce: (state) => {
        expectTypeOf(state.seen).toEqualTypeOf<Map<string, number>>()
        return state
      },
      onWindowEnd: (state) => {
        expectTypeOf(state.seen).toEqualTypeOf<Map<string, number>>()
      },
    })
    expectTypeOf(handler).parameter(0).toEqualTypeOf<KinesisWindowEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<WindowResponse<{ seen: Record<string, number> }>>()
  })

  it('rejects what does not fit', () => {
    kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      initial: () => ({}),
      // @ts-expect-error: reduce must return the state
      reduce: (state) => state.total,
      onWindowEnd: () => {},
    })
    kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      // @ts-expect-error: the initial state must match the state schema
      initial: () => [],
      reduce: (state) => state,
      onWindowEnd: () => {},
    })
    kinesisWindowHandler({
      schema: Sale,
      state: Totals,
      initial: () => ({}),
      // @ts-expect-error: the payload has no such field
      reduce: (state, sale) => ({ ...state, [sale.customer]: 1 }),
      onWindowEnd: () => {},
    })
    kinesisWindowHandler({
      schema: Sale,
      // @ts-expect-error: a state whose JSON side holds a Date cannot travel as JSON; use a codec
      state: z.object({ at: z.date() }),
      initial: () => ({ at: new Date() }),
      reduce: (state) => state,
      onWindowEnd: () => {},
    })
    kinesisWindowHandler({
      schema: Sale,
      // @ts-expect-error: the state is a JSON object, not a number
      state: z.number(),
      initial: () => 0,
      reduce: (state) => state,
      onWindowEnd: () => {},
    })
    // @ts-expect-error: onWindowEnd is required
    kinesisWindowHandler({ schema: Sale, state: Totals, initial: () => ({}), reduce: (state) => state })
  })

  it('types the test kit: events, and a run whose state is the JSON side', async () => {
    const handler = kinesisWindowHandler({ schema: Sale, state: Totals, initial: () => ({}), reduce: (s) => s, onWindowEnd: () => {} })
    expectTypeOf(kinesisWindowEvent([{ cents: 1, at: '2026-01-01' }], { schema: Sale, final: true })).toEqualTypeOf<KinesisWindowEvent>()
    // @ts-expect-error: cents must be a number in the schema's input
    kinesisWindowEvent([{ cents: '1', at: '2026-01-01' }], { schema: Sale })
    const run = await runWindow(handler, [kinesisEvent([{ cents: 1, at: '2026-01-01' }], { schema: Sale })])
    expectTypeOf(run).toEqualTypeOf<WindowRun<Record<string, number>>>()
  })
})
