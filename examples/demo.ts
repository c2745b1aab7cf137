// npm run demo: runs the example Kinesis handler over generated events and prints what it reports.
// (The local runner on a real Kinesis-compatible server replaces this once it lands.)
import { formatOutcome } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
import { handler, Order, saved } from './kinesis/handler.js'

const batches = {
  'all good': kinesisEvent(
    [
      { orderId: 'o-1', total: 20, currency: 'EUR' },
      { orderId: 'o-2', total: 5.5, currency: 'USD' },
    ],
    { schema: Order },
  ),
  'a poison record in the middle': kinesisEvent(
    [{ orderId: 'o-3', total: 1, currency: 'EUR' }, { orderId: 'o-4', total: 'ten', currency: 'EUR' } as never, { orderId: 'o-5', total: 2, currency: 'EUR' }],
    { schema: Order },
  ),
  'not JSON at all': kinesisEvent([raw('hello')]),
}

for (const [name, event] of Object.entries(batches)) {
  saved.length = 0
  const report = await handler.process(event, lambdaContext())
  console.log(`\n== ${name}: ${event.Records.length} records`)
  for (const outcome of report.outcomes) console.log(`  ${formatOutcome(outcome)}`)
  console.log(`  saved: ${saved.length === 0 ? '(nothing)' : saved.join('; ')}`)
  try {
    console.log(`  Lambda gets: ${JSON.stringify(await handler(event, lambdaContext()))}`)
  } catch (e) {
    console.log(`  Lambda gets a thrown ${(e as Error).name}: every record failed, so the batch is retried (and bisected if enabled).`)
  }
}
