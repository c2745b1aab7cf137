// One process of bench/apart.mjs: the Kinesis floor vs a hand loop that uses pieces of the library
// named in V (comma-separated): records (kinesisSource.records), meta, parser (kinesisParser),
// fused (the parser's steps written inline), with dec (bytesDecoder) or val (validate) inside fused,
// utf8 (fatal TextDecoder), std (~standard.validate), then (await only a thenable), outcomes, wrap.
import { pathToFileURL } from 'node:url'
import * as z from 'zod'
const dist = pathToFileURL(`${process.env.DIST ?? 'dist'}/`)
const at = (path) => new URL(path, dist).href
const { kinesisEvent, raw } = await import('../dist/esm/testing/index.js')
const { kinesisSource, kinesisParser } = await import(at('esm/sources/kinesis.js'))
const { silentLogger } = await import(at('esm/index.js'))
const n = Number(process.env.N ?? 1000)
const rounds = Number(process.env.ROUNDS ?? 11)
const V = new Set((process.env.V ?? '').split(','))
const Payload = z.object({ id: z.string(), customer: z.object({ name: z.string(), email: z.string() }), amount: z.number(), currency: z.enum(['EUR', 'USD', 'GBP']), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })), createdAt: z.string(), tags: z.array(z.string()), priority: z.number().int() })
const valid = process.env.VALID === '1'
const good = (i) => ({ id: `p-${i}`, customer: { name: 'Alice Example', email: 'alice@example.com' }, amount: 123 + i, currency: 'EUR', items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }], createdAt: '2026-11-22T02:00:00.000Z', tags: ['a', 'b', 'c'], priority: i % 5 })
const payloads = Array.from({ length: n }, (_, i) => (i % 100 === 99 && !valid ? (i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }) : good(i)))
let sink = 0
const work = async (p) => { sink += p.amount }
const event = kinesisEvent(payloads)
const floor = async (event) => {
  const batchItemFailures = []
  for (const record of event.Records) {
    try {
      const parsed = Payload.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
      if (!parsed.success) throw parsed.error
      await work(parsed.data)
    } catch { batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber }) }
  }
  return { batchItemFailures }
}
const utf8 = new TextDecoder('utf-8', { fatal: true })
const std = Payload['~standard']
const libParse = kinesisParser({ schema: Payload })
const { base64ToBytes, bytesDecoder } = await import(at('esm/sources/decode.js'))
const { validate } = await import(at('esm/engine/schema.js'))
const dec = bytesDecoder('json')
const fused = (record) => {
  const bytes = base64ToBytes(record.kinesis.data, 'kinesis.data')
  if (bytes[0] === 0xf3) throw new Error('kpl')
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) throw new Error('gzip')
  let json
  if (V.has('dec')) json = dec(bytes)
  else {
  let text
  try { text = utf8.decode(bytes) } catch (e) { throw new Error('utf8') }
  try { json = JSON.parse(text) } catch (e) { throw new Error('json') }
  }
  if (V.has('val')) return validate(Payload, json)
  const r = std.validate(json)
  if (r instanceof Promise) throw new Error('async')
  if (r.issues) throw new Error('issues')
  return r.value
}
const base = { context: undefined, logger: silentLogger }
const variant = async (event) => {
  const batchItemFailures = []
  const records = V.has('records') ? kinesisSource.records(event) : event.Records
  const outcomes = V.has('outcomes') ? new Array(records.length) : undefined
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    try {
      const meta = V.has('meta') ? kinesisSource.meta(record, base) : undefined
      let value
      if (V.has('parser')) value = libParse(record)
      else if (V.has('fused')) value = fused(record)
      else {
        const buf = Buffer.from(record.kinesis.data, 'base64')
        const text = V.has('utf8') ? utf8.decode(buf) : buf.toString('utf8')
        const json = JSON.parse(text)
        if (V.has('std')) { const r = std.validate(json); if (r.issues) throw new Error('x'); value = r.value }
        else { const parsed = Payload.safeParse(json); if (!parsed.success) throw parsed.error; value = parsed.data }
      }
      const r = work(value, meta)
      if (V.has('then')) { if (typeof r === 'object' && r !== null && typeof r.then === 'function') await r } else await r
      if (outcomes) outcomes[i] = { status: 'ok', id: record.kinesis.sequenceNumber, index: i }
    } catch (e) {
      if (outcomes) outcomes[i] = { status: 'failed', id: record.kinesis.sequenceNumber, index: i }
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber }) }
  }
  return { batchItemFailures }
}
const wrapped = V.has('wrap') ? async (e, c) => { const r = await variant(e, c); return { batchItemFailures: r.batchItemFailures } } : variant
const text = JSON.stringify(event)
const fns = [floor, wrapped]
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
const per = Math.max(2, Math.round(40000 / n))
const times = [[], []]
for (let r = -3; r < rounds; r++) {
  for (let j = 0; j < 2; j++) {
    const k = (j + r + 3) % 2
    const evs = Array.from({ length: per }, () => JSON.parse(text))
    globalThis.gc()
    const t = cpu()
    for (const e of evs) await fns[k](e)
    if (r >= 0) times[k].push(((cpu() - t) * 1000) / (per * n))
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
console.log(JSON.stringify({ floor: median(times[0]), variant: median(times[1]), ratio: median(times[0].map((t, i) => t / times[1][i])) }))
if (sink === 0) console.log('sink')
