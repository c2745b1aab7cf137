// The idempotent middleware on a real DynamoDB (dynalite, in-process on loopback, through
// Powertools' DynamoDBPersistenceLayer) and on the testing kit's in-memory store: the same scenarios.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import {
  ConfigurationError,
  dynamodbHandler,
  kinesisHandler,
  silentLogger,
  type BaseMeta,
  type KinesisMeta,
  type Middleware,
  type RecordOutcome,
} from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { simulate } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, kinesisEvent, kinesisEventFromDynamoDB, kplAggregate, lambdaContext } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })
type Order = z.output<typeof Order>
const statuses = (outcomes: readonly RecordOutcome[]): string[] =>
  outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}: ${o.reason.message}`))

let server: Server | undefined
let client: DynamoDBClient | undefined
const tableName = 'idempotency'

beforeAll(async () => {
  const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server
  const s = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  server = s
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject)
    s.listen(0, '127.0.0.1', resolve)
  })
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
  // The table as Powertools documents it: partition key `id` (string); TTL on `expiration` in AWS.
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  )
})

afterAll(async () => {
  client?.destroy()
  const s = server
  if (s !== undefined) await new Promise<void>((resolve, reject) => s.close((e) => (e ? reject(e) : resolve())))
})

afterEach(() => {
  vi.useRealTimers()
})

let prefix = 0
/**
 * Two persistence layers over one store, as two Lambda containers have. On DynamoDB each test gets
 * its own key prefix, so tests sharing the table do not see each other's entries.
 */
const stores: Record<
  string,
  () => { a: BasePersistenceLayer; b: BasePersistenceLayer; keyPrefix: string; completed: () => Promise<number> }
> = {
  'DynamoDB (dynalite)': () => {
    const keyPrefix = `test-${++prefix}`
    const layer = (): DynamoDBPersistenceLayer => new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client as DynamoDBClient })
    const completed = async (): Promise<number> => {
      const { Items = [] } = await (client as DynamoDBClient).send(new ScanCommand({ TableName: tableName }))
      return Items.filter((i) => i.id?.S?.startsWith(`${keyPrefix}#`) && i.status?.S === 'COMPLETED').length
    }
    return { a: layer(), b: layer(), keyPrefix, completed }
  },
  'in-memory store': () => {
    const store = new InMemoryPersistenceStore()
    const completed = async (): Promise<number> => store.entries().filter((e) => e.status === 'COMPLETED').length
    return { a: store, b: store, keyPrefix: 'test', completed }
  },
}

/** A gate a record function can wait on, to hold a record in progress. */
function gate(): { wait: Promise<void>; open: () => void; entered: Promise<void>; enter: () => void } {
  let open!: () => void
  let enter!: () => void
  const wait = new Promise<void>((resolve) => (open = resolve))
  const entered = new Promise<void>((resolve) => (enter = resolve))
  return { wait, open, entered, enter }
}

