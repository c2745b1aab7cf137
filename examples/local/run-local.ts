// The handler against a Kinesis stream on the laptop (kinesalite), read as Lambda's mapping would.
import { KinesisClient } from '@aws-sdk/client-kinesis'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { IdleTimeoutError, localClient, runLocal, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = kinesisHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function drain(endpoint: string): Promise<MappingReport> {
  // kinesalite speaks HTTP/1.1: localClient gives the client an HTTP/1.1 handler, a region and local credentials.
  const kinesis = await localClient(KinesisClient, { endpoint })
  const run = await runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', pollIntervalMs: 100 })
  try {
    // Rejects with an IdleTimeoutError after 30 s if a batch keeps failing (the default retries last until records expire).
    await run.idle({ timeoutMs: 30_000 })
    return await run.stop()
  } catch (e) {
    if (e instanceof IdleTimeoutError) console.error(`not drained: ${e.unsettled.length} records unsettled`)
    throw e
  } finally {
    await run.stop() // the same report; stops the run when idle() failed
    kinesis.destroy()
  }
}
