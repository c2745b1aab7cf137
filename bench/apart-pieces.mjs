// One process of bench/apart.mjs: the Kinesis floor vs a hand loop that uses pieces of the library
// named in V (comma-separated): records (kinesisSource.records), meta, parser (kinesisSource.parser),
// fused (the parser's steps written inline), with dec (bytesDecoder) or val (validate) inside fused,
// utf8 (fatal TextDecoder), std (~standard.validate), then (await only a thenable), outcomes, wrap.
import { pathToFileURL } from 'node:url'
import { floors, Payload, payloads, timePair } from './floors.mjs'

const dist = pathToFileURL(`${process.env.DIST ?? 'dist'}/`)
const at = (path) => new URL(path, dist).href
const { kinesisEvent, raw } = await import('../dist/esm/testing/index.js')
const { kinesisSource } = await import(at('esm/sources/kinesis/index.js'))
const { silentLogger } = await import(at('esm/index.js'))
const n = Number(process.env.N ?? 1000)
const V = new Set((process.env.V ?? '').split(','))
let sink = 0
const work = async (p) => { sink += p.amount }
const event = kinesisEvent(payloads(n, raw, { valid: process.env.VALID === '1' }))
const floor = floors.kinesis(work)
const utf8 = new TextDecoder('utf-8', { fatal: true })
const std = Payload['~standard']
const libParse = kinesisSource.parser({ schema: Payload })
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
await timePair(floor, wrapped, event, n, Number(process.env.ROUNDS ?? 11))
if (sink === 0) console.log('sink')
