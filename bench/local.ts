// The simulator's own cost: records per second through simulate() with a real kinesisHandler,
// on a clean stream and on one with poison records (retries, bisection). Medians of 5 rounds after
// a warm-up. Run: node --expose-gc --import tsx bench/local.ts
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate, type KinesisSimulation } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
const handler = kinesisHandler({ schema: Order, logger: silentLogger }, () => {})
const gc = (globalThis as { gc?: () => void }).gc

function records(n: number, poisonEvery: number): KinesisSimulation['records'] {
  return Array.from({ length: n }, (_, i) => ({
    data: poisonEvery > 0 && i % poisonEvery === poisonEvery - 1 ? 'not an order' : { orderId: `o-${i}`, total: i },
    partitionKey: `customer-${i % 50}`,
    at: i,
  }))
}

async function measure(name: string, settings: KinesisSimulation): Promise<void> {
  const n = (settings.records as unknown[]).length
  await simulate(handler, settings) // warm-up
  const rates: number[] = []
  let invocations = 0
  for (let round = 0; round < 5; round++) {
    gc?.()
    const t = process.hrtime.bigint()
    const report = await simulate(handler, settings)
    rates.push(n / (Number(process.hrtime.bigint() - t) / 1e9))
    invocations = report.invocations.length
  }
  rates.sort((a, b) => a - b)
  console.log(`${name.padEnd(52)} ${String(Math.round(rates[2]!)).padStart(9)} records/s  (${invocations} invocations)`)
}

const base = {
  source: 'kinesis',
  shards: 4,
  BatchSize: 100,
  MaximumBatchingWindowInSeconds: 1,
  FunctionResponseTypes: ['ReportBatchItemFailures'],
} as const
await measure('10,000 records, no failures', { ...base, records: records(10_000, 0) })
await measure('10,000 records, 1 in 500 poison, R=2', { ...base, records: records(10_000, 500), MaximumRetryAttempts: 2 })
await measure('10,000 records, 1 in 500 poison, R=2, bisect', {
  ...base,
  records: records(10_000, 500),
  MaximumRetryAttempts: 2,
  BisectBatchOnFunctionError: true,
})
await measure('10,000 records, PF 4, 1 in 500 poison, R=2, bisect', {
  ...base,
  records: records(10_000, 500),
  MaximumRetryAttempts: 2,
  BisectBatchOnFunctionError: true,
  ParallelizationFactor: 4,
})
