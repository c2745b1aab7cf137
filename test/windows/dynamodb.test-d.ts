import { describe, expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import {
  dynamodbWindowHandler,
  type DynamoDBChange,
  type DynamoDBMeta,
  type DynamoDBWindowEvent,
  type WindowResponse,
} from 'lambda-stream-handlers'
import { dynamodbEvent, dynamodbWindowEvent, insert, runWindow, type WindowRun } from 'lambda-stream-handlers/testing'

const Item = z.object({ id: z.string(), total: z.number() })
type Item = z.output<typeof Item>
const Totals = z.object({ sum: z.number() })

describe('dynamodbWindowHandler types', () => {
  it('gives reduce the typed change union (NEW_AND_OLD_IMAGES by default) and the DynamoDB meta', () => {
    const handler = dynamodbWindowHandler({
      schema: Item,
      state: Totals,
      initial: () => ({ sum: 0 }),
      reduce: (state, change, meta) => {
        expectTypeOf(change).toEqualTypeOf<DynamoDBChange<Item>>()
        expectTypeOf(meta).toEqualTypeOf<DynamoDBMeta>()
        if (change.eventName === 'MODIFY') expectTypeOf(change.oldImage).toEqualTypeOf<Item>()
        if (change.eventName === 'INSERT') return { sum: state.sum + change.newImage.total }
        return state
      },
      onWindowEnd: (state) => {
        expectTypeOf(state).toEqualTypeOf<{ sum: number }>()
      },
    })
    expectTypeOf(handler).parameter(0).toEqualTypeOf<DynamoDBWindowEvent>()
    expectTypeOf(handler).returns.resolves.toEqualTypeOf<WindowResponse<{ sum: number }>>()
  })

  it('types the change by streamViewType', () => {
    dynamodbWindowHandler({
      schema: Item,
      state: Totals,
      streamViewType: 'KEYS_ONLY',
      initial: () => ({ sum: 0 }),
      reduce: (state, change) => {
        expectTypeOf(change).toEqualTypeOf<DynamoDBChange<Item, 'KEYS_ONLY'>>()
        // @ts-expect-error: a KEYS_ONLY stream carries no images
        change.newImage
        return state
      },
      onWindowEnd: () => {},
    })
    dynamodbWindowHandler({
      schema: Item,
      state: Totals,
      streamViewType: 'NEW_IMAGE',
      initial: () => ({ sum: 0 }),
      reduce: (state, change) => {
        if (change.eventName === 'MODIFY') {
          expectTypeOf(change.newImage).toEqualTypeOf<Item>()
          // @ts-expect-error: a NEW_IMAGE stream has no old image
          change.oldImage
        }
        return state
      },
      onWindowEnd: () => {},
    })
  })

  it('types the test kit', async () => {
    const handler = dynamodbWindowHandler({
      schema: Item,
      state: Totals,
      initial: () => ({ sum: 0 }),
      reduce: (s) => s,
      onWindowEnd: () => {},
    })
    expectTypeOf(dynamodbWindowEvent([insert({ id: 'a', total: 1 })], { schema: Item, final: true })).toEqualTypeOf<DynamoDBWindowEvent>()
    // @ts-expect-error: total must be a number in the schema's input
    dynamodbWindowEvent([insert({ id: 'a', total: '1' })], { schema: Item })
    const run = await runWindow(handler, [dynamodbEvent([insert({ id: 'a', total: 1 })], { schema: Item })])
    expectTypeOf(run).toEqualTypeOf<WindowRun<{ sum: number }>>()
  })
})
