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
import { runLocal } from 'lambda-stream-handlers/local'

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

it('receives, invokes, deletes what succeeded; the failing message returns after the visibility timeout and the queue dead-letters it (facts 48, 51, 52)', async () => {
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
  await vi.waitFor(() => expect(run.report().outcomes.filter((o) => o.fate === 'dead-lettered')).toHaveLength(1), {
    timeout: 10_000,
    interval: 100,
  })
  // The queue moves it on the receive after the last one; give the pollers that receive.
  await vi.waitFor(
    async () => {
      const moved = await client.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
      expect(moved.Messages?.map((m) => m.Body)).toEqual(['poison'])
    },
    { timeout: 10_000, interval: 200 },
  )
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
