// What the plain-node bench tools share (apart-lib.mjs, apart-pieces.mjs, count.mjs): the payload
// and its schema (bench/payload.ts, as JavaScript for plain node), the hand-written floors, and the
// interleaved timing of a floor beside one variant.
import * as z from 'zod'

export const Payload = z.object({ id: z.string(), customer: z.object({ name: z.string(), email: z.string() }), amount: z.number(), currency: z.enum(['EUR', 'USD', 'GBP']), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })), createdAt: z.string(), tags: z.array(z.string()), priority: z.number().int() })

/** A valid payload. */
export const good = (i) => ({ id: `p-${i}`, customer: { name: 'Alice Example', email: 'alice@example.com' }, amount: 123 + i, currency: 'EUR', items: [{ sku: 'sku-1', qty: 2 }, { sku: 'sku-2', qty: 1 }], createdAt: '2026-11-22T02:00:00.000Z', tags: ['a', 'b', 'c'], priority: i % 5 })

/** `n` payloads; unless `valid`, every 100th is invalid: `bad(i)` (default: alternately truncated JSON and a schema mismatch). */
export function payloads(n, raw, { valid = false, bad = (i) => (i % 200 === 99 ? raw('{"id": "truncated') : { id: `p-${i}`, amount: 'oops' }) } = {}) {
  return Array.from({ length: n }, (_, i) => (i % 100 === 99 && !valid ? bad(i) : good(i)))
}

/** The floors: a loop that decodes, runs `Payload.safeParse`, awaits `work` and reports failures. */
export const floors = {
  kinesis: (work) => async (event) => {
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
  sqs: (work) => async (event) => {
    const batchItemFailures = []
    for (const record of event.Records) {
      try {
        const parsed = Payload.safeParse(JSON.parse(record.body))
        if (!parsed.success) throw parsed.error
        await work(parsed.data)
      } catch { batchItemFailures.push({ itemIdentifier: record.messageId }) }
    }
    return { batchItemFailures }
  },
  dynamodb: (work, unmarshall) => async (event) => {
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
  },
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]

/**
 * `floor` and `variant` in interleaved rounds of CPU time after 3 warm-up rounds, each sample on
 * fresh `JSON.parse` copies of `event` (as Lambda's runtime makes them) after a forced GC. Prints
 * `{ floor, variant, ratio }`: µs/record medians and the median per-round ratio (what apart.mjs reads).
 */
export async function timePair(floor, variant, event, n, rounds) {
  const text = JSON.stringify(event)
  const fns = [floor, variant]
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
  console.log(JSON.stringify({ floor: median(times[0]), variant: median(times[1]), ratio: median(times[0].map((t, i) => t / times[1][i])) }))
}
