import { expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, silentLogger, type RecordOutcome } from 'lambda-stream-handlers'
import { dynamodbEvent, insert, modify, remove } from 'lambda-stream-handlers/testing'

const Item = z.object({ pk: z.string(), n: z.number() })
const reasons = (outcomes: readonly RecordOutcome[]) => outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}: ${o.reason.message}`))

it('an INSERT from a stream of another view type fails at once, not at the first MODIFY', async () => {
  const seen: string[] = []
  const handler = dynamodbHandler({ schema: Item, logger: silentLogger, allFailed: 'report' }, (change) => void seen.push(change.eventName))
  const report = await handler.process(
    dynamodbEvent([insert({ pk: 'a', n: 1 })], { schema: Item, keys: ['pk'], streamViewType: 'NEW_IMAGE' }),
  )
  expect(seen).toEqual([])
  expect(reasons(report.outcomes)).toEqual([
    `invalid: The INSERT record's StreamViewType is "NEW_IMAGE", which gives no OldImage, as streamViewType 'NEW_AND_OLD_IMAGES' promises; set the handler's streamViewType to the stream's view type.`,
  ])
})

it('a view that gives more images than the handler asks for passes; one that gives fewer fails, whatever the event', async () => {
  const events = (view: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES') =>
    dynamodbEvent([insert({ pk: 'a', n: 1 }), modify({ pk: 'a', n: 1 }, { pk: 'a', n: 2 }), remove({ pk: 'a', n: 2 })], {
      schema: Item,
      keys: ['pk'],
      streamViewType: view,
    })
  const statuses = async (
    handlerView: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES',
    view: Parameters<typeof events>[0],
  ) => {
    const handler = dynamodbHandler(
      {
        schema: handlerView === 'KEYS_ONLY' ? Item.pick({ pk: true }) : Item,
        streamViewType: handlerView,
        logger: silentLogger,
        allFailed: 'report',
        ordering: 'per-key',
      },
      () => {},
    )
    return (await handler.process(events(view))).outcomes[0]?.status
  }
  expect(await statuses('NEW_IMAGE', 'NEW_AND_OLD_IMAGES')).toBe('ok')
  expect(await statuses('KEYS_ONLY', 'OLD_IMAGE')).toBe('ok')
  expect(await statuses('NEW_IMAGE', 'OLD_IMAGE')).toBe('invalid')
  expect(await statuses('OLD_IMAGE', 'NEW_IMAGE')).toBe('invalid')
  expect(await statuses('NEW_AND_OLD_IMAGES', 'KEYS_ONLY')).toBe('invalid')
})
