// Under exactOptionalPropertyTypes (this project's tsconfig), every optional Kafka option takes
// `undefined`, as the other sources' options do: a setting read from configuration passes straight
// through, and the key and payload types account for the default `undefined` means.
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  kafkaFilter,
  kafkaHandler,
  kafkaParser,
  type KafkaKeyDecode,
  type KafkaTombstones,
  type RecordLogger,
} from 'lambda-stream-handlers'
import { kafkaEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })
type OrderOut = z.infer<typeof Order>

declare const maybe: {
  concurrency: number | undefined
  bytes: number | undefined
  logger: RecordLogger | undefined
  keyBytes: 'bytes' | undefined
  key: KafkaKeyDecode | undefined
  toSchema: 'schema' | undefined
  tombstones: KafkaTombstones | undefined
  text: string | undefined
}

describe('kafkaHandler: optional options take undefined', () => {
  it('every option, given as undefined, means its default: a text key and a payload that may be null', () => {
    kafkaHandler(
      {
        schema: Order,
        decode: undefined,
        key: undefined,
        tombstones: undefined,
        wireFormat: undefined,
        maxInflatedBytes: maybe.bytes,
        ordering: undefined,
        concurrency: maybe.concurrency,
        onInvalid: undefined,
        allFailed: undefined,
        deadlineMarginMs: undefined,
        logger: maybe.logger,
        logPayloads: undefined,
      },
      (order, meta) => {
        expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
        expectTypeOf(meta.key).toEqualTypeOf<string | undefined>()
      },
    )
    kafkaHandler({ schema: Order, key: undefined, tombstones: undefined }).handle((order, meta) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
      expectTypeOf(meta.key).toEqualTypeOf<string | undefined>()
    })
  })

  it('a key option that may be undefined types meta.key as either decoding', () => {
    kafkaHandler({ schema: Order, key: maybe.keyBytes }, (_order, meta) => {
      expectTypeOf(meta.key).toEqualTypeOf<Uint8Array | string | undefined>()
    })
    kafkaHandler({ schema: Order, key: 'bytes' }, (_order, meta) => {
      expectTypeOf(meta.key).toEqualTypeOf<Uint8Array | undefined>()
    })
  })

  it("a tombstones option that may be undefined keeps the payload's null: the default passes tombstones", () => {
    kafkaHandler({ schema: Order, tombstones: maybe.toSchema }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
    })
    kafkaHandler({ schema: Order, tombstones: maybe.tombstones }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut | null>()
    })
    kafkaHandler({ schema: Order, tombstones: 'schema' }, (order) => {
      expectTypeOf(order).toEqualTypeOf<OrderOut>()
    })
  })

  it('a misspelt option is still refused', () => {
    // @ts-expect-error: `tombstone` is not an option
    kafkaHandler({ schema: Order, tombstone: 'schema' }, () => {})
  })
})

describe('kafkaParser: optional options take undefined', () => {
  it('its decoding options, with the payload typed as the handler types it', () => {
    const parse = kafkaParser({
      schema: Order,
      decode: undefined,
      key: maybe.key,
      tombstones: undefined,
      wireFormat: undefined,
      maxInflatedBytes: maybe.bytes,
    })
    expectTypeOf(parse).returns.toEqualTypeOf<OrderOut | null>()
    expectTypeOf(kafkaParser({ schema: Order, tombstones: maybe.toSchema })).returns.toEqualTypeOf<OrderOut | null>()
  })
})

describe('the test kit and the filter', () => {
  it('kafkaEvent takes undefined for every option', () => {
    kafkaEvent([{ orderId: 'o-1', total: 1 }, null], {
      schema: Order,
      source: undefined,
      topic: maybe.text,
      partition: undefined,
      firstOffset: undefined,
      key: maybe.text,
      headers: undefined,
      timestamp: undefined,
      timestampType: undefined,
      schemaId: undefined,
      keySchemaMetadata: undefined,
      valueSchemaMetadata: undefined,
      gzip: undefined,
      clusterName: maybe.text,
      region: undefined,
      accountId: undefined,
    })
  })

  it('kafkaFilter has no options; a pattern field given as undefined is refused, as every filter refuses it', () => {
    kafkaFilter(Order, { value: { total: [{ numeric: ['>=', 100] }] } })
    // @ts-expect-error: JSON drops an undefined field, and the pattern would match records it was meant to exclude
    kafkaFilter(Order, { value: { total: maybe.text === undefined ? undefined : [{ numeric: ['>=', 100] }] } })
  })
})
