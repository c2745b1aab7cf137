// The I/O-bound row: record functions that await a simulated 1 ms write (setTimeout 1 ms), 1,000
// Kinesis records, every one valid, over 10 or over 100 partition keys (record i has key k(i % K)).
// Wall time, not CPU time: the records wait, they do not compute. The record function logs, per
// key, the order its records finished in and whether one started while an earlier record of its
// key was still in flight; order is kept only if every key's records finished in batch order,
// one at a time. One process per contender and key count (bench/paired.ts bundles this file):
//   node .bench-out/bench/io.mjs <contender> <keys> [timed runs]
// prints one JSON line (IoRun). ioRow() runs them all.
import { execFileSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch'
import middy from '@middy/core'
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { eventCopier, invocationContext, median, type BatchResponse, type Handler } from './harness.js'
import { Payload, payloads } from './payload.js'

export const RECORDS = 1000
export const WRITE_MS = 1

type Write = (payload: Payload) => Promise<void>

/** The contenders; each gets the same record function (`write`). */
export const IO_CONTENDERS: Record<string, { what: string; make: (write: Write) => Handler<KinesisStreamEvent> }> = {
  'lambda-stream-handlers per-key c10': {
    what: "kinesisHandler({ ordering: 'per-key', concurrency: 10 }): up to 10 keys in flight, each key's records one after another",
    make: (write) => {
      const handler = kinesisHandler({ schema: Payload, ordering: 'per-key', concurrency: 10, logger: silentLogger }, write)
      return (event, context) => handler(event, context)
    },
  },
  'lambda-stream-handlers per-key c100': {
    what: 'the same with concurrency: 100 (every key in flight at 100 keys)',
    make: (write) => {
      const handler = kinesisHandler({ schema: Payload, ordering: 'per-key', concurrency: 100, logger: silentLogger }, write)
      return (event, context) => handler(event, context)
    },
  },
  'powertools sequential': {
    what: 'BatchProcessor + processPartialResponse with processInParallel: false (one record at a time, order kept)',
    make: (write) => {
      const processor = new BatchProcessor(EventType.KinesisDataStreams)
      const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
        await write(Payload.parse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))))
      }
      return (event, context) =>
        processPartialResponse(event, recordHandler, processor, { context, processInParallel: false }) as Promise<BatchResponse>
    },
  },
  'powertools parallel': {
    what: 'BatchProcessor + processPartialResponse, its default: every record of the batch at once (Promise.all)',
    make: (write) => {
      const processor = new BatchProcessor(EventType.KinesisDataStreams)
      const recordHandler = async (record: KinesisStreamRecord): Promise<void> => {
        await write(Payload.parse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))))
      }
      return (event, context) => processPartialResponse(event, recordHandler, processor, { context }) as Promise<BatchResponse>
    },
  },
  middy: {
    what: "@middy/core, the handler's loop awaits each record (as the throughput rows' Middy contender; Middy has no partial-batch middleware for Kinesis)",
    make: (write) =>
      middy<KinesisStreamEvent, BatchResponse>().handler(async (event) => {
        const batchItemFailures: BatchResponse['batchItemFailures'] = []
        for (const record of event.Records) {
          try {
            await write(Payload.parse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'))))
          } catch {
            batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
          }
        }
        return { batchItemFailures }
      }) as unknown as Handler<KinesisStreamEvent>,
  },
}

/** What one process reports. */
export interface IoRun {
  readonly contender: string
  readonly keys: number
  /** Wall ms per invocation, one per timed run. */
  readonly wallMs: number[]
  /** Every key's records finished in batch order, in every run. */
  readonly finishOrderKept: boolean
  /** Records that started while an earlier record of their key was in flight (most in one run). */
  readonly overlaps: number
  /** The most records in flight at once (most in one run). */
  readonly maxInFlight: number
}

/** The physical limit: the longest key's chain of writes, one after another. */
export const limitMs = (keys: number): number => Math.ceil(RECORDS / keys) * WRITE_MS

