// The simulation as a picture: a poison record, bisected out of its batch, drawn as a timeline
// page to open in a browser (one HTML file, nothing loaded from the network).
import { writeFileSync } from 'node:fs'
import type { KinesisStreamEvent } from 'aws-lambda'
import { renderTimeline, simulate } from 'lambda-stream-handlers/local'

// A handler without partial batch responses: one bad order fails the whole batch.
export function handler(event: KinesisStreamEvent): void {
  for (const r of event.Records) {
    const order = JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString('utf8')) as { orderId: string; total: number }
    if (order.total > 10_000) throw new Error(`order ${order.orderId} needs a manual review`)
  }
}

const records = Array.from({ length: 30 }, (_, i) => ({ data: { orderId: `o-${i}`, total: i === 12 ? 99_999 : i + 1 }, at: i * 100 }))

export async function main(): Promise<string> {
  const report = await simulate(handler, {
    source: 'kinesis',
    records,
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 1,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 2,
  })
  writeFileSync('timeline.html', renderTimeline(report))
  return 'timeline.html'
}
