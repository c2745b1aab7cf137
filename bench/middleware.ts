// node --expose-gc --import tsx bench/middleware.ts: what logContext and idempotent cost per record,
// against the same handler without middleware. Same method as bench/run.ts: interleaved rounds
// after warm-up, fresh event copies, a forced GC before each sample, medians.
import * as z from 'zod'
import type { KinesisStreamEvent } from 'aws-lambda'
import { kinesisHandler, logContext, silentLogger } from 'lambda-stream-handlers'
import { idempotent } from 'lambda-stream-handlers/idempotency'
import { InMemoryPersistenceStore, kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'

const Payload = z.object({ id: z.string(), amount: z.number(), tags: z.array(z.string()) })
let sink = 0
const work = (p: z.infer<typeof Payload>): void => {
  sink += p.amount
}
const options = { schema: Payload, ordering: 'unordered', concurrency: 1, logger: silentLogger } as const

const bare = kinesisHandler(options, work)
const logged = kinesisHandler(options)
  .use(logContext({ keys: (p) => ({ id: p.id }) }))
  .handle((p, meta) => {
    meta.logger.debug('record')
    work(p)
  })
// A fresh store for every batch: every record is new (save in progress, run, save the result).
const firstTime = (e: KinesisStreamEvent): Promise<unknown> =>
  kinesisHandler(options).use(idempotent({ persistenceStore: new InMemoryPersistenceStore() })).handle(work)(e, lambdaContext())
// One store that has seen the batch: every record is a repeat (its stored result comes back).
const seenStore = new InMemoryPersistenceStore()
const repeatHandler = kinesisHandler(options).use(idempotent({ persistenceStore: seenStore })).handle(work)

const contenders: Record<string, (e: KinesisStreamEvent) => Promise<unknown>> = {
  'no middleware': (e) => bare(e, lambdaContext()),
  logContext: (e) => logged(e, lambdaContext()),
  'idempotent, in-memory store, new records': firstTime,
  'idempotent, in-memory store, repeats': (e) => repeatHandler(e, lambdaContext()),
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
const gc = (globalThis as { gc?: () => void }).gc

async function measure(n: number, rounds: number): Promise<void> {
  const template = kinesisEvent(Array.from({ length: n }, (_, i) => ({ id: `p-${i}`, amount: i, tags: ['a', 'b'] })))
  await repeatHandler(structuredClone(template), lambdaContext())
  const names = Object.keys(contenders)
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]))
  for (let r = -3; r < rounds; r++) {
    const order = names.map((_, i) => names[(i + r + 3) % names.length]!)
    for (const name of order) {
      const event = structuredClone(template)
      gc?.()
      const t0 = process.hrtime.bigint()
      await contenders[name]!(event)
      if (r >= 0) times[name]!.push(Number(process.hrtime.bigint() - t0))
    }
  }
  const base = median(times['no middleware']!)
  console.log(`\nKinesis, ${n} records, ${rounds} rounds`)
  console.log('| contender | median µs/record | added µs/record |')
  console.log('| --- | ---: | ---: |')
  for (const name of names) {
    const med = median(times[name]!)
    console.log(`| ${name} | ${(med / n / 1000).toFixed(2)} | ${((med - base) / n / 1000).toFixed(2)} |`)
  }
}

console.log(`Node ${process.version}, ${gc ? 'GC forced before each sample' : 'run with --expose-gc to force GC between samples'}`)
await measure(1000, 20)
if (sink === 0) console.log('(sink)')