async function child(name: string, keys: number, runs: number): Promise<void> {
  const contender = IO_CONTENDERS[name]
  if (contender === undefined) throw new Error(`bench/io.ts: no contender ${name}`)
  // Per run: each key's finished records in order, who is in flight.
  let finished: number[][] = []
  let inFlight: boolean[] = []
  let overlaps = 0
  let flying = 0
  let maxFlying = 0
  const write: Write = async (payload) => {
    const i = Number(payload.id.slice(2))
    const key = i % keys
    if (inFlight[key]) overlaps++
    inFlight[key] = true
    maxFlying = Math.max(maxFlying, ++flying)
    await sleep(WRITE_MS)
    flying--
    inFlight[key] = false
    finished[key]!.push(i)
  }
  const handler = contender.make(write)
  const copy = eventCopier(kinesisEvent(payloads(RECORDS, { valid: true }) as never[], { partitionKey: (_p, i) => `k${i % keys}` }))
  const wallMs: number[] = []
  let finishOrderKept = true
  let mostOverlaps = 0
  let mostInFlight = 0
  for (let r = -1; r < runs; r++) {
    finished = Array.from({ length: keys }, () => [])
    inFlight = Array.from({ length: keys }, () => false)
    overlaps = 0
    maxFlying = 0
    const event = copy()
    const context = invocationContext()
    const t0 = performance.now()
    const response = await handler(event, context)
    const ms = performance.now() - t0
    if (response.batchItemFailures.length > 0)
      throw new Error(`${name}: ${response.batchItemFailures.length} records failed; every record is valid`)
    if (finished.flat().length !== RECORDS) throw new Error(`${name}: ${finished.flat().length} of ${RECORDS} records were written`)
    if (r < 0) continue // warm-up
    wallMs.push(ms)
    finishOrderKept &&= finished.every((seq) => seq.every((i, j) => j === 0 || i > seq[j - 1]!))
    mostOverlaps = Math.max(mostOverlaps, overlaps)
    mostInFlight = Math.max(mostInFlight, maxFlying)
  }
  const run: IoRun = { contender: name, keys, wallMs, finishOrderKept, overlaps: mostOverlaps, maxInFlight: mostInFlight }
  console.log(JSON.stringify(run))
}

/**
 * The row as markdown lines: every contender at 10 and at 100 keys, each in a process of its own
 * (`script` is this file bundled), `runs` timed invocations after one warm-up.
 */
export function ioRow(script: string, runs = 5): string[] {
  const lines = [
    `${RECORDS.toLocaleString('en-US')} Kinesis records, every one valid, each record function awaiting a ${WRITE_MS} ms write (setTimeout); one process per contender and key count, ` +
      `one warm-up invocation and ${runs} timed ones; wall ms per invocation, median (min–max). "Order kept" = every key's records finished in batch order and none started ` +
      "while an earlier one of its key was in flight. The limit is the longest key's chain of writes one after another; with 10 in flight at most, " +
      `${RECORDS.toLocaleString('en-US')} / 10 × ${WRITE_MS} ms = ${(RECORDS / 10) * WRITE_MS} ms is a second bound for a concurrency of 10.`,
    '',
    '| contender | keys | wall ms, median (min–max) | limit ms (longest key × 1 ms) | x limit | finish order per key | records started while their key was in flight | most in flight | order kept |',
    '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |',
  ]
  for (const keys of [10, 100]) {
    for (const name of Object.keys(IO_CONTENDERS)) {
      const out = execFileSync(process.execPath, [script, name, String(keys), String(runs)], { encoding: 'utf8' })
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as IoRun
      const m = median(r.wallMs)
      const kept = r.finishOrderKept && r.overlaps === 0
      lines.push(
        `| ${name} | ${keys} | ${m.toFixed(0)} (${Math.min(...r.wallMs).toFixed(0)}–${Math.max(...r.wallMs).toFixed(0)}) | ${limitMs(keys)} | ${(m / limitMs(keys)).toFixed(1)} | ` +
          `${r.finishOrderKept ? 'in batch order' : 'out of order'} | ${r.overlaps} | ${r.maxInFlight} | ${kept ? 'yes' : 'no'} |`,
      )
    }
  }
  lines.push('', '| contender | what it is |', '| --- | --- |')
  for (const [name, c] of Object.entries(IO_CONTENDERS)) lines.push(`| ${name} | ${c.what} |`)
  return lines
}

// Run as a process of its own (not when run.ts imports ioRow).
if (process.argv[1]?.endsWith('io.mjs')) await child(process.argv[2]!, Number(process.argv[3]), Number(process.argv[4] ?? 5))
