import { Metrics } from '@aws-lambda-powertools/metrics'
import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  kinesisHandler,
  metrics,
  sqsHandler,
  type BatchHook,
  type RecordOutcome,
  type BatchStart,
  type Middleware,
} from 'lambda-stream-handlers'
import { renderTimeline, type MappingReport, type TimelineOptions } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })

it('takes a Powertools Metrics instance and keeps the payload and meta types', () => {
  const cloudwatch = new Metrics({ namespace: 'orders' })
  kinesisHandler(Order)
    .use(metrics({ metrics: cloudwatch }))
    .handle((order, meta) => {
      expectTypeOf(order).toEqualTypeOf<{ orderId: string; total: number }>()
      expectTypeOf(meta.shardId).toEqualTypeOf<string>()
    })
  sqsHandler(Order).use(metrics({ metrics: cloudwatch }))
  // @ts-expect-error a logger is not a Metrics instance
  metrics({ metrics: { info: () => {} } })
  // @ts-expect-error the option is required
  metrics({})
})

it('a middleware may carry a batch-level hook that returns the report', () => {
  const hook: BatchHook = async (start, run) => {
    expectTypeOf(start).toEqualTypeOf<BatchStart>()
    expectTypeOf(start.arrivals()).toEqualTypeOf<(number | undefined)[]>()
    const report = await run()
    expectTypeOf(report.outcomes).toEqualTypeOf<readonly RecordOutcome[]>()
    return report
  }
  const mw: Middleware<unknown, object> = Object.assign((next: (p: unknown, m: object) => unknown) => next, { batch: hook })
  expectTypeOf(mw.batch).toEqualTypeOf<BatchHook | undefined>()
  // @ts-expect-error a batch hook must return the report
  const wrong: Middleware<unknown, object> = Object.assign((next: (p: unknown, m: object) => unknown) => next, { batch: async () => 1 })
  void wrong
})

it('renderTimeline takes a report and returns the page', () => {
  expectTypeOf(renderTimeline).parameters.toEqualTypeOf<[MappingReport, TimelineOptions?]>()
  expectTypeOf(renderTimeline).returns.toEqualTypeOf<string>()
})