describe.each(Object.keys(stores))('idempotent on %s', (name) => {
  const setup = stores[name] as (typeof stores)[string]

  /** A handler that counts runs per order and returns a result to store. */
  function build(
    store: BasePersistenceLayer,
    keyPrefix: string,
    extra: Partial<Parameters<typeof idempotent<Order, KinesisMeta>>[0]> = {},
    fn?: (order: Order) => unknown,
  ) {
    const runs: string[] = []
    const results: unknown[] = []
    // Outside idempotent: sees what the record function returned, or the stored result for a repeat.
    const capture: Middleware<Order, KinesisMeta> = (next) => async (order, meta) => {
      const result = await next(order, meta)
      results.push(result)
      return result
    }
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered', concurrency: 10 })
      .use(capture)
      .use(idempotent({ persistenceStore: store, keyPrefix, ...extra }))
      .handle(async (order) => {
        runs.push(order.orderId)
        if (fn !== undefined) return fn(order)
        return { charged: order.total, run: runs.length }
      })
    return { handler, runs, results }
  }

  it('runs each record once when the same event is delivered twice', async () => {
    const { a, keyPrefix, completed } = setup()
    const { handler, runs, results } = build(a, keyPrefix)
    const event = kinesisEvent(
      [
        { orderId: 'o-1', total: 10 },
        { orderId: 'o-2', total: 20 },
      ],
      { schema: Order },
    )
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(runs.sort()).toEqual(['o-1', 'o-2'])
    // The second delivery got the stored results back.
    expect(results).toHaveLength(4)
    expect(results.slice(2)).toEqual(expect.arrayContaining(results.slice(0, 2)))
    expect(await completed()).toBe(2)
  })

  it('runs a duplicate inside one batch once; the second gets the stored result, not an in-progress failure', async () => {
    const { a, keyPrefix } = setup()
    // A business key: two deliveries of one order, with different sequence numbers, run concurrently.
    // The first run takes a while, so the duplicate surely starts while it is in progress.
    const { handler, runs, results } = build(a, keyPrefix, { key: (order) => order.orderId }, async (order) => {
      await new Promise((resolve) => setTimeout(resolve, 30))
      return { charged: order.total }
    })
    const event = kinesisEvent(
      [
        { orderId: 'o-1', total: 10 },
        { orderId: 'o-1', total: 10 },
        { orderId: 'o-2', total: 5 },
      ],
      { schema: Order },
    )
    const report = await handler.process(event, lambdaContext())
    expect(statuses(report.outcomes)).toEqual(['ok', 'ok', 'ok'])
    expect(runs.filter((o) => o === 'o-1')).toHaveLength(1)
    // The duplicate got the first run's stored result.
    expect(results.filter((r) => (r as { charged: number }).charged === 10)).toEqual([{ charged: 10 }, { charged: 10 }])
  })

  it('two concurrent invocations with the same record run it once; the loser is reported and later gets the stored result', async () => {
    const { a, b, keyPrefix } = setup()
    const g = gate()
    const first = build(a, keyPrefix, {}, async () => {
      g.enter()
      await g.wait
      return 'done'
    })
    const second = build(b, keyPrefix, {}, () => 'ran again')
    const event = kinesisEvent([{ orderId: 'o-1', total: 10 }], { schema: Order })
    const winner = first.handler.process(event, lambdaContext())
    await g.entered
    const loser = await second.handler.process(event, lambdaContext())
    expect(loser.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.kinesis.sequenceNumber }])
    expect(statuses(loser.outcomes)).toEqual([expect.stringMatching(/^failed: There is already an execution in progress/)])
    g.open()
    expect((await winner).batchItemFailures).toEqual([])
    // Lambda retries the loser's record: it now gets the stored result without running.
    expect((await second.handler.process(event, lambdaContext())).batchItemFailures).toEqual([])
    expect(second.runs).toEqual([])
    expect(second.results).toEqual(['done'])
  })

  it('a record that fails leaves no completed entry, so the retry runs it again', async () => {
    const { a, keyPrefix, completed } = setup()
    let fail = true
    const { handler, runs } = build(a, keyPrefix, {}, () => {
      if (fail) throw new Error('payment service down')
      return 'paid'
    })
    const event = kinesisEvent([{ orderId: 'o-1', total: 10 }], { schema: Order })
    const report = await handler.process(event, lambdaContext())
    expect(statuses(report.outcomes)).toEqual(['failed: payment service down'])
    expect(await completed()).toBe(0)
    fail = false
    expect((await handler.process(event, lambdaContext())).batchItemFailures).toEqual([])
    expect(runs).toEqual(['o-1', 'o-1'])
    expect(await completed()).toBe(1)
  })

  it('runs a record again once its entry has expired', async () => {
    const { a, keyPrefix } = setup()
    vi.useFakeTimers({ toFake: ['Date'] })
    const { handler, runs } = build(a, keyPrefix, { expiresAfterSeconds: 60 })
    const event = kinesisEvent([{ orderId: 'o-1', total: 10 }], { schema: Order })
    await handler(event, lambdaContext())
    vi.setSystemTime(Date.now() + 59_000)
    await handler(event, lambdaContext())
    expect(runs).toEqual(['o-1'])
    vi.setSystemTime(Date.now() + 2_000)
    await handler(event, lambdaContext())
    expect(runs).toEqual(['o-1', 'o-1'])
  })

  it("unlocks a record left in progress by a timed-out invocation at that invocation's deadline", async () => {
    const { a, b, keyPrefix } = setup()
    vi.useFakeTimers({ toFake: ['Date'] })
    const g = gate()
    // The first invocation has 5 s left and never finishes the record (Lambda times it out).
    const stuck = build(a, keyPrefix, {}, async () => {
      g.enter()
      await g.wait
    })
    const retry = build(b, keyPrefix)
    const event = kinesisEvent([{ orderId: 'o-1', total: 10 }], { schema: Order })
    void stuck.handler.process(event, lambdaContext({ timeoutMs: 5_000, now: () => Date.now() }))
    await g.entered
    vi.setSystemTime(Date.now() + 4_000)
    expect(statuses((await retry.handler.process(event, lambdaContext())).outcomes)).toEqual([
      expect.stringMatching(/already an execution in progress/),
    ])
    vi.setSystemTime(Date.now() + 1_500) // past the first invocation's deadline, far short of the hour of expiry
    expect((await retry.handler.process(event, lambdaContext())).batchItemFailures).toEqual([])
    expect(retry.runs).toEqual(['o-1'])
    g.open()
  })
})

