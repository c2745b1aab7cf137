// runLocal follows a Kinesis stream's shard lineage on kinesalite: a shard split during the run
// has its children read, and a child is read only once its parent is read to its end and the
// parent's records are settled (facts 108 and 109).
import {
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
} from '@aws-sdk/client-kinesis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { KinesisStreamEvent } from 'aws-lambda'
import { runLocal } from 'lambda-stream-handlers/local'
import { startKinesalite, type Kinesalite } from '../servers/kinesalite.js'

let kinesalite: Kinesalite
let client: KinesisClient

beforeAll(async () => {
  kinesalite = await startKinesalite()
  client = kinesalite.client
})
afterAll(() => kinesalite.close())

async function put(StreamName: string, items: { key: string; n: number }[]): Promise<void> {
  // One PutRecords call per record keeps their order on the shard.
  for (const i of items) {
    const out = await client.send(
      new PutRecordsCommand({ StreamName, Records: [{ Data: Buffer.from(JSON.stringify({ n: i.n })), PartitionKey: i.key }] }),
    )
    expect(out.FailedRecordCount ?? 0).toBe(0)
  }
}

/** Splits the stream's only shard in the middle of its hash key range and waits for the children. */
async function split(StreamName: string): Promise<void> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName }))
  const shard = Shards[0]!
  const middle = (BigInt(shard.HashKeyRange!.EndingHashKey!) / 2n).toString()
  await client.send(new SplitShardCommand({ StreamName, ShardToSplit: shard.ShardId!, NewStartingHashKey: middle }))
  await vi.waitFor(async () => {
    const s = await client.send(new DescribeStreamSummaryCommand({ StreamName }))
    expect(s.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE')
  })
}

const numbers = (event: KinesisStreamEvent): number[] =>
  event.Records.map((r) => (JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()) as { n: number }).n)

describe('runLocal follows the shard lineage on kinesalite', () => {
  it('reads the children of a shard split during the run (fact 108)', async () => {
    await kinesalite.createStream('split-during', 1)
    const seen: number[] = []
    const run = await runLocal((event: KinesisStreamEvent) => void seen.push(...numbers(event)), {
      source: 'kinesis',
      client,
      streamName: 'split-during',
      pollIntervalMs: 20,
    })
    await put('split-during', [
      { key: 'a', n: 1 },
      { key: 'b', n: 2 },
    ])
    await run.idle({ timeoutMs: 10_000 })
    await split('split-during')
    const keys = ['a', 'b', 'c', 'd', 'e', 'f']
    await put(
      'split-during',
      keys.map((key, i) => ({ key, n: 3 + i })),
    )
    await vi.waitFor(() => expect(seen).toHaveLength(8), { timeout: 10_000 })
    await run.idle({ timeoutMs: 10_000 })
    const report = await run.stop()
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(report.outcomes.map((o) => o.fate)).toEqual(Array(8).fill('succeeded'))
    // The parent and both children each have a checkpoint.
    expect(report.shards.map((s) => s.shardId).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'])
  }, 30_000)

  it("reads a parent to its end, its records settled, before its children: a key's later record waits for its earlier one (fact 109)", async () => {
    await kinesalite.createStream('split-before', 1)
    await put('split-before', [
      { key: 'k', n: 1 },
      { key: 'k', n: 2 },
    ])
    await split('split-before')
    await put('split-before', [
      { key: 'k', n: 3 },
      { key: 'k', n: 4 },
    ])
    const log: string[] = []
    const run = await runLocal(
      async (event: KinesisStreamEvent) => {
        const ns = numbers(event)
        log.push(`start ${ns.join(',')}`)
        // The parent's batch is slow: a child read at the same time would start meanwhile.
        if (ns.includes(1)) await new Promise((resolve) => setTimeout(resolve, 600))
        log.push(`end ${ns.join(',')}`)
      },
      { source: 'kinesis', client, streamName: 'split-before', pollIntervalMs: 20 },
    )
    await vi.waitFor(() => expect(log.filter((l) => l.startsWith('end'))).toHaveLength(2), { timeout: 10_000 })
    await run.idle({ timeoutMs: 10_000 })
    const report = await run.stop()
    expect(log).toEqual(['start 1,2', 'end 1,2', 'start 3,4', 'end 3,4'])
    expect(report.outcomes.map((o) => o.fate)).toEqual(Array(4).fill('succeeded'))
  }, 30_000)
})
