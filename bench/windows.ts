// Window handler cost: kinesisWindowHandler against a hand-written window handler (the floor),
// side by side in one process (same method as bench/run.ts: interleaved rounds after warm-up, a
// forced GC before each sample, medians of per-round ratios, same response from both).
// Run: npm run bench:windows
import * as z from 'zod'
import type { KinesisStreamRecord } from 'aws-lambda'
import { kinesisHandler, kinesisWindowHandler, silentLogger, type KinesisWindowEvent } from 'lambda-stream-handlers'
import { kinesisWindowEvent } from 'lambda-stream-handlers/testing'

const Sale = z.object({
  id: z.string(),
  cents: z.number().int(),
  store: z.string(),
  items: z.array(z.object({ sku: z.string(), qty: z.number().int() })),
})
const Totals = z.record(z.string(), z.number().int())
type Totals = z.infer<typeof Totals>

function makeEvent(n: number, stateKeys: number): KinesisWindowEvent {
  const state: Totals = {}
  for (let k = 0; k < stateKeys; k++) state[`store-${k}`] = k
  const payloads = Array.from({ length: n }, (_, i) => ({
    id: `s-${i}`,
    cents: i,
    store: `store-${i % 37}`,
    items: [
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ],
  }))
  return kinesisWindowEvent(payloads, { schema: Sale, state, start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:05:00Z' })
}

// The floor: what a careful person writes by hand for a window.
async function floor(event: KinesisWindowEvent): Promise<{ state: Totals; batchItemFailures: never[] }> {
  const incoming = Totals.safeParse(event.state ?? {})
  if (!incoming.success) throw incoming.error
  const totals = incoming.data
  for (const record of event.Records as KinesisStreamRecord[]) {
    const sale = Sale.parse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
    totals[sale.store] = (totals[sale.store] ?? 0) + sale.cents
  }
  if (Buffer.byteLength(JSON.stringify(totals)) > 1024 * 1024) throw new Error('state over 1 MB')
  return { state: totals, batchItemFailures: [] }
}

const library = kinesisWindowHandler({
  schema: Sale,
  state: Totals,
  logger: silentLogger,
  initial: () => ({}),
  reduce: (totals, sale) => {
    totals[sale.store] = (totals[sale.store] ?? 0) + sale.cents
    return totals
  },
  onWindowEnd: () => {},
})

// The engine alone: kinesisHandler folding into a variable, no state validation or JSON checks.
// The window's own cost is the difference between this and kinesisWindowHandler.
let folded: Totals = {}
const plain = kinesisHandler({ schema: Sale, logger: silentLogger }, (sale) => {
  folded[sale.store] = (folded[sale.store] ?? 0) + sale.cents
})
async function engineOnly(event: KinesisWindowEvent): Promise<{ state: Totals; batchItemFailures: never[] }> {
  folded = { ...(event.state as Totals) }
  await plain(event)
  return { state: folded, batchItemFailures: [] }
}

const contenders = { floor, 'kinesisHandler (engine only)': engineOnly, kinesisWindowHandler: (e: KinesisWindowEvent) => library(e) }
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = (globalThis as { gc?: () => void }).gc

async function measure(n: number, stateKeys: number, rounds: number): Promise<void> {
  const template = makeEvent(n, stateKeys)
  const fresh = (): KinesisWindowEvent => structuredClone(template)
  const expected = JSON.stringify(await floor(fresh()))
  for (const [name, run] of Object.entries(contenders)) {
    if (JSON.stringify(await run(fresh())) !== expected) throw new Error(`${name} returns a different state than the floor`)
  }
  const names = Object.keys(contenders) as (keyof typeof contenders)[]
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]))
  for (let r = -3; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r + 3) % names.length]!
      const event = fresh()
      gc?.()
      const t0 = process.hrtime.bigint()
      await contenders[name](event)
      if (r >= 0) times[name]!.push(Number(process.hrtime.bigint() - t0))
    }
  }
  const stateBytes = Buffer.byteLength(JSON.stringify(template.state))
  console.log(`\n${n} records, incoming state ${stateKeys} keys (${stateBytes.toLocaleString('en-US')} bytes as JSON), ${rounds} rounds`)
  console.log('| contender | median ms/invocation | median µs/record | x floor |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const name of names) {
    const med = median(times[name]!)
    const ratio = median(times[name]!.map((t, i) => times.floor![i]! / t))
    console.log(`| ${name} | ${(med / 1e6).toFixed(2)} | ${(med / n / 1000).toFixed(2)} | ${ratio.toFixed(2)} |`)
  }
}

console.log(`Node ${process.version}, ${gc ? 'GC forced before each sample' : 'run with --expose-gc to force GC between samples'}`)
await measure(100, 37, 40)
await measure(1000, 37, 30)
await measure(1000, 20_000, 15)
