// Issue 26: kafkaEvent() gave offsets from 0 on every call, so under idempotent()'s default key
// (`<topic>-<partition>:<offset>`) a second event built in the same test was taken for a redelivery.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kafkaHandler, type KafkaEvent } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kafkaEvent, lambdaContext } from 'lambda-stream-handlers/testing'

const Order = z.object({ id: z.string(), total: z.number() })
const o = (id: string): z.input<typeof Order> => ({ id, total: 1 })
const offsets = (event: KafkaEvent, group: string): number[] => (event.records[group] ?? []).map((r) => r.offset)

describe('kafkaEvent offsets', () => {
  it('are new on every call and increase per partition, from one event to the next', () => {
    const a = kafkaEvent([o('a'), o('b'), o('c')], { topic: 'orders', partition: (_p, i) => i % 2 })
    const b = kafkaEvent([o('d'), o('e')], { topic: 'orders', partition: (_p, i) => i % 2 })
    for (const group of ['orders-0', 'orders-1']) {
      const all = [...offsets(a, group), ...offsets(b, group)]
      expect(all.every((n, i) => i === 0 || n === all[i - 1]! + 1)).toBe(true)
      for (const n of all) expect(Number.isSafeInteger(n) && n >= 0).toBe(true)
    }
    expect(offsets(a, 'orders-0')).toHaveLength(2)
    expect(offsets(b, 'orders-0')[0]).toBe(offsets(a, 'orders-0')[1]! + 1)
  })

  it('are the same when firstOffset is given: a test can build a redelivery, or compare with fixed offsets', () => {
    const build = (): KafkaEvent => kafkaEvent([o('a'), o('b')], { topic: 'orders', firstOffset: 100 })
    expect(offsets(build(), 'orders-0')).toEqual([100, 101])
    expect(offsets(build(), 'orders-0')).toEqual([100, 101])
    expect(offsets(kafkaEvent([o('a')], { topic: 'orders', firstOffset: 0 }), 'orders-0')).toEqual([0])
  })

  it('refuses a firstOffset a handler cannot report exactly', () => {
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => kafkaEvent([o('a')], { firstOffset: bad })).toThrow(
        `kafkaEvent: firstOffset must be a whole number from 0 to 2^53 − 1; received ${bad}.`,
      )
    }
  })
})

describe("two Kafka events built in one test both run under idempotent()'s default key", () => {
  const handler = (seen: string[]) =>
    kafkaHandler(Order)
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore() }))
      .handle((order) => {
        if (order !== null) seen.push(order.id)
      })

  it('each event runs', async () => {
    const seen: string[] = []
    const run = handler(seen)
    expect(await run(kafkaEvent([o('a')], { topic: 'orders' }), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(await run(kafkaEvent([o('b')], { topic: 'orders' }), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['a', 'b'])
  })

  it('while the same event built twice with firstOffset is a redelivery, run once', async () => {
    const seen: string[] = []
    const run = handler(seen)
    await run(kafkaEvent([o('a')], { topic: 'orders', firstOffset: 1000 }), lambdaContext())
    await run(kafkaEvent([o('a')], { topic: 'orders', firstOffset: 1000 }), lambdaContext())
    expect(seen).toEqual(['a'])
  })
})
