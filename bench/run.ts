// npm run bench: kinesisHandler against a hand-written floor, side by side in one process.
// Method (see ../shared/spec/perf-baselines.md): interleaved rounds after warm-up, a forced GC
// before each sample when available, medians of per-round ratios to the floor, and a check that
// every contender reports the same failures.
import * as z from 'zod'
import type { KinesisStreamEvent } from 'aws-lambda'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, raw } from 'lambda-stream-handlers/testing'

const Payload = z.object({
  id: z.string(),
  customer: z.object({ name: z.string(), email: z.string() }),
  amount: z.number(),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
  createdAt: z.string(),
  tags: z.array(z.string()),
  priority: z.number().int(),
})

function makeEvent(n: number): KinesisStreamEvent {
  const payloads = Array.from({ length: n }, (_, i) => {
    if (i % 100 === 99) return i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }
    return {
      id: `p-${i}`,
      customer: { name: 'Alice Example', email: 'alice@example.com' },
      amount: 123.45 + i,
      currency: 'EUR',
      items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }],
      createdAt: '2026-11-22T02:00:00.000Z',
      tags: ['a', 'b', 'c'],
      priority: i % 5,
    }
  })
  return kinesisEvent(payloads as never[], { partitionKey: (_p, i) => `k${i % 37}` })
}

let sink = 0
const work = (p: z.infer<typeof Payload>): void => {
  sink += p.amount
}

// The floor: what a careful person writes by hand. Records are independent here (unordered), so
// every contender processes every record and reports each failure.
async function floor(event: KinesisStreamEvent): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = []
  for (const record of event.Records) {
    try {
      const parsed = Payload.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
      if (!parsed.success) throw parsed.error
      await work(parsed.data)
    } catch {
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
    }
  }
  return { batchItemFailures }
}

const library = kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, (p) => work(p))

const contenders: Record<string, (e: KinesisStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>> = {
  floor,
  'lambda-stream-handlers': (e) => library(e),
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = (globalThis as { gc?: () => void }).gc

async function measure(n: number, rounds: number): Promise<void> {
  const template = makeEvent(n)
  const fresh = (): KinesisStreamEvent => structuredClone(template)
  // Same failures from everyone, or the comparison means nothing.
  const expected = JSON.stringify(await floor(fresh()))
  for (const [name, run] of Object.entries(contenders)) {
    const got = JSON.stringify(await run(fresh()))
    if (got !== expected) throw new Error(`${name} reports different failures than the floor`)
  }
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  const names = Object.keys(contenders)
  for (let r = -3; r < rounds; r++) {
    // Rotate who goes first each round, so drift on a shared machine hits everyone alike.
    const order = names.map((_, i) => names[(i + r + 3) % names.length]!)
    for (const name of order) {
      const event = fresh()
      gc?.()
      const t0 = process.hrtime.bigint()
      await contenders[name]!(event)
      const ns = Number(process.hrtime.bigint() - t0)
      if (r >= 0) times[name]!.push(ns)
    }
  }
  console.log(`\nKinesis, ${n} records (1% invalid), ${rounds} rounds`)
  console.log('| contender | median µs/record | records/s | x floor (median of per-round ratios) |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const name of names) {
    const ratios = times[name]!.map((t, i) => times.floor![i]! / t)
    const med = median(times[name]!)
    console.log(`| ${name} | ${(med / n / 1000).toFixed(2)} | ${Math.round((n * 1e9) / med).toLocaleString('en-US')} | ${median(ratios).toFixed(2)} |`)
  }
}

console.log(`Node ${process.version}, ${gc ? 'GC forced before each sample' : 'run with --expose-gc to force GC between samples'}`)
await measure(1000, 30)
await measure(10_000, 12)
if (sink === 0) console.log('(sink)')

// SQS
await (await import('./sqs.js')).benchSqs()
