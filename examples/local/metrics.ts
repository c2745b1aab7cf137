// The mapping's own CloudWatch metrics for a simulated run: what an alarm on them would have seen.
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = kinesisHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function main(): Promise<MappingReport> {
  const report = await simulate(handler, {
    source: 'kinesis',
    records: [{ data: { orderId: 'o-1', total: 5 } }, { data: 'not an order' }, { data: { orderId: 'o-3', total: 7 }, at: 90_000 }],
    MaximumRetryAttempts: 2,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    MetricsConfig: { Metrics: ['EventCount'] },
  })
  const dropped = report.metrics?.total.DroppedEventCount ?? 0 // discarded with nowhere to go
  const oldest = Math.max(0, ...(report.metrics?.perMinute ?? []).map((m) => m.IteratorAge ?? 0))
  console.log(`${dropped} records dropped; iterator age up to ${oldest} ms`)
  return report
}
