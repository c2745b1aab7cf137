import { afterEach, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, silentLogger } from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, modify } from 'lambda-stream-handlers/testing'

// An async schema (an async refine, such as a lookup): its validation returns a Promise.
const Item = z.object({ id: z.string(), total: z.number() }).refine(async (v) => v.total >= 0, 'negative')
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('dynamodbHandler: a MODIFY with an async schema and a malformed OldImage', () => {
  const unhandled: unknown[] = []
  const listener = (reason: unknown) => void unhandled.push(reason)
  afterEach(() => {
    process.off('unhandledRejection', listener)
  })

  it('reports the OldImage and leaves no unhandled rejection from the NewImage validation', async () => {
    process.on('unhandledRejection', listener)
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, allFailed: 'report' }, () => {})
    // The NewImage fails the async refine (a rejection); the OldImage's N is not a number (a synchronous throw).
    const event = dynamodbEvent([
      modify(attributeValues({ id: { S: 'a' }, total: { N: 'abc' } }), attributeValues({ id: { S: 'a' }, total: { N: '-1' } })),
    ])
    const report = await handler.process(event)
    expect(report.outcomes[0]).toMatchObject({
      status: 'invalid',
      reason: { kind: 'decode', path: 'OldImage.total', message: 'OldImage.total has an N that is not a decimal number.' },
    })
    await macrotask()
    await macrotask()
    expect(unhandled).toEqual([])
  })
})
