// Memory of one contender, in a process of its own (peak RSS is per process):
//   node --expose-gc --import tsx bench/memory.ts <source> <contender|noop> <n>
// Prints one JSON line: peak RSS, bytes allocated per batch, heap retained per batch.
import { GCProfiler } from 'node:v8'
import { eventCopier, gc, invocationContext } from './harness.js'
import { workloads } from './workloads.js'

const [source, name, nText] = process.argv.slice(2)
const workload = workloads.find((w) => w.source === source)
if (workload === undefined) throw new Error(`unknown source ${source}`)
const n = Number(nText)
const contender = workload.contenders.find((c) => c.name === name)
if (contender === undefined && name !== 'noop') throw new Error(`unknown contender ${name}`)

let sink = 0
const work = async (p: { readonly amount: number }): Promise<void> => {
  sink += p.amount
}
const run = contender === undefined ? async (_e: unknown) => ({ batchItemFailures: [] }) : contender.make(work)
const copy = eventCopier(workload.makeEvent(n))
const heapUsed = (): number => process.memoryUsage().heapUsed

// Bytes allocated while `fn` runs: heap growth plus what every GC in between freed.
async function allocated(fn: () => Promise<unknown>): Promise<number> {
  const profiler = new GCProfiler()
  const before = heapUsed()
  profiler.start()
  await fn()
  const after = heapUsed()
  const { statistics } = profiler.stop()
  let freed = 0
  for (const s of statistics) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize
  return after - before + freed
}

// Warm up (compiles, caches), then measure batches of n on fresh copies (JSON.parse, as the runtime makes them).
for (let i = 0; i < 3; i++) await run(copy(), invocationContext())
const allocations: number[] = []
for (let i = 0; i < 5; i++) {
  const event = copy()
  const context = invocationContext()
  gc()
  allocations.push(await allocated(() => run(event, context)))
}
const peakRssMb = process.resourceUsage().maxRSS / 1024

// Retained: many batches of 100 on fresh copies, full GC before and after.
const small = eventCopier(workload.makeEvent(100))
const batches = 300
await run(small(), invocationContext())
gc()
gc()
const start = heapUsed()
for (let i = 0; i < batches; i++) await run(small(), invocationContext())
await new Promise((r) => setImmediate(r))
gc()
gc()
const retainedPerBatch = (heapUsed() - start) / batches

allocations.sort((a, b) => a - b)
const allocatedPerBatch = allocations[2]!
console.log(
  JSON.stringify({
    source,
    name,
    n,
    peakRssMb,
    allocatedPerBatch,
    allocatedPerRecord: allocatedPerBatch / n,
    retainedPerBatch,
    batches,
    sink: sink > 0,
  }),
)
