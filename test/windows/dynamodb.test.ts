import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  ConfigurationError,
  dynamodbWindowHandler,
  MalformedEventError,
  silentLogger,
  WindowRecordError,
  WindowStateError,
  type WindowInfo,
} from 'lambda-stream-handlers'
import {
  attributeValues,
  dynamodbEvent,
  dynamodbWindowEvent,
  insert,
  modify,
  remove,
  runWindow,
  sampleEvents,
  ttlDelete,
  windowEvent,
} from 'lambda-stream-handlers/testing'

const Item = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
const Counts = z.record(z.string(), z.number().int())
const item = (id: string, status: 'NEW' | 'PAID', total: number) => ({ id, status, total })

/** Counts each change by a label that shows what reduce saw. */
function countingHandler() {
  const ended: { counts: Record<string, number>; window: WindowInfo }[] = []
  const handler = dynamodbWindowHandler({
    schema: Item,
    state: Counts,
    logger: silentLogger,
    initial: () => ({}),
    reduce: (counts, change, meta) => {
      let label: string
      if (change.eventName === 'INSERT') label = `insert ${change.newImage.status}`
      else if (change.eventName === 'MODIFY') label = `modify ${change.diff().changed.join('+') || 'nothing'}`
      else label = meta.ttlDelete ? 'ttl delete' : `remove ${change.oldImage.status}`
      counts[label] = (counts[label] ?? 0) + 1
      return counts
    },
    onWindowEnd: (counts, window) => void ended.push({ counts: { ...counts }, window }),
  })
  return { handler, ended }
}

