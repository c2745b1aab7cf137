// One process of bench/apart.mjs: the floor vs the whole handler of the build in DIST, on one
// source, in interleaved rounds of CPU time; prints {floor, variant, ratio} (µs/record, median ratio).
import { pathToFileURL } from 'node:url'
import * as z from 'zod'
const dist = pathToFileURL(`${process.env.DIST ?? 'dist'}/`)
const src = process.env.SRC ?? 'kinesis'
const n = Number(process.env.N ?? 1000)
const rounds = Number(process.env.ROUNDS ?? 11)
const { kinesisHandler, sqsHandler, dynamodbHandler, silentLogger } = await import(new URL('esm/index.js', dist).href)
const { kinesisEvent, sqsEvent, dynamodbEvent, modify, raw } = await import('../dist/esm/testing/index.js')
const { unmarshall } = await import('@aws-sdk/util-dynamodb')
const Payload = z.object({ id: z.string(), customer: z.object({ name: z.string(), email: z.string() }), amount: z.number(), currency: z.enum(['EUR', 'USD', 'GBP']), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })), createdAt: z.string(), tags: z.array(z.string()), priority: z.number().int() })
const valid = process.env.VALID === '1'
const good = (i) => ({ id: `p-${i}`, customer: { name: 'Alice Example', email: 'alice@example.com' }, amount: 123 + i, currency: 'EUR', items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }], createdAt: '2026-11-22T02:00:00.000Z', tags: ['a', 'b', 'c'], priority: i % 5 })
const payloads = Array.from({ length: n }, (_, i) => (i % 100 === 99 && !valid ? (i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }) : good(i)))
let sink = 0
const work = process.env.SYNC === '1' ? (p) => { sink += p.amount } : async (p) => { sink += p.amount }
const ORD = process.env.ORD ?? 'unordered'
const opts = { schema: Payload, ordering: ORD, concurrency: Number(process.env.C ?? 1), logger: silentLogger }
let event, floor, lib
if (src === 'kinesis') {
  event = kinesisEvent(payloads)
  floor = async (event) => {
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
  lib = kinesisHandler(opts, work)
} else if (src === 'sqs') {
  event = sqsEvent(payloads, { messageAttributes: { tenant: 'acme', version: 3 } })
  floor = async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try {
        const parsed = Payload.safeParse(JSON.parse(record.body))
        if (!parsed.success) throw parsed.error
        await work(parsed.data)
      } catch { batchItemFailures.push({ itemIdentifier: record.messageId }) }
    }
    return { batchItemFailures }
  }
  lib = sqsHandler(opts, work)
} else {
  event = dynamodbEvent(payloads.map((p, i) => (typeof p.amount === 'number' ? modify({ ...p, amount: p.amount - 1 }, p) : modify(good(i), { ...good(i), amount: 'oops' }))), { keys: ['id'] })
  floor = async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try {
        const before = Payload.safeParse(unmarshall(record.dynamodb.OldImage))
        if (!before.success) throw before.error
        const after = Payload.safeParse(unmarshall(record.dynamodb.NewImage))
        if (!after.success) throw after.error
        await work(after.data)
      } catch { batchItemFailures.push({ itemIdentifier: record.dynamodb.SequenceNumber }) }
    }
    return { batchItemFailures }
  }
  lib = dynamodbHandler(opts, (change) => work(change.newImage))
}
const text = JSON.stringify(event)
const fns = [floor, lib]
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
