import { build } from 'esbuild'
import { createRequire } from 'node:module'
import type { Server } from 'node:http'
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kinesisHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { localClient, runLocal } from 'lambda-stream-handlers/local'

// kinesalite in this process, on loopback, started here so that the test knows its endpoint.
const server = (createRequire(import.meta.url)('kinesalite') as (o: object) => Server)({ createStreamMs: 0 })
let endpoint = ''
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

it('a KinesisClient built the default way fails against kinesalite: its HTTP/2 handler meets an HTTP/1.1 server', async () => {
  const plain = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  })
  await expect(plain.send(new ListStreamsCommand({}))).rejects.toThrow(/Protocol error/)
  plain.destroy()
})

it('localClient gives a KinesisClient that works there, and runLocal reads the stream with it', async () => {
  const kinesis = await localClient(KinesisClient, { endpoint })
  expect(kinesis).toBeInstanceOf(KinesisClient)
  await kinesis.send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }))
  await vi.waitFor(async () => {
    const s = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'orders' }))
    expect(s.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE')
  })
  const seen: string[] = []
  const handler = kinesisHandler(
    { schema: z.object({ orderId: z.string() }), logger: silentLogger },
    (order) => void seen.push(order.orderId),
  )
  const run = await runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', pollIntervalMs: 50 })
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: 'orders',
      Records: ['o-1', 'o-2'].map((orderId) => ({ Data: Buffer.from(JSON.stringify({ orderId })), PartitionKey: orderId })),
    }),
  )
  await vi.waitFor(() => expect(seen).toEqual(['o-1', 'o-2']), { timeout: 10_000 })
  const report = await run.stop()
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
  kinesis.destroy()
}, 30_000)

it('localClient refuses what is not a client class or an endpoint, with the reason', async () => {
  await expect(localClient(KinesisClient, { endpoint: '127.0.0.1:4567' })).rejects.toThrow(
    new ConfigurationError(
      "localClient: `endpoint` must be the server's URL, such as 'http://127.0.0.1:4567'; received \"127.0.0.1:4567\".",
    ),
  )
  await expect(localClient('kinesis' as never, { endpoint })).rejects.toThrow(
    /the first argument must be an AWS SDK v3 client class, such as KinesisClient; received "kinesis"\./,
  )
})

it('runLocal names the setting a misspelt one was meant to be', async () => {
  const kinesis = await localClient(KinesisClient, { endpoint })
  const handler = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
  await expect(runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', BatchSise: 10 } as never)).rejects.toThrow(
    /^runLocal: unknown option `BatchSise`; the options are source, client, .*\. Did you mean `BatchSize`\?$/,
  )
  kinesis.destroy()
})

it('runLocal checks that the client is one of the source: a Kinesis client cannot read a queue', async () => {
  const kinesis = await localClient(KinesisClient, { endpoint })
  const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
  await expect(runLocal(handler, { source: 'sqs', client: kinesis, queueUrl: 'http://127.0.0.1:1/000000000000/q' })).rejects.toThrow(
    new ConfigurationError('runLocal: `client` is a Kinesis client; this source needs an SQSClient from @aws-sdk/client-sqs.'),
  )
  kinesis.destroy()
})

it('/local loads the HTTP handler only when localClient is called (a dynamic import), as it loads the SDK clients', async () => {
  const root = new URL('../../', import.meta.url).pathname
  const result = await build({
    entryPoints: [`${root}src/local/index.ts`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  })
  const smithy = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external === true && i.path.startsWith('@smithy/')),
  )
  expect(smithy.map((i) => `${i.path} ${i.kind}`)).toEqual(['@smithy/node-http-handler dynamic-import'])
})
