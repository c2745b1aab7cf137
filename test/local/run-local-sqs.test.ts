// runLocal on a real SQS server: local-aws-sqs in this process, on loopback (spec/local-servers.md §3).
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { IdleTimeoutError, runLocal } from 'lambda-stream-handlers/local'
import type { SQSEvent } from 'aws-lambda'

let server: Server
let client: SQSClient

beforeAll(async () => {
  const { createSqsServer } = await import('local-aws-sqs')
  server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false })
  const { port } = server.address() as AddressInfo
  client = new SQSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  })
})

afterAll(async () => {
  client.destroy()
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
})

it('receives, invokes, deletes what succeeded; the failing message returns after the visibility timeout and the queue dead-letters it, reported once moved (facts 48, 51, 52, 112)', async () => {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: 'orders-dlq' }))
  const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'orders',
      Attributes: { VisibilityTimeout: '1', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
    }),
  )
  const bodies = ['{"orderId":"o-1"}', 'poison', '{"orderId":"o-3"}', '{"orderId":"o-4"}']
  await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }))

  const handled: string[] = []
  // A 1 s function timeout: the handler's deadline margin must be under it.
  const handler = sqsHandler(
    { schema: z.object({ orderId: z.string() }), logger: silentLogger, deadlineMarginMs: 100 },
    (o) => void handled.push(o.orderId),
  )
  const run = await runLocal(handler, {
    source: 'sqs',
    client,
    queueUrl: QueueUrl!,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    timeoutSeconds: 1,
    pollIntervalMs: 50,
    ScalingConfig: { MaximumConcurrency: 2 },
  })
  // idle() waits for the failed message to come back and for the queue to move it (facts 51 and 112).
  await run.idle({ timeoutMs: 20_000 })
  const reportAtIdle = run.report()
  const moved = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
  expect(moved.Messages?.map((m) => m.Body)).toEqual(['poison'])
  expect(reportAtIdle.deadLetters).toEqual([{ messageId: moved.Messages![0]!.MessageId, body: 'poison', receiveCount: 2 }])
  const report = await run.stop()

  expect(handled.sort()).toEqual(['o-1', 'o-3', 'o-4'])
  const poison = report.outcomes.find((o) => o.fate === 'dead-lettered')!
  expect(poison.deliveries).toBe(2)
  expect(report.outcomes.filter((o) => o.fate === 'succeeded')).toHaveLength(3)
  expect(report.invocations.some((i) => i.result === 'partial')).toBe(true)
  expect((report.invocations[0]!.event as { Records: { eventSource: string }[] }).Records[0]!.eventSource).toBe('aws:sqs')
}, 30_000)

it('deletes the messages no filter matches without invoking the function, and reports them filtered (facts 77, 81)', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'filtered-orders', Attributes: { VisibilityTimeout: '5' } }))
  const bodies = ['{"kind":"order","orderId":"o-1"}', '{"kind":"refund","orderId":"o-2"}', 'plain text', '{"kind":"order","orderId":"o-3"}']
  await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }))
  const delivered: string[] = []
  const handler = sqsHandler(
    { schema: z.object({ kind: z.literal('order'), orderId: z.string() }), logger: silentLogger },
    (o) => void delivered.push(o.orderId),
  )
  const run = await runLocal(handler, {
    source: 'sqs',
    client,
    queueUrl: QueueUrl!,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ['order'] } }) }] },
    pollIntervalMs: 50,
    ScalingConfig: { MaximumConcurrency: 2 },
  })
  await vi.waitFor(() => expect(run.report().outcomes).toHaveLength(4), { timeout: 10_000, interval: 100 })
  await run.idle()
  const report = await run.stop()
  expect(delivered.sort()).toEqual(['o-1', 'o-3'])
  const fates = Object.fromEntries(report.outcomes.map((o) => [o.fate, report.outcomes.filter((x) => x.fate === o.fate).length]))
  expect(fates).toEqual({ succeeded: 2, filtered: 2 })
  // Filtered messages were deleted: nothing is left in the queue, even after their visibility timeout would have ended.
  const left = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  )
  expect(left.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' })
  expect(report.invocations.flatMap((i) => (i.event as { Records: { body: string }[] }).Records.map((r) => r.body))).not.toContain(
    'plain text',
  )
}, 30_000)

