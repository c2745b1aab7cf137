import type { KinesisStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, kinesisWindowHandler } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { dynamodbEvent, insert, kinesisEvent, lambdaContext, runWindow } from 'lambda-stream-handlers/testing'

const Order = z.object({ id: z.string(), total: z.number() })
const o = (id: string): z.input<typeof Order> => ({ id, total: 1 })
const increasing = (numbers: readonly string[]): boolean => numbers.every((n, i) => i === 0 || BigInt(n) > BigInt(numbers[i - 1]!))

describe('kinesisEvent ids', () => {
  it('are new on every call, increasing within an event and from one event to the next, 56 digits as Kinesis gives', () => {
    const a = kinesisEvent([o('a'), o('b')]).Records
    const b = kinesisEvent([o('a'), o('b')]).Records
    const sequences = [...a, ...b].map((r) => r.kinesis.sequenceNumber)
    expect(increasing(sequences)).toBe(true)
    for (const s of sequences) expect(s).toMatch(/^[1-9]\d{55}$/)
    expect(new Set([...a, ...b].map((r) => r.eventID)).size).toBe(4)
    for (const r of [...a, ...b]) expect(r.eventID).toBe(`shardId-000000000000:${r.kinesis.sequenceNumber}`)
  })

  it('are the same when firstSequenceNumber is given: a test can build a redelivery', () => {
    const first = '49590338271490256608559692538361571095921575989136588898'
    const a = kinesisEvent([o('a'), o('b')], { firstSequenceNumber: first })
    const b = kinesisEvent([o('a'), o('b')], { firstSequenceNumber: first })
    expect(b.Records.map((r) => r.eventID)).toEqual(a.Records.map((r) => r.eventID))
    expect(a.Records[0]!.kinesis.sequenceNumber).toBe(first)
  })
})

describe('dynamodbEvent ids', () => {
  it('are new on every call: SequenceNumber increasing, eventID a new 32-hex id', () => {
    const a = dynamodbEvent([insert(o('a')), insert(o('b'))]).Records
    const b = dynamodbEvent([insert(o('a'))]).Records
    const all = [...a, ...b]
    expect(increasing(all.map((r) => r.dynamodb!.SequenceNumber!))).toBe(true)
    expect(new Set(all.map((r) => r.eventID)).size).toBe(3)
    for (const r of all) expect(r.eventID).toMatch(/^[0-9a-f]{32}$/)
  })

  it('are the same when firstSequenceNumber is given', () => {
    const ids = (): unknown[] =>
      dynamodbEvent([insert(o('a'))], { firstSequenceNumber: 100n }).Records.map((r) => [r.eventID, r.dynamodb?.SequenceNumber])
    expect(ids()).toEqual(ids())
  })
})

describe("two events built in one test both run under idempotent()'s default key", () => {
  it('Kinesis', async () => {
    const seen: string[] = []
    const handler = kinesisHandler(Order)
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore() }))
      .handle((order) => {
        seen.push(order.id)
      })
    expect(await handler(kinesisEvent([o('a')]), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(await handler(kinesisEvent([o('b')]), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['a', 'b'])
  })

  it('DynamoDB Streams', async () => {
    const seen: string[] = []
    const handler = dynamodbHandler(Order)
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore() }))
      .handle((change) => {
        if (change.eventName === 'INSERT') seen.push(change.newImage.id)
      })
    await handler(dynamodbEvent([insert(o('a'))], { schema: Order }), lambdaContext())
    await handler(dynamodbEvent([insert(o('b'))], { schema: Order }), lambdaContext())
    expect(seen).toEqual(['a', 'b'])
  })

  it('while the same event built twice with firstSequenceNumber is a redelivery, run once', async () => {
    const seen: string[] = []
    const handler = kinesisHandler(Order)
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore() }))
      .handle((order) => {
        seen.push(order.id)
      })
    await handler(kinesisEvent([o('a')], { firstSequenceNumber: 1000n }), lambdaContext())
    await handler(kinesisEvent([o('a')], { firstSequenceNumber: 1000n }), lambdaContext())
    expect(seen).toEqual(['a'])
  })
})

it('runWindow: the batches of one window repeat no sequence number, and each reads as later on the shard', async () => {
  const handler = kinesisWindowHandler({
    schema: Order,
    state: z.object({ n: z.number() }),
    initial: () => ({ n: 0 }),
    reduce: (state) => ({ n: state.n + 1 }),
    onWindowEnd: () => {},
  })
  const run = await runWindow(handler, [kinesisEvent([o('a'), o('b')]), kinesisEvent([o('c')]), kinesisEvent([o('d'), o('e')])])
  const sequences = run.invocations.flatMap((i) => (i.event as unknown as KinesisStreamEvent).Records.map((r) => r.kinesis.sequenceNumber))
  expect(sequences).toHaveLength(5)
  expect(increasing(sequences)).toBe(true)
  expect(run.state).toEqual({ n: 5 })
})
