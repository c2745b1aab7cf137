import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent } from 'aws-lambda'
import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbHandler,
  unmarshallImage,
  type BatchReport,
  type DynamoDBMeta,
  type ImageDiff,
  type ItemKey,
  type Middleware,
  type NativeValue,
  type StreamViewType,
} from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, modify, remove, ttlDelete } from 'lambda-stream-handlers/testing'

const Item = z.object({ id: z.string(), total: z.number(), placedAt: z.string().transform((s) => new Date(s)) })
type Item = z.output<typeof Item>

describe('dynamodbHandler types', () => {
  it('makes the change a union discriminated by eventName, with both images on NEW_AND_OLD_IMAGES (the default)', () => {
    dynamodbHandler(Item, (change, meta) => {
      expectTypeOf(meta).toEqualTypeOf<DynamoDBMeta>()
      expectTypeOf(change.eventName).toEqualTypeOf<'INSERT' | 'MODIFY' | 'REMOVE'>()
      expectTypeOf(change.keys).toEqualTypeOf<ItemKey>()
      if (change.eventName === 'INSERT') {
        expectTypeOf(change.newImage).toEqualTypeOf<Item>()
        // @ts-expect-error: an INSERT has no old image
        void change.oldImage
      } else if (change.eventName === 'MODIFY') {
        // No undefined to check for: the view promises both images.
        expectTypeOf(change.oldImage.placedAt).toEqualTypeOf<Date>()
        expectTypeOf(change.newImage.total).toEqualTypeOf<number>()
        expectTypeOf(change.diff()).toEqualTypeOf<ImageDiff<Item>>()
        expectTypeOf(change.diff().changed).toEqualTypeOf<readonly ('id' | 'total' | 'placedAt')[]>()
        change.diff().touches('total', 'placedAt')
        // @ts-expect-error: not an attribute of the item
        change.diff().touches('customer')
      } else {
        expectTypeOf(change.oldImage).toEqualTypeOf<Item>()
        // @ts-expect-error: a REMOVE has no new image
        void change.newImage
      }
    })
  })

  it('follows the view type named in the options', () => {
    dynamodbHandler({ schema: Item, streamViewType: 'NEW_IMAGE' }, (change) => {
      if (change.eventName === 'MODIFY') {
        expectTypeOf(change.newImage).toEqualTypeOf<Item>()
        // @ts-expect-error: a NEW_IMAGE stream has no old images
        void change.oldImage
        // @ts-expect-error: no diff without both images
        void change.diff
      }
      if (change.eventName === 'REMOVE') expectTypeOf(change).toEqualTypeOf<{ readonly eventName: 'REMOVE'; readonly keys: ItemKey }>()
    })
    dynamodbHandler({ schema: Item, streamViewType: 'OLD_IMAGE', ordering: 'per-key', concurrency: 2 }, (change) => {
      if (change.eventName === 'INSERT') {
        // @ts-expect-error: an OLD_IMAGE stream carries no image for an INSERT
        void change.newImage
      } else {
        expectTypeOf(change.oldImage).toEqualTypeOf<Item>()
      }
    })
    const Key = z.object({ pk: z.string(), sk: z.number() })
    dynamodbHandler({ schema: Key, streamViewType: 'KEYS_ONLY' }, (change) => {
      expectTypeOf(change.keys).toEqualTypeOf<{ pk: string; sk: number }>()
      // @ts-expect-error: keys only
      void change.newImage
    })
  })

  it('types the builder form and middleware the same way', () => {
    const stamp =
      <P, M>(): Middleware<P, M, { startedAt: number }> =>
      (next) =>
      (p, meta) =>
        next(p, { ...meta, startedAt: 1 })
    dynamodbHandler({ schema: Item, streamViewType: 'NEW_IMAGE' })
      .use(stamp())
      .handle((change, meta) => {
        expectTypeOf(meta.startedAt).toEqualTypeOf<number>()
        expectTypeOf(meta.ttlDelete).toEqualTypeOf<boolean>()
        if (change.eventName !== 'REMOVE') expectTypeOf(change.newImage.placedAt).toEqualTypeOf<Date>()
      })
  })

  it('types meta, the handler and onInvalid', () => {
    dynamodbHandler(Item, (_c, meta) => {
      expectTypeOf(meta.sequenceNumber).toEqualTypeOf<string>()
      expectTypeOf(meta.createdAt).toEqualTypeOf<Date | undefined>()
      expectTypeOf(meta.record).toEqualTypeOf<DynamoDBRecord>()
    })
    const handler = dynamodbHandler(
      { schema: Item, onInvalid: ({ record }) => expectTypeOf(record).toEqualTypeOf<DynamoDBRecord>() },
      () => {},
    )
    expectTypeOf(handler).parameter(0).toEqualTypeOf<DynamoDBStreamEvent | KinesisStreamEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<DynamoDBBatchResponse>()
    expectTypeOf(handler.process).returns.resolves.toEqualTypeOf<BatchReport>()
  })

  it('rejects what does not fit', () => {
    // @ts-expect-error: not a view type
    dynamodbHandler({ schema: Item, streamViewType: 'NEW' }, () => {})
    // @ts-expect-error: not a number mode
    dynamodbHandler({ schema: Item, unsafeNumbers: 'round' }, () => {})
    // @ts-expect-error: the change must be narrowed by eventName before reading an image
    dynamodbHandler(Item, (change) => change.newImage)
    const view: StreamViewType = 'KEYS_ONLY'
    void view
  })

  it('types the test kit by the schema input', () => {
    const a = { id: 'a', total: 1, placedAt: '2026-01-01' }
    dynamodbEvent([insert(a), modify(a, { ...a, total: 2 }), remove(a), ttlDelete(a)], { schema: Item, keys: ['id'] })
    // @ts-expect-error: total must be a number in the schema's input
    dynamodbEvent([insert({ id: 'a', total: '1', placedAt: '2026-01-01' })], { schema: Item })
    // @ts-expect-error: keys name attributes of the item
    dynamodbEvent([insert(a)], { schema: Item, keys: ['pk'] })
    dynamodbEvent([insert(attributeValues({ id: { S: 'a' }, total: { N: 'x' } }))], { schema: Item })
    dynamodbEvent([insert({ anything: 1 })], { keys: ['anything'] })
    const Status = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']) })
    dynamodbEvent([modify({ id: 'a', status: 'NEW' }, { id: 'a', status: 'PAID' }), remove(attributeValues({ id: { S: 'a' } }))], {
      schema: Status,
    })
    // @ts-expect-error: not a status
    dynamodbEvent([modify({ id: 'a', status: 'NEW' }, { id: 'a', status: 'LOST' })], { schema: Status })
  })

  it('types the unmarshaller', () => {
    expectTypeOf(unmarshallImage({})).toEqualTypeOf<Record<string, NativeValue>>()
  })
})
