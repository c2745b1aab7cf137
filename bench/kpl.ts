// npx tsx --expose-gc bench/kpl.ts: the KPL decoder of src/sources/kinesis/kpl.ts against aws-kinesis-agg
// (deaggregateSync, checksums on), by bundled size and by speed, on the same aggregates. Both must
// give the same user records, or the numbers mean nothing.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import * as agg from 'aws-kinesis-agg'
import type { KinesisStreamRecordPayload } from 'aws-lambda'
import { deaggregate } from '../src/sources/kinesis/kpl.js'
import { kplAggregate } from 'lambda-stream-handlers/testing'

const root = fileURLToPath(new URL('..', import.meta.url))

async function bundledBytes(contents: string): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.contents.length
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = (globalThis as { gc?: () => void }).gc
const RAW = Symbol.for('lambda-stream-handlers.raw')

function payloads(aggregates: number, perAggregate: number): KinesisStreamRecordPayload[] {
  return Array.from({ length: aggregates }, (_, a) => {
    const bytes = (
      kplAggregate(
        Array.from({ length: perAggregate }, (_, i) => ({
          id: `p-${a}-${i}`,
          customer: { name: 'Alice Example', email: 'alice@example.com' },
          amount: 123.45 + i,
          tags: ['a', 'b'],
        })),
        { partitionKey: (_p, i) => `user-${i % 7}` },
      ) as unknown as Record<symbol, Uint8Array>
    )[RAW]!
    return {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'outer',
      sequenceNumber: String(a),
      data: Buffer.from(bytes).toString('base64'),
      approximateArrivalTimestamp: 0,
    }
  })
}

function own(records: KinesisStreamRecordPayload[]): number {
  let n = 0
  for (const r of records) for (const u of deaggregate(Buffer.from(r.data, 'base64'))) n += u.data.length
  return n
}

function reference(records: KinesisStreamRecordPayload[]): number {
  let n = 0
  for (const r of records) {
    agg.deaggregateSync(r, true, (error, users) => {
      if (error) throw error
      for (const u of users ?? []) n += Buffer.from(u.data, 'base64').length
    })
  }
  return n
}

console.log(`Node ${process.version}, ${gc ? 'GC forced before each sample' : 'run with --expose-gc to force GC between samples'}`)
const ownSize = await bundledBytes("export { deaggregate } from './src/sources/kinesis/kpl.ts'")
const refSize = await bundledBytes("export { deaggregateSync } from 'aws-kinesis-agg'")
console.log('\nBundled, minified (esbuild, platform node):')
console.log(
  `| decoder | bytes |\n| --- | ---: |\n| own (src/sources/kinesis/kpl.ts) | ${ownSize.toLocaleString('en-US')} |\n| aws-kinesis-agg deaggregateSync | ${refSize.toLocaleString('en-US')} |`,
)

for (const [aggregates, perAggregate, rounds] of [
  [100, 10, 40],
  [100, 100, 20],
] as const) {
  const records = payloads(aggregates, perAggregate)
  if (own(records) !== reference(records)) throw new Error('the decoders disagree')
  const times: Record<string, number[]> = { own: [], 'aws-kinesis-agg': [] }
  const runs: Record<string, (r: KinesisStreamRecordPayload[]) => number> = { own, 'aws-kinesis-agg': reference }
  for (let round = -3; round < rounds; round++) {
    for (const name of round % 2 ? ['own', 'aws-kinesis-agg'] : ['aws-kinesis-agg', 'own']) {
      gc?.()
      const t0 = process.hrtime.bigint()
      runs[name]!(records)
      const ns = Number(process.hrtime.bigint() - t0)
      if (round >= 0) times[name]!.push(ns)
    }
  }
  const users = aggregates * perAggregate
  console.log(`\n${aggregates} aggregates of ${perAggregate} user records (~110-byte JSON each), ${rounds} rounds:`)
  console.log('| decoder | median µs per user record | user records/s | x aws-kinesis-agg (median of per-round ratios) |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const name of Object.keys(times)) {
    const med = median(times[name]!)
    const ratio = median(times[name]!.map((t, i) => times['aws-kinesis-agg']![i]! / t))
    console.log(
      `| ${name} | ${(med / users / 1000).toFixed(3)} | ${Math.round((users * 1e9) / med).toLocaleString('en-US')} | ${ratio.toFixed(2)} |`,
    )
  }
}
