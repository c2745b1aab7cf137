// Interleaved micro-measure of the floor against the library and its pieces, on the built package
// (npm run build first; dist keeps real line numbers for --cpu-prof):
//   node --expose-gc bench/micro.mjs [n] [rounds]
//   node --cpu-prof bench/micro.mjs 1000 20 lib      (profile one variant)
//   BEFORE=/path/to/old/dist node --expose-gc bench/micro.mjs 1000 21   (adds the old build, for a before/after)
import * as z from 'zod'
import { kinesisHandler, silentLogger } from '../dist/esm/index.js'
import { kinesisParser, kinesisSource } from '../dist/esm/sources/kinesis.js'
import { kinesisEvent, raw } from '../dist/esm/testing/index.js'

const Payload = z.object({ id: z.string(), customer: z.object({ name: z.string(), email: z.string() }), amount: z.number(), currency: z.enum(['EUR', 'USD', 'GBP']), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })), createdAt: z.string(), tags: z.array(z.string()), priority: z.number().int() })
const n = Number(process.argv[2] ?? 1000)
const rounds = Number(process.argv[3] ?? 15)
const only = process.argv[4]
const payloads = Array.from({ length: n }, (_, i) => i % 100 === 99 ? (i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }) : { id: `p-${i}`, customer: { name: 'Alice Example', email: 'alice@example.com' }, amount: 123 + i, currency: 'EUR', items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }], createdAt: '2026-11-22T02:00:00.000Z', tags: ['a', 'b', 'c'], priority: i % 5 })
const event = kinesisEvent(payloads)
let sink = 0
const work = async (p) => { sink += p.amount }
const parse = kinesisParser({ schema: Payload })
const base = { context: undefined, logger: silentLogger }
const variants = {
  floor: async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try {
        const parsed = Payload.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
        if (!parsed.success) throw parsed.error
        await work(parsed.data)
      } catch { batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber }) }
    }
    return { batchItemFailures }
  },
  // The floor with the library's record parser (decode + validate) in place of its own.
  'floor+lib-parser': async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try { await work(parse(record)) } catch { batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber }) }
    }
    return { batchItemFailures }
  },
  // ... plus the source row's per-record work: records() check and meta.
  'floor+lib-parser+row': async (event) => {
    const batchItemFailures = []
    for (const record of kinesisSource.records(event)) {
      try { await work(parse(record), kinesisSource.meta(record, base)) } catch { batchItemFailures.push({ itemIdentifier: kinesisSource.id(record) }) }
    }
    return { batchItemFailures }
  },
  lib: kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work),
  'lib in-order': kinesisHandler({ schema: Payload, ordering: 'in-order', logger: silentLogger }, work),
}
// 'lib in-order' stops at the first failure: give it an all-valid event so it does the same work.
const valid = kinesisEvent(payloads.map((p, i) => (i % 100 === 99 ? payloads[0] : p)))
if (process.env.BEFORE) {
  const old = await import(`${process.env.BEFORE}/esm/index.js`)
  variants['lib (before)'] = old.kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work)
  variants['lib in-order (before)'] = old.kinesisHandler({ schema: Payload, ordering: 'in-order', logger: silentLogger }, work)
}
if (process.env.WITH_PEERS) {
  // Load and run the other contenders' libraries in this process, as npm run bench does.
  const { BatchProcessor, EventType, processPartialResponse } = await import('@aws-lambda-powertools/batch')
  const { default: middy } = await import('@middy/core')
  const { default: eventNormalizer } = await import('@middy/event-normalizer')
  const processor = new BatchProcessor(EventType.KinesisDataStreams)
  await processPartialResponse(structuredClone(event), async () => {}, processor)
  await middy().use(eventNormalizer()).handler(async () => {})(structuredClone(event), {})
}
const names = Object.keys(variants).filter((k) => only === undefined || only.split(',').includes(k))
const times = Object.fromEntries(names.map((k) => [k, []]))
for (let r = -3; r < rounds; r++) {
  for (let j = 0; j < names.length; j++) {
    const name = names[(j + r + 3) % names.length]
    const e = name.startsWith('lib in-order') || process.env.VALID ? valid : event
    globalThis.gc?.()
    // CPU time of this process (user + system), not wall time: on a shared machine, time spent
    // descheduled is not the contender's. GC helper threads count, as they should.
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
    // FRESH=1: a new copy of the event per invocation (as Lambda gives), cloned before the clock starts.
    const copies = process.env.FRESH ? Array.from({ length: Math.ceil(30000 / n) }, () => structuredClone(e)) : undefined
    globalThis.gc?.()
    const t = cpu()
    let k = 0
    if (copies) for (const c of copies) { await variants[name](c); k++ }
    else while (cpu() - t < 100) { await variants[name](e); k++ }
    if (r >= 0) times[name].push(((cpu() - t) * 1000) / (k * n))
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
for (const name of names) {
  const ratio = median(times[name].map((t, i) => (times.floor ? times.floor[i] / t : 1)))
  console.log(`${name.padEnd(24)} ${median(times[name]).toFixed(3)} µs/record  x floor ${ratio.toFixed(2)}`)
}
if (sink === 0) console.log('sink')
