// The handler against a Kinesis stream on the laptop (kinesalite), read as Lambda's mapping would.
import { KinesisClient } from '@aws-sdk/client-kinesis'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { runLocal, type MappingReport } from 'lambda-stream-handlers/local'

const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler = kinesisHandler({ schema: Order, logger: silentLogger }, async () => {})

export async function drain(endpoint: string): Promise<MappingReport> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
  const client = new KinesisClient({ endpoint, region: 'us-east-1', credentials, requestHandler: new NodeHttpHandler() })
  const run = await runLocal(handler, { source: 'kinesis', client, streamName: 'orders', BatchSize: 100, pollIntervalMs: 100 })
  await run.idle()
  const report = await run.stop()
  client.destroy()
  return report
}
