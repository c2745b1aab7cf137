// npm run bench:unmarshall: the library's unmarshallImage against @aws-sdk/util-dynamodb's
// unmarshall on 15-attribute images (strings, numbers, a boolean, NULL, a string set, a number set,
// a map, a list of maps), as a DynamoDB Streams event carries them.
// Method (see ../shared/spec/perf-baselines.md): every sample converts 2,000 distinct images freshly
// parsed from the event's JSON (as Lambda hands them over, never a hot, reused object); contenders
// alternate in each round after a warm-up, a GC is forced before each sample when available, and
// the result is the median of the per-round ratios. Both must produce equal values first.
import { isDeepStrictEqual } from 'node:util'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import { unmarshallImage } from 'lambda-stream-handlers'

const IMAGES = 2000
const ROUNDS = Number(process.env.ROUNDS ?? 25)

function image(i: number): Record<string, unknown> {
  return {
    orderId: { S: `order-${i}` },
    customerId: { S: `CUSTOMER#${i % 97}` },
    status: { S: ['NEW', 'PAID', 'SHIPPED'][i % 3] },
    total: { N: String(12.5 + i) },
    quantity: { N: String(i % 7) },
    version: { N: String(i) },
    paid: { BOOL: i % 2 === 0 },
    note: { NULL: true },
    createdAt: { S: '2026-11-22T02:00:00.000Z' },
    email: { S: 'alice@example.com' },
    tags: { SS: ['priority', 'gift', `batch-${i % 10}`] },
    scores: { NS: ['1', '2.5', String(i)] },
    address: { M: { street: { S: 'Main Street 1' }, city: { S: 'Springfield' }, zip: { S: '12345' } } },
    items: { L: [{ M: { sku: { S: 'sku-1' }, qty: { N: '2' } } }, { M: { sku: { S: 'sku-2' }, qty: { N: '1' } } }] },
    priority: { N: String(i % 5) },
  }
}

const text = JSON.stringify(Array.from({ length: IMAGES }, (_, i) => image(i)))
const contenders: Record<string, (image: Record<string, unknown>) => unknown> = {
  'lambda-stream-handlers unmarshallImage': (img) => unmarshallImage(img),
  '@aws-sdk/util-dynamodb unmarshall': (img) => unmarshall(img as never),
}

// Same values from both, or the comparison means nothing.
for (const img of JSON.parse(text) as Record<string, unknown>[]) {
  const [ours, theirs] = Object.values(contenders).map((f) => f(img))
  if (!isDeepStrictEqual(ours, theirs)) throw new Error('The contenders disagree on an image.')
}

const gc = (globalThis as { gc?: () => void }).gc
let sink = 0
function sample(run: (image: Record<string, unknown>) => unknown): number {
  const images = JSON.parse(text) as Record<string, unknown>[]
  gc?.()
  const start = process.hrtime.bigint()
  for (const img of images) sink += run(img) === undefined ? 0 : 1
  return Number(process.hrtime.bigint() - start) / 1000 / IMAGES // µs per image
}

for (let w = 0; w < 5; w++) for (const run of Object.values(contenders)) sample(run)
const times: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
const ratios: number[] = []
for (let r = 0; r < ROUNDS; r++) {
  const [ours, theirs] = Object.entries(contenders).map(([name, run]) => {
    const t = sample(run)
    times[name]!.push(t)
    return t
  })
  ratios.push(theirs! / ours!)
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
console.log(`node ${process.version}, ${IMAGES} images of 15 attributes per sample, ${ROUNDS} rounds, GC forced: ${gc !== undefined}`)
console.log('| contender | µs per image (median) | min–max |')
console.log('| --- | ---: | ---: |')
for (const [name, ts] of Object.entries(times))
  console.log(`| ${name} | ${median(ts).toFixed(2)} | ${Math.min(...ts).toFixed(2)}–${Math.max(...ts).toFixed(2)} |`)
console.log(
  `\nutil-dynamodb time / unmarshallImage time, median of per-round ratios: ${median(ratios).toFixed(2)}x (min ${Math.min(...ratios).toFixed(2)}x, max ${Math.max(...ratios).toFixed(2)}x)`,
)
if (sink < 0) console.log(sink)
