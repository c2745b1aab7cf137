// What Lambda will do with this handler's answers: a poison record, retries, the failure destination.
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = kinesisHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function main(): Promise<void> {
  const report = await simulate(handler, {
    source: 'kinesis',
    records: [{ data: { orderId: 'o-1', total: 5 } }, { data: 'not an order' }, { data: { orderId: 'o-3', total: 7 } }],
    BatchSize: 10,
    MaximumRetryAttempts: 2,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  })
  report.outcomes.map((o) => o.fate) // ['succeeded', 'discarded', 'discarded']
  report.costly.discardedBehindFailure // the sequence number of o-3: lost with the poison record
}