it('checks its settings before it calls the queue, with the rules the other runners use', async () => {
  const queueUrl = 'http://127.0.0.1:9/000000000000/never-called'
  const handler = async (): Promise<void> => {}
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl, timeoutSeconds: 0 })).rejects.toThrow(
    'runLocal: `timeoutSeconds` must be a whole number from 1 to 900; received 0.',
  )
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl, pollIntervalMs: 0 })).rejects.toThrow(
    'runLocal: `pollIntervalMs` must be 10 or more; received 0.',
  )
  await expect(
    runLocal(handler, { source: 'sqs', client, queueUrl, FunctionResponseTypes: ['ReportBatchItemFailure' as 'ReportBatchItemFailures'] }),
  ).rejects.toThrow(/^runLocal: `FunctionResponseTypes` must be \[\] or \['ReportBatchItemFailures'\]/)
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl, ScalingConfig: { MaximumConcurrency: 1 } })).rejects.toThrow(
    'runLocal: `ScalingConfig.MaximumConcurrency` must be a whole number from 2 to 1000; received 1.',
  )
})

it('FIFO: one batch per message group at a time, in order, though local-aws-sqs gives a busy group out (facts 31 and 111)', async () => {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'groups.fifo',
      Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '1' },
    }),
  )
  const entries = ['g0', 'g1'].flatMap((g) => [0, 1, 2].map((i) => ({ Id: `${g}-${i}`, MessageBody: `${g}-${i}`, MessageGroupId: g })))
  await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }))
  const running = new Set<string>()
  const overlaps: string[] = []
  const order: string[] = []
  const run = await runLocal(
    async (event: SQSEvent) => {
      const groups = new Set(event.Records.map((r) => r.attributes.MessageGroupId!))
      for (const g of groups) if (running.has(g)) overlaps.push(g)
      for (const g of groups) running.add(g)
      order.push(...event.Records.map((r) => r.body))
      await new Promise((resolve) => setTimeout(resolve, 150))
      for (const g of groups) running.delete(g)
    },
    {
      source: 'sqs',
      client,
      queueUrl: QueueUrl!,
      BatchSize: 1,
      timeoutSeconds: 1,
      pollIntervalMs: 20,
      ScalingConfig: { MaximumConcurrency: 4 },
    },
  )
  await run.idle({ timeoutMs: 20_000 })
  const report = await run.stop()
  expect(overlaps).toEqual([])
  for (const g of ['g0', 'g1']) expect(order.filter((b) => b.startsWith(g))).toEqual([0, 1, 2].map((i) => `${g}-${i}`))
  expect(report.outcomes.map((o) => o.fate)).toEqual(Array(6).fill('succeeded'))
  expect(report.outcomes.every((o) => o.deliveries === 1)).toBe(true)
  // The server did give messages of a busy group out: the run held them back and says so.
  expect(report.assumptions.some((a) => a.includes('local-aws-sqs does not lock message groups'))).toBe(true)
}, 30_000)

it('FIFO: a good message dead-lettered behind its group’s failed one is flagged discardedBehindFailure (facts 56 and 112)', async () => {
  const dlq = await client.send(
    new CreateQueueCommand({ QueueName: 'collateral-dlq.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }),
  )
  const dlqArn = (await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!
    .QueueArn!
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'collateral.fifo',
      Attributes: {
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
      },
    }),
  )
  await client.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: ['{"orderId":"bad"}', '{"orderId":"good"}'].map((MessageBody, i) => ({ Id: String(i), MessageBody, MessageGroupId: 'g' })),
    }),
  )
  const handler = sqsHandler({ schema: z.object({ orderId: z.string() }), logger: silentLogger, deadlineMarginMs: 100 }, (o) => {
    if (o.orderId === 'bad') throw new Error('refused')
  })
  const run = await runLocal(handler, {
    source: 'sqs',
    client,
    queueUrl: QueueUrl!,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    timeoutSeconds: 1,
    pollIntervalMs: 20,
  })
  await run.idle({ timeoutMs: 20_000 })
  const report = await run.stop()
  const [bad, good] = report.outcomes
  expect([bad!.fate, good!.fate]).toEqual(['dead-lettered', 'dead-lettered'])
  expect(bad!.discardedBehindFailure).toBeUndefined()
  expect(good!.discardedBehindFailure).toBe(true)
  expect(report.costly.discardedBehindFailure).toEqual([good!.id])
  expect(report.deadLetters!.map((d) => d.body)).toEqual(['{"orderId":"bad"}', '{"orderId":"good"}'])
}, 30_000)

