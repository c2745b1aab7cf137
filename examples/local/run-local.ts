// The handler against a Kinesis stream on the laptop (kinesalite), read as Lambda's mapping would.
import { KinesisClient } from '@aws-sdk/client-kinesis'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { localClient, runLocal, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = kinesisHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function drain(endpoint: string): Promise<MappingReport> {
  // kinesalite speaks HTTP/1.1: localClient gives the client an HTTP/1.1 handler, a region and local credentials.
  const kinesis = await localClient(KinesisClient, { endpoint })
  const run = await runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', pollIntervalMs: 100 })
  await run.idle()
  const report = await run.stop()
  kinesis.destroy()
  return report
}
