// In a file of its own, so that nothing else in the process moves its peak memory.
import { constants, createGzip } from 'node:zlib'
import { expect, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, raw } from 'lambda-stream-handlers/testing'

const MiB = 1024 * 1024

/** `mib` MiB of zeros streamed through gzip (one zero buffer reused): ~1 KB out per MiB in. */
async function gzipOfZeros(mib: number): Promise<Buffer> {
  const gzip = createGzip({ level: 1, strategy: constants.Z_RLE })
  const chunks: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise((resolve) => gzip.on('end', resolve))
  const zeros = Buffer.alloc(MiB)
  for (let i = 0; i < mib; i++) if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve))
  gzip.end()
  await ended
  return Buffer.concat(chunks)
}

it('refuses a gzip bomb (a 0.5 MB record that inflates to 512 MiB) at maxInflatedBytes, without taking the memory', async () => {
  const bomb = await gzipOfZeros(512)
  expect(bomb.length).toBeLessThan(MiB) // fits a Kinesis record
  const event = kinesisEvent([raw(bomb)])
  const handler = kinesisHandler({ schema: z.unknown(), allFailed: 'report', logger: silentLogger }, () => {})

  // The process's peak resident set, in KiB: it grows only if the handler goes past every earlier peak.
  const before = process.resourceUsage().maxRSS
  const report = await handler.process(event)
  const grownMiB = (process.resourceUsage().maxRSS - before) / 1024

  expect(grownMiB).toBeLessThan(64)
  expect(report.outcomes[0]).toMatchObject({
    status: 'invalid',
    reason: { kind: 'decode', message: expect.stringMatching(/^The data inflates past maxInflatedBytes \(6291456 bytes\)/) },
  })
})
