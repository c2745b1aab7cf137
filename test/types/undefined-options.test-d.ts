// Under exactOptionalPropertyTypes (this project's tsconfig, and many strict projects'), every
// optional handler option takes `undefined`, as the runtime does: a value read from configuration
// (`number | undefined`) passes straight through.
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbHandler,
  dynamodbWindowHandler,
  kinesisHandler,
  kinesisWindowHandler,
  logContext,
  sqsHandler,
  type KinesisMeta,
  type RecordLogger,
} from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number() })
type OrderOut = z.infer<typeof Order>

declare const maybe: {
  concurrency: number | undefined
  margin: number | undefined
  logger: RecordLogger | undefined
  flag: boolean | undefined
  bytes: number | undefined
}

describe('optional options take undefined', () => {
  it('the common options, on every handler', () => {
    const common = {
      ordering: undefined,
      concurrency: maybe.concurrency,
      onInvalid: undefined,
      allFailed: undefined,
      deadlineMarginMs: maybe.margin,
      logger: maybe.logger,
      logPayloads: maybe.flag,
    } as const
    kinesisHandler({ schema: Order, ...common }, (order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
      expectTypeOf(meta).toEqualTypeOf<KinesisMeta>()
    })
    sqsHandler({ schema: Order, ...common }, () => {})
    dynamodbHandler({ schema: Order, ...common }, () => {})
  })

  it("each source's own options", () => {
    kinesisHandler(
      { schema: Order, decode: undefined, maxInflatedBytes: maybe.bytes, maxUserRecords: undefined, eagerMeta: maybe.flag },
      () => {},
    )
    sqsHandler({ schema: Order, decode: undefined, envelope: undefined, eagerMeta: undefined }, () => {})
    dynamodbHandler({ schema: Order, streamViewType: undefined, unsafeNumbers: undefined }, (change) => {
      // No view given: the default view's change type, a MODIFY with both images.
      if (change.eventName === 'MODIFY') {
        expectTypeOf(change.oldImage).toEqualTypeOf<OrderOut>()
        expectTypeOf(change.newImage).toEqualTypeOf<OrderOut>()
      }
    })
    logContext({ keys: undefined })
  })

  it('the window handlers', () => {
    const windowed = {
      schema: Order,
      state: z.object({ n: z.number() }),
      initial: () => ({ n: 0 }),
      reduce: (s: { n: number }) => s,
      onWindowEnd: () => {},
      logger: undefined,
      deadlineMarginMs: undefined,
    }
    kinesisWindowHandler({ ...windowed, decode: undefined, maxInflatedBytes: undefined, maxUserRecords: undefined })
    dynamodbWindowHandler({ ...windowed, streamViewType: undefined, unsafeNumbers: undefined })
  })
})
