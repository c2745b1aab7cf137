// The handler against a real SQS server (local-aws-sqs, in-process on loopback), driven the way
// Lambda's event source mapping drives it: receive a batch, build the event, invoke, delete what
// succeeded, leave the failures to come back after the visibility timeout (facts 48, 51, 52).
//
// local-aws-sqs gaps (spec/local-servers.md §3) this test works around:
// - it ignores `MessageSystemAttributeNames`, so receives ask with the older `AttributeNames: ['All']`;
// - ChangeMessageVisibility bumps the receive count, so failures are left to time out, never made visible early;
// - it does not lock a FIFO group while one of its messages is in flight, so the FIFO case receives once per round.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHash } from 'node:crypto'
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { silentLogger, sqsHandler, type SqsAttribute } from 'lambda-stream-handlers'
import { lambdaSqsRecord } from 'lambda-stream-handlers/local'
import { raw, sqsEvent } from 'lambda-stream-handlers/testing'

const REGION = 'us-east-1'
let server: Server
let sqs: SQSClient

beforeAll(async () => {
  const { createSqsServer } = await import('local-aws-sqs')
  server = await createSqsServer({ port: 0, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false })
  const { port } = server.address() as AddressInfo
  sqs = new SQSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  })
})

afterAll(async () => {
  sqs?.destroy()
  await new Promise<void>((resolve, reject) => server?.close((e) => (e ? reject(e) : resolve())) ?? resolve())
})

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))
  return { url: QueueUrl!, arn: Attributes!.QueueArn! }
}

// What Lambda's poller does with a ReceiveMessage answer (the local runner's own conversion).
function lambdaEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((m) => lambdaSqsRecord(m, queueArn)) }
}

async function receive(url: string): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  )
  return Messages ?? []
}

// One poll-invoke-delete round of the event source mapping; returns the ids the handler reported.
// A thrown invocation leaves the whole batch in the queue (fact 54).
async function round(url: string, arn: string, handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>) {
  const messages = await receive(url)
  const event = lambdaEvent(messages, arn)
  const reported = await handler(event).then(
    (r) => r.batchItemFailures.map((f) => f.itemIdentifier),
    () => messages.map((m) => m.MessageId!),
  )
  const failed = new Set(reported)
  const done = messages.filter((m) => !failed.has(m.MessageId!))
  if (done.length > 0) {
    const { Failed } = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    )
    expect(Failed ?? []).toEqual([])
  }
  return { messages, event, failed: [...failed] }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const Order = z.object({ orderId: z.string(), total: z.number() })

