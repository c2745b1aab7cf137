// The middleware contract the README documents: order, meta growth, thrown errors as outcomes.
import { expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger, type BaseMeta, type Middleware } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string() })

const trace =
  <P, M extends BaseMeta>(name: string, log: string[]): Middleware<P, M, Record<string, string>> =>
  (next) =>
  async (payload, meta) => {
    log.push(`${name} in`)
    try {
      return await next(payload, { ...meta, [name]: `set by ${name}` })
    } finally {
      log.push(`${name} out`)
    }
  }

it('runs middleware in the order written, the first outermost, each adding to meta', async () => {
  const log: string[] = []
  let seen: unknown
  const handler = kinesisHandler(Order)
    .use(trace('a', log))
    .use(trace('b', log))
    .handle((_order, meta) => {
      log.push('record function')
      seen = { a: meta.a, b: meta.b }
    })
  await handler(kinesisEvent([{ orderId: 'o-1' }]), lambdaContext())
  expect(log).toEqual(['a in', 'b in', 'record function', 'b out', 'a out'])
  expect(seen).toEqual({ a: 'set by a', b: 'set by b' })
})

it("what a middleware throws is that record's outcome; the record function does not run", async () => {
  const runs: string[] = []
  const guard =
    <M extends BaseMeta>(): Middleware<{ orderId: string }, M> =>
    (next) =>
    (order, meta) => {
      if (order.orderId === 'blocked') throw new Error('blocked by the guard middleware')
      return next(order, meta)
    }
  const handler = kinesisHandler({ schema: Order, ordering: 'unordered', logger: silentLogger })
    .use(guard())
    .handle((order) => void runs.push(order.orderId))
  const event = kinesisEvent([{ orderId: 'blocked' }, { orderId: 'o-2' }])
  const report = await handler.process(event, lambdaContext())
  expect(report.outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status} (${o.reason.kind}): ${o.reason.message}`))).toEqual([
    'failed (handler): blocked by the guard middleware',
    'ok',
  ])
  expect(runs).toEqual(['o-2'])
})