describe('idempotent', () => {
  it('keys on the delivery identity by default: the same order delivered twice (two sequence numbers) runs twice', async () => {
    const persistenceStore = new InMemoryPersistenceStore()
    const runs: string[] = []
    const handler = kinesisHandler(Order)
      .use(idempotent({ persistenceStore }))
      .handle((order) => void runs.push(order.orderId))
    const event = kinesisEvent(
      [
        { orderId: 'o-1', total: 1 },
        { orderId: 'o-1', total: 1 },
      ],
      { schema: Order },
    )
    await handler(event, lambdaContext())
    await handler(event, lambdaContext())
    expect(runs).toEqual(['o-1', 'o-1'])
    expect(persistenceStore.entries().map((e) => e.status)).toEqual(['COMPLETED', 'COMPLETED'])
  })

  it("keys on any source's delivery identity: meta.record.messageId (SQS) or meta.record.eventID", async () => {
    // The middleware is generic in meta: here called as an SQS source would call it.
    const persistenceStore = new InMemoryPersistenceStore()
    const runs: string[] = []
    const fn = idempotent<string, BaseMeta & { record: { messageId: string } }>({ persistenceStore })((body, meta) => {
      runs.push(`${meta.record.messageId}:${body}`)
      return body.length
    })
    const meta = (messageId: string) => ({ record: { messageId }, context: lambdaContext(), logger: silentLogger })
    expect(await fn('hello', meta('m-1'))).toBe(5)
    expect(await fn('hello', meta('m-1'))).toBe(5)
    expect(await fn('hello', meta('m-2'))).toBe(5)
    expect(runs).toEqual(['m-1:hello', 'm-2:hello'])
    const noId = idempotent<string, BaseMeta>({ persistenceStore })(() => {})
    await expect(noId('x', { context: lambdaContext(), logger: silentLogger })).rejects.toThrow(
      'idempotent: this record has no `messageId` or `eventID` to use as its idempotency key; pass a `key` function.',
    )
  })

  describe.each(['in-order', 'unordered'] as const)('the user records of a KPL aggregate (%s)', (ordering) => {
    // They share the aggregate's eventID and sequence number (fact 87); only the sub-sequence number tells them apart.
    const orders = [
      { orderId: 'o-1', total: 1 },
      { orderId: 'o-2', total: 2 },
      { orderId: 'o-3', total: 3 },
    ]

    it('each runs once with the default key; a redelivery of the aggregate runs none', async () => {
      const persistenceStore = new InMemoryPersistenceStore()
      const runs: string[] = []
      const handler = kinesisHandler({
        schema: Order,
        logger: silentLogger,
        ...(ordering === 'unordered' ? { ordering, concurrency: 3 } : {}),
      })
        .use(idempotent({ persistenceStore }))
        .handle((order) => {
          runs.push(order.orderId)
          return order.orderId
        })
      const event = kinesisEvent([kplAggregate(orders, { schema: Order }), { orderId: 'o-4', total: 4 }], { schema: Order })
      expect(statuses((await handler.process(event, lambdaContext())).outcomes)).toEqual(['ok', 'ok', 'ok', 'ok'])
      expect(runs.sort()).toEqual(['o-1', 'o-2', 'o-3', 'o-4'])
      expect(
        persistenceStore
          .entries()
          .map((e) => e.responseData)
          .sort(),
      ).toEqual(['o-1', 'o-2', 'o-3', 'o-4'])
      expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
      expect(runs).toHaveLength(4)
    })

    it('a user-supplied key stays as given', async () => {
      const persistenceStore = new InMemoryPersistenceStore()
      const runs: string[] = []
      const handler = kinesisHandler({
        schema: Order,
        logger: silentLogger,
        ...(ordering === 'unordered' ? { ordering, concurrency: 3 } : {}),
      })
        .use(idempotent({ persistenceStore, key: () => 'one key for all' }))
        .handle((order) => void runs.push(order.orderId))
      await handler(kinesisEvent([kplAggregate(orders, { schema: Order })], { schema: Order }), lambdaContext())
      expect(runs).toEqual(['o-1'])
    })
  })

  it('under the simulator: a retried aggregate runs only its user records that did not complete; the aggregate is the duplicate', async () => {
    const persistenceStore = new InMemoryPersistenceStore()
    const runs: string[] = []
    let down = true
    const handler = kinesisHandler({ schema: Order, logger: silentLogger })
      .use(idempotent({ persistenceStore }))
      .handle((order) => {
        runs.push(order.orderId)
        if (order.orderId === 'o-2' && down) {
          down = false
          throw new Error('payment service down')
        }
      })
    const event = kinesisEvent([
      kplAggregate(
        [
          { orderId: 'o-1', total: 1 },
          { orderId: 'o-2', total: 2 },
          { orderId: 'o-3', total: 3 },
        ],
        { schema: Order },
      ),
    ])
    const report = await simulate(handler, { source: 'kinesis', records: event, FunctionResponseTypes: ['ReportBatchItemFailures'] })
    // o-1 completed on the first delivery: the retry of the aggregate gets its stored result.
    expect(runs).toEqual(['o-1', 'o-2', 'o-2', 'o-3'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
    // Lambda sees one record, the aggregate: it is what was delivered twice.
    expect(report.costly.duplicates).toEqual([{ id: event.Records[0]!.kinesis.sequenceNumber, deliveries: 2 }])
  })

  it("DynamoDB changes through Kinesis: the default key is the change's own eventID, not the Kinesis record's", async () => {
    const Item = z.object({ id: z.string() })
    const persistenceStore = new InMemoryPersistenceStore()
    const runs: string[] = []
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger })
      .use(idempotent({ persistenceStore }))
      .handle((change) => void runs.push(String(change.keys.id)))
    // The same change written to the stream twice (two Kinesis sequence numbers) runs once.
    const twice = kinesisEventFromDynamoDB(
      dynamodbEvent([insert({ id: 'a' }), insert({ id: 'b' }), insert({ id: 'a' })], { schema: Item, keys: ['id'] }),
    )
    twice.Records[2] = { ...twice.Records[2]!, kinesis: { ...twice.Records[2]!.kinesis, data: twice.Records[0]!.kinesis.data } }
    expect(await handler(twice, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(runs).toEqual(['a', 'b'])
  })

  it('keeps the default key of a record that was not aggregated: its eventID, so entries stored before stay valid', async () => {
    const persistenceStore = new InMemoryPersistenceStore()
    const seen: string[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger })
      .use(idempotent({ persistenceStore }))
      .handle((_order, meta) => void seen.push(meta.record.eventID))
    const event = kinesisEvent([{ orderId: 'o-1', total: 1 }], { schema: Order })
    await handler(event, lambdaContext())
    // The same key, hashed as Powertools hashes it, finds the stored entry.
    const direct = idempotent<string, BaseMeta>({ persistenceStore, key: (id) => id })(() => 'ran again')
    expect(await direct(event.Records[0]!.eventID, { context: lambdaContext(), logger: silentLogger })).toBeUndefined()
    expect(seen).toEqual([event.Records[0]!.eventID])
  })

  it('fails a record whose key function returns no key, naming the cause and not the payload', async () => {
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, allFailed: 'report' })
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore(), key: () => '' }))
      .handle(() => {})
    const report = await handler.process(kinesisEvent([{ orderId: 'secret-order', total: 1 }]), lambdaContext())
    expect(statuses(report.outcomes)).toEqual(['failed: idempotent: `key` returned an empty string; it must return a non-empty string.'])
  })

  it('a record abandoned at the deadline does not block its next delivery in the same warm container', async () => {
    // The first delivery's call never returns (a request with no timeout): the deadline abandons it,
    // and its in-progress entry expires at that invocation's deadline. The redelivery, in the same
    // handler (a warm container), must run, not wait on the first delivery's promise forever.
    let calls = 0
    const handler = kinesisHandler({ schema: Order, logger: silentLogger, deadlineMarginMs: 50 })
      .use(idempotent({ persistenceStore: new InMemoryPersistenceStore() }))
      .handle(() => {
        calls++
        return calls === 1 ? new Promise(() => {}) : 'charged'
      })
    const event = kinesisEvent([{ orderId: 'o-1', total: 1 }])
    const first = await handler.process(event, lambdaContext({ timeoutMs: 150 }))
    expect(first.outcomes.map((o) => o.status)).toEqual(['failed'])
    await new Promise((resolve) => setTimeout(resolve, 150)) // past the first invocation's deadline
    const again = await handler.process(event, lambdaContext({ timeoutMs: 150 }))
    expect(statuses(again.outcomes)).toEqual(['ok'])
    expect(calls).toBe(2)
  })
  it('checks its options when the handler is built', () => {
    const persistenceStore = new InMemoryPersistenceStore()
    expect(() => idempotent({ persistenceStore: {} as BasePersistenceLayer })).toThrow(ConfigurationError)
    expect(() => idempotent({ persistenceStore, expiresAfterSeconds: 0.5 })).toThrow(
      'idempotent: `expiresAfterSeconds` must be a whole number of seconds, 1 or more; received 0.5.',
    )
    expect(() => idempotent({ persistenceStore, eventKeyJmesPath: 'x' } as never)).toThrow(/unknown option `eventKeyJmesPath`/)
    expect(() => idempotent({ persistenceStore, key: 'orderId' } as never)).toThrow(/`key` must be a function/)
  })
})