describe('sqsHandler against local-aws-sqs', () => {
  it('deletes successes, leaves failures to come back after the visibility timeout, and they reach the DLQ after maxReceiveCount', async () => {
    const dlq = await createQueue('orders-dlq')
    const queue = await createQueue('orders', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    })
    const bodies = [
      '{"orderId":"o-1","total":1}',
      '{"orderId":"o-2","total":-1}',
      'not json',
      '{"orderId":"o-4","total":4}',
      '{"orderId":"o-5"}',
    ]
    const attributes: Record<string, MessageAttributeValue> = {
      tenant: { DataType: 'String', StringValue: 'acme' },
      big: { DataType: 'Number', StringValue: '123456789012345678901234567890' },
      ratio: { DataType: 'Number.float', StringValue: '0.25' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
    }
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b, MessageAttributes: attributes })),
      }),
    )

    const seen: { orderId: string; receiveCount: number; attributes: Readonly<Record<string, SqsAttribute>> }[] = []
    const handler = sqsHandler({ schema: Order, logger: silentLogger }, (order, meta) => {
      seen.push({ orderId: order.orderId, receiveCount: meta.receiveCount, attributes: meta.attributes })
      if (order.total < 0) throw new Error('negative total')
    })

    // Round 1: two good orders are deleted; a handler failure, bad JSON and a schema mismatch are reported.
    const first = await round(queue.url, queue.arn, handler)
    expect(first.messages).toHaveLength(5)
    const idOf = (body: string) => first.messages.find((m) => m.Body === body)!.MessageId!
    expect(first.failed.sort()).toEqual([idOf(bodies[1]!), idOf(bodies[2]!), idOf(bodies[4]!)].sort())
    expect(seen.map((s) => s.orderId).sort()).toEqual(['o-1', 'o-2', 'o-4'])
    // The test kit computes the same MD5s as the server for the same body and attributes.
    const built = sqsEvent([raw(bodies[0]!)], {
      messageAttributes: {
        tenant: 'acme',
        big: 123456789012345678901234567890n,
        ratio: { dataType: 'Number.float', value: '0.25' },
        blob: new Uint8Array([0, 1, 254, 255]),
      },
    }).Records[0]!
    expect(built.md5OfMessageAttributes).toBe(first.messages[0]!.MD5OfMessageAttributes)
    expect(built.md5OfBody).toBe(first.messages.find((m) => m.Body === bodies[0])!.MD5OfBody)
    for (const r of first.event.Records) expect(createHash('md5').update(r.body).digest('hex')).toBe(r.md5OfBody)
    // Attributes decoded as sent: the 30-digit number is not rounded.
    expect(seen[0]!.receiveCount).toBe(1)
    expect(seen[0]!.attributes.tenant).toEqual({ type: 'String', dataType: 'String', value: 'acme' })
    expect(seen[0]!.attributes.big).toEqual({
      type: 'Number',
      dataType: 'Number',
      value: 123456789012345678901234567890n,
      text: '123456789012345678901234567890',
    })
    expect(seen[0]!.attributes.ratio).toEqual({ type: 'Number', dataType: 'Number.float', value: 0.25, text: '0.25' })
    expect(seen[0]!.attributes.blob).toEqual({ type: 'Binary', dataType: 'Binary', value: new Uint8Array([0, 1, 254, 255]) })

    // Still in flight: nothing is delivered before the visibility timeout.
    expect(await receive(queue.url)).toEqual([])

    // Round 2, after the timeout: exactly the three failures come back, on their second receive.
    // (Waiting with a plain sleep: a long poll that spans the timeout gets receipt handles that
    // local-aws-sqs already counts as expired.)
    seen.length = 0
    await sleep(1100)
    const second = await round(queue.url, queue.arn, handler)
    expect(second.messages.map((m) => m.MessageId).sort()).toEqual([...first.failed].sort())
    expect(second.messages.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['2', '2', '2'])
    expect(seen).toEqual([expect.objectContaining({ orderId: 'o-2', receiveCount: 2 })])
    // Every message failed again, so the handler threw (Lambda then retries the whole batch).
    expect(second.failed.sort()).toEqual([...first.failed].sort())

    // After maxReceiveCount (2), SQS moves them to the dead-letter queue instead of delivering them.
    await sleep(1100)
    expect(await receive(queue.url)).toEqual([])
    const dead = await receive(dlq.url)
    expect(dead.map((m) => m.MessageId).sort()).toEqual([...first.failed].sort())
    expect(dead.map((m) => m.Attributes?.DeadLetterQueueSourceArn)).toEqual([queue.arn, queue.arn, queue.arn])
  })

  it('FIFO: keeps order within a group, stops a group at its failure, lets other groups finish; the group resumes in order', async () => {
    const queue = await createQueue('orders.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '1' })
    const sent = [
      ['a', 'a-1'],
      ['b', 'b-1'],
      ['a', 'a-2'],
      ['b', 'b-2'],
      ['a', 'a-3'],
      ['b', 'b-3'],
    ] as const
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: sent.map(([group, id], i) => ({
          Id: String(i),
          MessageGroupId: group,
          MessageBody: JSON.stringify({ orderId: id, total: 1 }),
        })),
      }),
    )
    const started: string[] = []
    let poison = 'a-2'
    const handler = sqsHandler({ schema: Order, logger: silentLogger }, async (order, meta) => {
      started.push(`${meta.messageGroupId}:${order.orderId}`)
      await sleep(1)
      if (order.orderId === poison) throw new Error('poison')
    })

    const first = await round(queue.url, queue.arn, handler)
    expect(first.messages).toHaveLength(6)
    expect(
      first.event.Records.every((r) => r.attributes.SequenceNumber !== undefined && r.attributes.MessageDeduplicationId !== undefined),
    ).toBe(true)
    // a-3 never started; group b ran to the end.
    expect(started.filter((s) => s.startsWith('a:'))).toEqual(['a:a-1', 'a:a-2'])
    expect(started.filter((s) => s.startsWith('b:'))).toEqual(['b:b-1', 'b:b-2', 'b:b-3'])
    const bodyOf = new Map(first.messages.map((m) => [m.MessageId!, JSON.parse(m.Body!).orderId as string]))
    expect(first.failed.map((id) => bodyOf.get(id))).toEqual(['a-2', 'a-3'])

    // After the visibility timeout group a comes back in order, and this time goes through.
    poison = ''
    started.length = 0
    await sleep(1100)
    const second = await round(queue.url, queue.arn, handler)
    expect(second.messages.map((m) => JSON.parse(m.Body!).orderId)).toEqual(['a-2', 'a-3'])
    expect(second.failed).toEqual([])
    expect(started).toEqual(['a:a-2', 'a:a-3'])
    expect(await receive(queue.url)).toEqual([])
  })
})
