// One process of bench/apart.mjs: the floor vs the whole handler of the build in DIST, on one
// source (SRC), in interleaved rounds of CPU time; prints {floor, variant, ratio}.
import { pathToFileURL } from 'node:url'
import { floors, good, Payload, payloads, timePair } from './floors.mjs'

const dist = pathToFileURL(`${process.env.DIST ?? 'dist'}/`)
const src = process.env.SRC ?? 'kinesis'
const n = Number(process.env.N ?? 1000)
const { kinesisHandler, sqsHandler, dynamodbHandler, silentLogger } = await import(new URL('esm/index.js', dist).href)
// The events always come from dist/'s test kit, so that every build under test is fed the same bytes.
const { kinesisEvent, sqsEvent, dynamodbEvent, modify, raw } = await import('../dist/esm/testing/index.js')
const { unmarshall } = await import('@aws-sdk/util-dynamodb')

const list = payloads(n, raw, { valid: process.env.VALID === '1' })
let sink = 0
const work = process.env.SYNC === '1' ? (p) => { sink += p.amount } : async (p) => { sink += p.amount }
const opts = { schema: Payload, ordering: process.env.ORD ?? 'unordered', concurrency: Number(process.env.C ?? 1), logger: silentLogger }
let event, lib
if (src === 'kinesis') {
  event = kinesisEvent(list)
  lib = kinesisHandler(opts, work)
} else if (src === 'sqs') {
  event = sqsEvent(list, { messageAttributes: { tenant: 'acme', version: 3 } })
  lib = sqsHandler(opts, work)
} else {
  event = dynamodbEvent(list.map((p, i) => (typeof p.amount === 'number' ? modify({ ...p, amount: p.amount - 1 }, p) : modify(good(i), { ...good(i), amount: 'oops' }))), { keys: ['id'] })
  lib = dynamodbHandler(opts, (change) => work(change.newImage))
}
await timePair(floors[src](work, unmarshall), lib, event, n, Number(process.env.ROUNDS ?? 11))
if (sink === 0) console.log('sink')
