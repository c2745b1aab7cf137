// kinesalite in this process, on loopback, on a port the system picks (spec/local-servers.md §1).
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis'
import { expect, vi } from 'vitest'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

/** A running kinesalite and a client for it; `close()` stops both. */
export interface Kinesalite {
  readonly client: KinesisClient
  /** The server's URL, on 127.0.0.1. */
  readonly endpoint: string
  /** Creates a stream and waits until it is ACTIVE. */
  createStream(name: string, shards: number): Promise<void>
  close(): Promise<void>
}

export async function startKinesalite(): Promise<Kinesalite> {
  const server = (require('kinesalite') as (o: object) => Server)({
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as { port: number }
  const client = new KinesisClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    // kinesalite speaks HTTP/1.1 only; the default HTTP/2 handler fails against it.
    requestHandler: new NodeHttpHandler({ requestTimeout: 5000, throwOnRequestTimeout: true }),
    maxAttempts: 1,
  })
  return {
    client,
    endpoint: `http://127.0.0.1:${port}`,
    createStream: async (name, shards) => {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }))
      await vi.waitFor(async () => {
        const s = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))
        expect(s.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE')
      })
    },
    close: async () => {
      client.destroy()
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())))
    },
  }
}
