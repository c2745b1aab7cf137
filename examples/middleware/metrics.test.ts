import { expect, it, vi } from 'vitest'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { handler } from './metrics.js'

it('writes one EMF line for the batch, with the failed order counted', async () => {
  const out: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0)
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const event = kinesisEvent([
    { orderId: 'o-1', total: 5 },
    { orderId: 'o-2', total: 20_000 },
  ])
  await handler(event, lambdaContext({ functionName: 'orders' }))
  vi.restoreAllMocks()
  const emf = out.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Record<string, unknown>)
  expect(emf).toHaveLength(1)
  expect(emf[0]).toMatchObject({ source: 'kinesis', function_name: 'orders', BatchRecords: 2, RecordsSucceeded: 1, RecordsFailed: 1 })
})