describe('dynamodbWindowHandler', () => {
  it('reduces typed changes over several invocations, each once, and ends the window once with the whole aggregate', async () => {
    const { handler, ended } = countingHandler()
    const run = await runWindow(
      handler,
      [
        dynamodbEvent([insert(item('a', 'NEW', 1)), insert(item('b', 'NEW', 2))], { schema: Item }),
        dynamodbEvent([modify(item('a', 'NEW', 1), item('a', 'PAID', 1)), modify(item('b', 'NEW', 2), item('b', 'NEW', 3))], {
          schema: Item,
        }),
        dynamodbEvent([remove(item('a', 'PAID', 1)), ttlDelete(item('b', 'NEW', 3))], { schema: Item }),
        { Records: [] },
      ],
      { start: '2026-02-01T00:00:00Z', end: '2026-02-01T00:05:00Z', shardId: 'shardId-00000001700000000000-0a1b2c3d' },
    )
    const final = { 'insert NEW': 2, 'modify status': 1, 'modify total': 1, 'remove PAID': 1, 'ttl delete': 1 }
    expect(run.invocations.map((i) => ('response' in i ? i.response.state : i.error))).toEqual([
      { 'insert NEW': 2 },
      { 'insert NEW': 2, 'modify status': 1, 'modify total': 1 },
      final,
      final,
    ])
    expect(ended).toHaveLength(1)
    expect(ended[0]!.counts).toEqual(final)
    expect(ended[0]!.window).toMatchObject({
      start: new Date('2026-02-01T00:00:00Z'),
      shardId: 'shardId-00000001700000000000-0a1b2c3d',
      terminatedEarly: false,
    })
    expect(ended[0]!.window.eventSourceARN).toMatch(/^arn:aws:dynamodb:us-east-1:123456789012:table\/test-table\/stream\//)
  })

  it('follows streamViewType, as dynamodbHandler does', async () => {
    const seen: unknown[] = []
    const handler = dynamodbWindowHandler({
      schema: Item,
      state: Counts,
      streamViewType: 'NEW_IMAGE',
      initial: () => ({}),
      reduce: (counts, change) => {
        seen.push(change)
        return counts
      },
      onWindowEnd: () => {},
    })
    await handler(dynamodbWindowEvent([modify(item('a', 'NEW', 1), item('a', 'PAID', 1))], { schema: Item, streamViewType: 'NEW_IMAGE' }))
    expect(seen).toEqual([{ eventName: 'MODIFY', keys: { id: 'a' }, newImage: item('a', 'PAID', 1) }])
  })

  it('fails the whole invocation on an image the schema refuses, naming the image and the field', async () => {
    const { handler } = countingHandler()
    const event = dynamodbWindowEvent(
      [insert(item('a', 'NEW', 1)), insert(attributeValues({ id: { S: 'b' }, status: { S: 'LOST' }, total: { N: '1' } }))],
      {
        state: { 'insert NEW': 7 },
      },
    )
    const error = await handler(event).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WindowRecordError)
    expect((error as Error).message).toMatch(/^dynamodbWindowHandler: record \d+ invalid \(validation at NewImage\.status\)/)
  })

  it('refuses a bigint from a DynamoDB number in a state whose schema wants a number, and carries it through a codec', async () => {
    const Big = z.object({ id: z.string(), n: z.union([z.number(), z.bigint()]) })
    const big = dynamodbWindowEvent([insert(attributeValues({ id: { S: 'x' }, n: { N: '12345678901234567890' } }))])
    const plain = dynamodbWindowHandler({
      schema: Big,
      state: z.object({ sum: z.number() }),
      logger: silentLogger,
      initial: () => ({ sum: 0 }),
      reduce: (s, c) => (c.eventName === 'INSERT' ? ({ sum: BigInt(s.sum) + BigInt(c.newImage.n) } as never) : s),
      onWindowEnd: () => {},
    })
    await expect(plain(big)).rejects.toThrow(WindowStateError)
    await expect(plain(big)).rejects.toThrow(
      /the state after this batch does not match the `state` schema \(at sum: Invalid input: expected number, received bigint\)/,
    )

    const BigSum = z.object({
      sum: z.codec(z.string().regex(/^-?\d+$/), z.bigint(), { decode: (s) => BigInt(s), encode: (b) => b.toString() }),
    })
    const coded = dynamodbWindowHandler({
      schema: Big,
      state: BigSum,
      initial: () => ({ sum: 0n }),
      reduce: (s, c) => (c.eventName === 'INSERT' ? { sum: s.sum + BigInt(c.newImage.n) } : s),
      onWindowEnd: () => {},
    })
    const run = await runWindow(coded, [
      dynamodbEvent([insert(attributeValues({ id: { S: 'x' }, n: { N: '12345678901234567890' } }))]),
      dynamodbEvent([insert(attributeValues({ id: { S: 'y' }, n: { N: '1' } }))]),
    ])
    expect(run.state).toEqual({ sum: '12345678901234567891' })
  })

  it("accepts the AWS tutorial's sample records (spec §9.2) as a window event", async () => {
    const Message = z.object({ Id: z.number(), Message: z.string() })
    const handler = dynamodbWindowHandler({
      schema: Message,
      state: z.object({ changes: z.array(z.string()) }),
      initial: () => ({ changes: [] }),
      reduce: (s, c) => ({ changes: [...s.changes, `${c.eventName} ${c.keys.Id}`] }),
      onWindowEnd: () => {},
    })
    const event = windowEvent(sampleEvents.dynamodb(), {
      start: '2020-12-09T07:04:00Z',
      end: '2020-12-09T07:06:00Z',
      shardId: 'shardId-00000001607497475000-a1b2c3d4',
    })
    expect(await handler(event)).toEqual({ state: { changes: ['INSERT 101', 'MODIFY 101', 'REMOVE 101'] }, batchItemFailures: [] })
  })

  it('checks its options when built, and the event when called', async () => {
    const base = { schema: Item, state: Counts, initial: () => ({}), reduce: (c: Record<string, number>) => c, onWindowEnd: () => {} }
    expect(() => dynamodbWindowHandler({ ...base, streamViewType: 'ALL' } as never)).toThrow(ConfigurationError)
    expect(() => dynamodbWindowHandler({ ...base, streamViewType: 'ALL' } as never)).toThrow(
      /^dynamodbWindowHandler: `streamViewType` must be/,
    )
    expect(() => dynamodbWindowHandler({ ...base, ordering: 'per-key' } as never)).toThrow(
      /^dynamodbWindowHandler: `ordering` does not apply to a window/,
    )
    const handler = dynamodbWindowHandler(base)
    await expect(handler(dynamodbEvent([insert(item('a', 'NEW', 1))]) as never)).rejects.toThrow(MalformedEventError)
  })
})
