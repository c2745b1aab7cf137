import { beforeEach, expect, it } from 'vitest'
import { WindowRecordError, WindowStateError } from 'lambda-stream-handlers'
import {
  kinesisEvent,
  kinesisWindowEvent,
  lambdaContext,
  raw,
  runWindow,
  sampleWindowEvents,
  windowEvent,
} from 'lambda-stream-handlers/testing'
import { handler, published, Sale } from './totals.js'

beforeEach(() => {
  published.length = 0
})

it('sums each partition key over a window of three invocations and publishes the totals once', async () => {
  const run = await runWindow(
    handler,
    [
      kinesisEvent([{ cents: 100 }, { cents: 250 }], { schema: Sale, partitionKey: (_s, i) => ['store-1', 'store-2'][i]! }),
      kinesisEvent([{ cents: 5 }], { schema: Sale, partitionKey: 'store-1' }),
      { Records: [] }, // a final invocation may carry no records
    ],
    { start: '2026-06-01T12:00:00Z', end: '2026-06-01T12:05:00Z', shardId: 'shardId-000000000001', context: () => lambdaContext() },
  )
  expect(run.invocations.map((i) => ('response' in i ? i.response.state : i.error))).toEqual([
    {
      totals: [
        ['store-1', 100],
        ['store-2', 250],
      ],
    },
    {
      totals: [
        ['store-1', 105],
        ['store-2', 250],
      ],
    },
    {
      totals: [
        ['store-1', 105],
        ['store-2', 250],
      ],
    },
  ])
  expect(published).toEqual([
    {
      key: 'shardId-000000000001/2026-06-01T12:00:00.000Z',
      totals: new Map([
        ['store-1', 105],
        ['store-2', 250],
      ]),
      early: false,
    },
  ])
})

it('keeps any partition key: __proto__, constructor and toString are keys like the others, across invocations', async () => {
  const keys = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'store-1']
  const run = await runWindow(handler, [
    kinesisEvent([{ cents: 1 }, { cents: 2 }, { cents: 3 }, { cents: 4 }, { cents: 5 }], {
      schema: Sale,
      partitionKey: (_s, i) => keys[i]!,
    }),
    kinesisEvent([{ cents: 10 }, { cents: 20 }, { cents: 30 }], { schema: Sale, partitionKey: (_s, i) => keys[i]! }),
  ])
  expect(published.map((p) => [...p.totals])).toEqual([
    [
      ['__proto__', 11],
      ['constructor', 22],
      ['toString', 33],
      ['hasOwnProperty', 4],
      ['store-1', 5],
    ],
  ])
  expect(run.state).toEqual({
    totals: [
      ['__proto__', 11],
      ['constructor', 22],
      ['toString', 33],
      ['hasOwnProperty', 4],
      ['store-1', 5],
    ],
  })
})

it('fails the whole invocation on a bad record, so the retry starts from the last good state', async () => {
  const state = { totals: [['store-1', 100]] }
  const bad = kinesisEvent([{ cents: 5 }, raw('{"cents": -1}')], { partitionKey: 'store-1' })
  const run = runWindow(handler, [bad], { state })
  await expect(run).rejects.toThrow(/invalid \(validation at cents\)/)
  expect(published).toEqual([])
})

it('publishes a window that Lambda ended early, flagged as such', async () => {
  const event = kinesisWindowEvent([{ cents: 7 }], {
    schema: Sale,
    partitionKey: 'store-3',
    state: { totals: [['store-3', 3]] },
    final: true,
    terminatedEarly: true,
  })
  expect(await handler(event, lambdaContext())).toEqual({ state: { totals: [['store-3', 10]] }, batchItemFailures: [] })
  expect(published.map((p) => [p.totals, p.early])).toEqual([[new Map([['store-3', 10]]), true]])
})

it("adds the window fields to any event, and refuses the AWS sample event, whose state and data are not this handler's", async () => {
  const event = windowEvent(kinesisEvent([{ cents: 5 }], { schema: Sale }), { state: { totals: [['pk-0', 10]] } })
  expect(await handler(event)).toEqual({ state: { totals: [['pk-0', 15]] }, batchItemFailures: [] })
  await expect(handler(sampleWindowEvents.kinesis())).rejects.toThrow(WindowStateError)
  await expect(handler({ ...sampleWindowEvents.kinesis(), state: {} })).rejects.toThrow(WindowRecordError)
})
