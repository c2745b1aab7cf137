import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { runLocal } from 'lambda-stream-handlers/local'

// Enhanced fan-out needs a server that has it: kinesis-local (spec/local-servers.md §1b). It binds
// every interface and has no host option, so the test talks to it on 127.0.0.1 only; it may
// ignore SIGTERM after a subscription, so teardown sends SIGKILL after a grace period.
const pkg = fileURLToPath(new URL('../../node_modules/kinesis-local/', import.meta.url))
let server: ChildProcess
let client: KinesisClient
const sent: string[] = []

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })

beforeAll(async () => {
  const [plain, tls] = [await freePort(), await freePort()]
  server = spawn(process.execPath, [`${pkg}main.js`], {
    cwd: pkg,
    stdio: 'ignore',
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(plain),
      KINESIS_MOCK_TLS_PORT: String(tls),
      KINESIS_MOCK_CERT_PATH: `${pkg}server.json`,
      CREATE_STREAM_DURATION: '50ms',
      DELETE_STREAM_DURATION: '50ms',
      REGISTER_STREAM_CONSUMER_DURATION: '50ms',
      DEREGISTER_STREAM_CONSUMER_DURATION: '50ms',
      LOG_LEVEL: 'WARN',
    },
  })
  client = new KinesisClient({
    endpoint: `http://127.0.0.1:${plain}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    // SubscribeToShard works against kinesis-local over HTTP/1.1, not over the default HTTP/2 handler.
    requestHandler: new NodeHttpHandler({ requestTimeout: 10_000, throwOnRequestTimeout: true }),
    maxAttempts: 1,
  })
  client.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? '?')
      return next(args)
    },
    { step: 'initialize' },
  )
  await vi.waitFor(
    () =>
      client
        .send(new DescribeStreamSummaryCommand({ StreamName: 'none' }))
        .catch((e: Error) => expect(e.name).toBe('ResourceNotFoundException')),
    { timeout: 20_000, interval: 100 },
  )
}, 30_000)

afterAll(async () => {
  client?.destroy()
  if (server === undefined || server.exitCode !== null) return
  const exited = new Promise((resolve) => server.once('exit', resolve))
  server.kill('SIGTERM')
  const timer = setTimeout(() => server.kill('SIGKILL'), 2000)
  await exited
  clearTimeout(timer)
})

const Order = z.object({ orderId: z.string(), total: z.number() })

it('reads every shard through an enhanced fan-out consumer (RegisterStreamConsumer, SubscribeToShard), with the same rules, and deregisters it', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 2 }))
  await vi.waitFor(
    async () =>
      expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))).StreamDescriptionSummary?.StreamStatus).toBe(
        'ACTIVE',
      ),
    { timeout: 10_000 },
  )
  const orders = Array.from({ length: 12 }, (_, i) => ({ orderId: `o-${i}`, total: i === 5 ? -1 : i }))
  await client.send(
    new PutRecordsCommand({
      StreamName: 'orders',
      Records: orders.map((o, i) => ({ Data: Buffer.from(JSON.stringify(o)), PartitionKey: `c-${i % 4}` })),
    }),
  )
  const seen: string[] = []
  const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (order) => {
    if (order.total < 0) throw new Error('negative total')
    seen.push(order.orderId)
  })
  sent.length = 0
  const run = await runLocal(handler, {
    source: 'kinesis',
    client,
    streamName: 'orders',
    consumerName: 'orders-lambda',
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 1,
    retryDelayMs: () => 20,
    pollIntervalMs: 50,
  })
  await run.idle()
  const report = await run.stop()
  expect(report.outcomes).toHaveLength(12)
  expect(report.outcomes.filter((o) => o.fate === 'discarded').map((o) => o.key)).toEqual(['c-1'])
  expect(report.outcomes.filter((o) => o.fate === 'succeeded')).toHaveLength(11)
  expect(seen.sort()).toEqual(
    orders
      .filter((o) => o.total >= 0)
      .map((o) => o.orderId)
      .sort(),
  )
  // The events are Lambda's: base64 data, shard:sequence eventIDs, the stream's ARN.
  const record = (report.invocations[0]!.event as { Records: { eventID: string; eventSourceARN: string; kinesis: { data: string } }[] })
    .Records[0]!
  expect(record.eventSourceARN).toMatch(/^arn:aws:kinesis:[a-z0-9-]+:\d{12}:stream\/orders$/)
  expect(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString())).toHaveProperty('orderId')
  // It subscribed, and never polled.
  expect(sent).toContain('RegisterStreamConsumerCommand')
  expect(sent.filter((c) => c === 'SubscribeToShardCommand').length).toBeGreaterThanOrEqual(2)
  expect(sent).not.toContain('GetRecordsCommand')
  expect(sent).not.toContain('GetShardIteratorCommand')
  expect(sent.at(-1)).toBe('DeregisterStreamConsumerCommand')
  const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))).StreamDescriptionSummary!.StreamARN!
  await vi.waitFor(async () => {
    const consumers = (await client.send(new ListStreamConsumersCommand({ StreamARN: arn }))).Consumers ?? []
    expect(consumers.filter((c) => c.ConsumerStatus !== 'DELETING').map((c) => c.ConsumerName)).toEqual([])
  })
}, 60_000)

it('uses the stream consumer of that name when it exists, and leaves it registered', async () => {
  await client.send(new CreateStreamCommand({ StreamName: 'existing', ShardCount: 1 }))
  await vi.waitFor(
    async () =>
      expect((await client.send(new DescribeStreamSummaryCommand({ StreamName: 'existing' }))).StreamDescriptionSummary?.StreamStatus).toBe(
        'ACTIVE',
      ),
    { timeout: 10_000 },
  )
  const arn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'existing' }))).StreamDescriptionSummary!.StreamARN!
  await client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'shared' }))
  await client.send(
    new PutRecordsCommand({ StreamName: 'existing', Records: [{ Data: Buffer.from('{"orderId":"o-1","total":1}'), PartitionKey: 'k' }] }),
  )
  const run = await runLocal(
    kinesisHandler({ schema: Order, logger: silentLogger }, () => {}),
    { source: 'kinesis', client, streamName: 'existing', consumerName: 'shared', pollIntervalMs: 50 },
  )
  await run.idle()
  const report = await run.stop()
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
  const consumers = (await client.send(new ListStreamConsumersCommand({ StreamARN: arn }))).Consumers ?? []
  expect(consumers.map((c) => [c.ConsumerName, c.ConsumerStatus])).toEqual([['shared', 'ACTIVE']])
}, 60_000)

it('refuses a consumer name AWS would refuse, before any call', async () => {
  await expect(runLocal(async () => {}, { source: 'kinesis', client, streamName: 'orders', consumerName: 'no spaces' })).rejects.toThrow(
    `runLocal: \`consumerName\` must be 1 to 128 letters, digits, '_', '.' or '-'; received "no spaces".`,
  )
})
