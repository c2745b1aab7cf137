// SQS part of `npm run bench`: sqsHandler against a hand-written floor, same method as run.ts
// (interleaved rounds after warm-up, fresh event copies, forced GC, medians of per-round ratios,
// and a check that every contender reports the same failures).
import * as z from 'zod'
import type { SQSEvent } from 'aws-lambda'
import { silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { raw, sqsEvent } from 'lambda-stream-handlers/testing'

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

function makeEvent(n: number, fifo: boolean): SQSEvent {
  const bodies = Array.from({ length: n }, (_, i) => {
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
  // Every record carries two message attributes, as producers that tag messages send them.
  const messageAttributes = { tenant: 'acme', version: 3 }
  return sqsEvent(bodies as never[], fifo ? { messageAttributes, messageGroupId: (_b, i) => `g${i % 37}` } : { messageAttributes })
}

let sink = 0
const work = (p: z.infer<typeof Payload>): void => {
  sink += p.amount
}

// The floor: what a careful person writes by hand (each message on its own, each failure reported;
// on a FIFO queue, a failure also reports the rest of its group, unstarted).
async function floor(event: SQSEvent): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const batchItemFailures: { itemIdentifier: string }[] = []
  const stopped = new Set<string>()
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId
    if (group !== undefined && stopped.has(group)) {
      batchItemFailures.push({ itemIdentifier: record.messageId })
      continue
    }
    try {
      const parsed = Payload.safeParse(JSON.parse(record.body))
      if (!parsed.success) throw parsed.error
      await work(parsed.data)
    } catch {
      batchItemFailures.push({ itemIdentifier: record.messageId })
      if (group !== undefined) stopped.add(group)
    }
  }
  return { batchItemFailures }
}

const sequential = sqsHandler({ schema: Payload, concurrency: 1, logger: silentLogger }, (p) => work(p))
const concurrent = sqsHandler({ schema: Payload, logger: silentLogger }, (p) => work(p))

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = (globalThis as { gc?: () => void }).gc
const sortFailures = (r: { batchItemFailures: { itemIdentifier: string }[] }): string => JSON.stringify(r.batchItemFailures.map((f) => f.itemIdentifier).sort())

async function measure(n: number, rounds: number, fifo: boolean): Promise<void> {
  const contenders: Record<string, (e: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>> = {
    floor,
    'sqsHandler, concurrency 1': (e) => sequential(e),
    'sqsHandler, default (10)': (e) => concurrent(e),
  }
  const template = makeEvent(n, fifo)
  const fresh = (): SQSEvent => structuredClone(template)
  const expected = sortFailures(await floor(fresh()))
  for (const [name, run] of Object.entries(contenders)) {
    if (sortFailures(await run(fresh())) !== expected) throw new Error(`${name} reports different failures than the floor`)
  }
  const names = Object.keys(contenders)
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]))
  for (let r = -3; r < rounds; r++) {
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
  console.log(`\nSQS ${fifo ? 'FIFO (37 groups)' : 'standard'}, ${n} messages (1% invalid, 2 message attributes each), ${rounds} rounds`)
  console.log('| contender | median µs/record | records/s | x floor (median of per-round ratios) |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const name of names) {
    const ratios = times[name]!.map((t, i) => times.floor![i]! / t)
    const med = median(times[name]!)
    console.log(`| ${name} | ${(med / n / 1000).toFixed(2)} | ${Math.round((n * 1e9) / med).toLocaleString('en-US')} | ${median(ratios).toFixed(2)} |`)
  }
}

export async function benchSqs(): Promise<void> {
  await measure(1000, 30, false)
  await measure(10_000, 12, false)
  await measure(1000, 30, true)
  if (sink === 0) console.log('(sink)')
}

// npm run bench:sqs runs this file alone.
if (process.argv[1]?.endsWith('sqs.ts')) await benchSqs()
