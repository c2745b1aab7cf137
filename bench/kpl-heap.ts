// Heap taken by one KPL aggregate of many tiny user records, in a process of its own:
//   node --expose-gc --import tsx bench/kpl-heap.ts <user records> [maxUserRecords]
// Prints one JSON line: the aggregate's size, what became of it, peak heap (the most used heap
// seen before any GC while the batch ran, or after it) and peak RSS.
import { GCProfiler } from 'node:v8'
import * as z from 'zod'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent, kplAggregate, raw } from 'lambda-stream-handlers/testing'

const n = Number(process.argv[2] ?? 600_000)
const limit = process.argv[3] === undefined ? undefined : Number(process.argv[3])
const one = raw('1')
const event = kinesisEvent([kplAggregate(Array.from({ length: n }, () => one))])
const dataBytes = Buffer.from(event.Records[0]!.kinesis.data, 'base64').length
let sink = 0
const handler = kinesisHandler(
  { schema: z.number(), logger: silentLogger, allFailed: 'report', ...(limit === undefined ? {} : { maxUserRecords: limit }) },
  (x) => {
    sink += x
  },
)
;(globalThis as { gc?: () => void }).gc?.()
const before = process.memoryUsage().heapUsed
const profiler = new GCProfiler()
profiler.start()
const started = performance.now()
const report = await handler.process(event)
const ms = performance.now() - started
const after = process.memoryUsage().heapUsed
const { statistics } = profiler.stop()
let peak = after
for (const s of statistics) peak = Math.max(peak, s.beforeGC.heapStatistics.usedHeapSize)
const mib = (b: number): number => Math.round(b / 1024 / 102.4) / 10
console.log(
  JSON.stringify({
    userRecords: n,
    aggregateMiB: mib(dataBytes),
    outcomes: report.outcomes.length,
    first: report.outcomes[0]?.status,
    succeeded: sink,
    ms: Math.round(ms),
    peakHeapOverBaselineMiB: mib(peak - before),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
  }),
)