it('idle() rejects after its timeout, saying what is unsettled, when a message keeps failing on a queue without redrive', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'forever', Attributes: { VisibilityTimeout: '1' } }))
  const sent = await client.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '0', MessageBody: 'x' }] }))
  const run = await runLocal(
    () => {
      throw new Error('always')
    },
    { source: 'sqs', client, queueUrl: QueueUrl!, timeoutSeconds: 1, pollIntervalMs: 20 },
  )
  const started = Date.now()
  const error = await run.idle({ timeoutMs: 1500 }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(Date.now() - started).toBeLessThan(3000)
  expect(error).toBeInstanceOf(IdleTimeoutError)
  expect((error as IdleTimeoutError).message).toMatch(
    /^runLocal: not idle after 1500 ms: 1 message received and not settled .*no redrive policy.*the last failed invocation: Error: always/,
  )
  expect((error as IdleTimeoutError).unsettled).toEqual([sent.Successful![0]!.MessageId])
  await run.stop()
}, 30_000)

it('gathers messages for MaximumBatchingWindowInSeconds, up to a BatchSize above 10 (facts 15 and 22)', async () => {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'windowed', Attributes: { VisibilityTimeout: '30' } }))
  for (let i = 0; i < 3; i++)
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: Array.from({ length: 10 }, (_, k) => ({ Id: String(k), MessageBody: `m-${i}-${k}` })),
      }),
    )
  const sizes: number[] = []
  const run = await runLocal((event: SQSEvent) => void sizes.push(event.Records.length), {
    source: 'sqs',
    client,
    queueUrl: QueueUrl!,
    BatchSize: 25,
    MaximumBatchingWindowInSeconds: 1,
    pollIntervalMs: 20,
    ScalingConfig: { MaximumConcurrency: 2 },
  })
  await run.idle({ timeoutMs: 20_000 })
  await run.stop()
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(30)
  expect(Math.max(...sizes)).toBeGreaterThan(10)
  expect(Math.max(...sizes)).toBeLessThanOrEqual(25)
}, 30_000)

it('refuses what Lambda refuses for a batching window, and says how to fix a function timeout above the visibility timeout (facts 15 and 50)', async () => {
  const handler = async (): Promise<void> => {}
  const queueUrl = 'http://127.0.0.1:9/000000000000/never-called'
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl, BatchSize: 20 })).rejects.toThrow(
    'runLocal: a `BatchSize` above 10 (20) needs `MaximumBatchingWindowInSeconds` of 1 or more.',
  )
  const fifo = await client.send(new CreateQueueCommand({ QueueName: 'no-window.fifo', Attributes: { FifoQueue: 'true' } }))
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl: fifo.QueueUrl!, MaximumBatchingWindowInSeconds: 1 })).rejects.toThrow(
    'runLocal: `MaximumBatchingWindowInSeconds` is not available for FIFO queues.',
  )
  const short = await client.send(new CreateQueueCommand({ QueueName: 'short-visibility', Attributes: { VisibilityTimeout: '2' } }))
  await expect(runLocal(handler, { source: 'sqs', client, queueUrl: short.QueueUrl! })).rejects.toThrow(
    "runLocal: the function timeout (`timeoutSeconds`: 3 s, the default) must not exceed the queue's visibility timeout (2 s), as Lambda checks when the mapping is created: set `timeoutSeconds` to 2 or less, or raise the queue's VisibilityTimeout.",
  )
})
