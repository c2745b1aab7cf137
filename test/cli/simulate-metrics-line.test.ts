// simulate's summary: one line of the mapping's own CloudWatch metrics over the run (report.metrics.total).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCli as cli } from '../helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lsh-metrics-line-'))
const file = (name: string, ...lines: unknown[]): string => {
  writeFileSync(join(dir, name), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  return join(dir, name)
}
const metricsLine = (stdout: string): string | undefined => stdout.split('\n').find((l) => l.startsWith('metrics '))

it('simulate --source kafka prints the counts under AWS names and the largest offset lags', async () => {
  const records = file(
    'orders.jsonl',
    { orderId: 'o-1', total: 1 },
    { value: { orderId: 'o-2', total: 2 } },
    { value: { orderId: 'o-3', total: 3 }, partition: 1 },
  )
  const out = await cli(['simulate', 'test/cli/fixtures/handlers.ts#kafkaOrders', '--source', 'kafka', '--records', records])
  expect(out.code).toBe(0)
  // Partition 0 had 2 records waiting, partition 1 one, before the first invocations.
  expect(metricsLine(out.stdout)).toBe(
    'metrics         PolledEventCount 3, InvokedEventCount 3, FailedInvokeEventCount 0, DroppedEventCount 0, CommittedEventCount 3, MaxOffsetLag up to 2, SumOffsetLag up to 3',
  )
})

it('simulate --source sqs prints DeletedEventCount and no lag or iterator age', async () => {
  const records = file('messages.jsonl', { body: { orderId: 'o-1', total: 1 } }, { body: { orderId: 'o-2', total: 2 } })
  const out = await cli(['simulate', 'test/cli/fixtures/handlers.ts#queue', '--source', 'sqs', '--records', records])
  expect(out.code).toBe(0)
  expect(metricsLine(out.stdout)).toBe(
    'metrics         PolledEventCount 2, InvokedEventCount 2, FailedInvokeEventCount 0, DeletedEventCount 2',
  )
})
