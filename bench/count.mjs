// A fixed Kinesis workload for instruction counts, which a shared machine cannot disturb (no
// hardware counters here, so valgrind): count with W warm-up batches and M more, and the difference
// over M * 1000 records is the instructions per record of the steady state:
//   valgrind --tool=callgrind --smc-check=all-non-file --callgrind-out-file=/dev/null \
//     node --single-threaded bench/count.mjs lib 100 0      (then ... lib 100 100)
// Variants: floor, row (floor + the library's parser and source row), lib, inorder; sqs-floor, sqs-lib; ddb-floor, ddb-lib. VALID=1: no invalid records.
// Instructions are not time (memory stalls do not show), so use it beside bench/apart.mjs, not instead.
import { floors, payloads as makePayloads, Payload } from './floors.mjs'
// DIST=dir: count another build (a copy of dist/ with one change, for an A/B).
const dist = process.env.DIST ?? '../dist'
const { kinesisHandler, sqsHandler, dynamodbHandler, silentLogger } = await import(`${dist}/esm/index.js`)
const { kinesisSource } = await import(`${dist}/esm/sources/kinesis/index.js`)
const { kinesisEvent, sqsEvent, dynamodbEvent, modify, raw } = await import(`${dist}/esm/testing/index.js`)
const { unmarshall } = await import('@aws-sdk/util-dynamodb')
const n = 1000
const payloads = makePayloads(n, raw, process.env.ONLY ? { bad: (i) => (process.env.ONLY === 'json' ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }) } : {})
const used = process.env.VALID ? payloads.map((p, i) => (i % 100 === 99 ? payloads[0] : p)) : payloads
// DynamoDB: all valid (MODIFY records, both images).
const ddb = () => dynamodbEvent(payloads.map((p, i) => (i % 100 === 99 ? { ...payloads[0], id: `p-${i}` } : p)).map((p) => (typeof p.amount === 'number' ? modify({ ...p, amount: p.amount - 1 }, p) : modify(p, p))), { keys: ['id'] })
const event = process.argv[2].startsWith('sqs') ? sqsEvent(used, { messageAttributes: { tenant: 'acme', version: 3 } }) : process.argv[2].startsWith('ddb') ? ddb() : kinesisEvent(used)
let sink = 0
const work = async (p) => { sink += p.amount }
const parse = kinesisSource.parser({ schema: Payload })
const base = { context: undefined, logger: silentLogger }
const variants = {
  floor: floors.kinesis(work),
  parser: async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try { await work(parse(record)) } catch { batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber }) }
    }
    return { batchItemFailures }
  },
  'row-nometa': async (event) => {
    const batchItemFailures = []
    for (const record of kinesisSource.records(event)) {
      try { await work(parse(record)) } catch { batchItemFailures.push({ itemIdentifier: kinesisSource.id(record) }) }
    }
    return { batchItemFailures }
  },
  'row-norecords': async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try { await work(parse(record), kinesisSource.meta(record, base)) } catch { batchItemFailures.push({ itemIdentifier: kinesisSource.id(record) }) }
    }
    return { batchItemFailures }
  },
  row: async (event) => {
    const batchItemFailures = []
    for (const record of kinesisSource.records(event)) {
      try { await work(parse(record), kinesisSource.meta(record, base)) } catch { batchItemFailures.push({ itemIdentifier: kinesisSource.id(record) }) }
    }
    return { batchItemFailures }
  },
  lib: kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work),
  inorder: kinesisHandler({ schema: Payload, ordering: 'in-order', logger: silentLogger }, work),
  'sqs-floor': floors.sqs(work),
  'ddb-floor': floors.dynamodb(work, unmarshall),
  'ddb-lib': dynamodbHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, (change) => work(change.newImage)),
  'sqs-lib': sqsHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger }, work),
}
if (process.env.B) {
  // B=dir: the same library variants from another build, named with a "-B" suffix, for a side-by-side A/B.
  const b = await import(`${process.env.B}/esm/index.js`)
  variants['lib-B'] = b.kinesisHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: b.silentLogger }, work)
  variants['sqs-lib-B'] = b.sqsHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: b.silentLogger }, work)
  variants['ddb-lib-B'] = b.dynamodbHandler({ schema: Payload, ordering: 'unordered', concurrency: 1, logger: b.silentLogger }, (change) => work(change.newImage))
}
if (process.env.TIME) {
  // TIME=1 node --expose-gc bench/count.mjs ddb-floor,ddb-lib [rounds]: CPU time instead, interleaved
  // rounds of ~100 ms, medians and the median of per-round ratios to the first variant.
  const names = process.argv[2].split(',')
  const rounds = Number(process.argv[3] ?? 21)
  const times = names.map(() => [])
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
  for (let r = -3; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const k = (j + r + 3) % names.length
      globalThis.gc?.()
      const t = cpu()
      let runs = 0
      while (cpu() - t < 100) { await variants[names[k]](event); runs++ }
      if (r >= 0) times[k].push(((cpu() - t) * 1000) / (runs * n))
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
  names.forEach((name, k) => console.log(`${name.padEnd(12)} ${median(times[k]).toFixed(3)} µs/record  x ${names[0]} ${median(times[k].map((t, i) => times[0][i] / t)).toFixed(2)}`))
} else {
  const f = variants[process.argv[2]]
  const warm = Number(process.argv[3]), meas = Number(process.argv[4])
  for (let i = 0; i < warm + meas; i++) await f(event)
}
if (sink === 0) console.log('sink')
