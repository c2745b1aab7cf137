// Separate-process A/B: each variant runs in processes of its own, alternating with the others, and
// each process measures the floor beside one variant in interleaved rounds (CPU time), printing the
// median of its per-round ratios. One library build per process means no JIT feedback is shared
// between builds or with other contenders (bench/PROFILE.md, fourth pass); the ratio of one process
// still moves by ±0.1, so take the median over several processes.
//   node bench/apart.mjs <lib|pieces> <processes per variant> "<ENV=value ...>" ...
//   lib:    floor vs the whole handler.  SRC=kinesis|sqs|dynamodb  DIST=dir (default dist)  N=1000
//           VALID=1 (no invalid records)  SYNC=1 (synchronous record function)  C=concurrency
//   pieces: Kinesis floor vs a hand loop with pieces of the library.  V=parser,meta,records,...
// Run `npm run build` first; copies of dist/ with one change each make the A/B.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const [worker, reps, ...variants] = process.argv.slice(2)
if (!['lib', 'pieces'].includes(worker) || !(Number(reps) > 0) || variants.length === 0) {
  console.error('usage: node bench/apart.mjs <lib|pieces> <processes per variant> "<ENV=value ...>" ...')
  process.exit(2)
}
const script = fileURLToPath(new URL(`./apart-${worker}.mjs`, import.meta.url))
const results = new Map(variants.map((v) => [v, []]))
for (let r = 0; r < Number(reps); r++) {
  for (const v of variants) {
    const env = { ...process.env, ...Object.fromEntries(v.split(/\s+/).filter(Boolean).map((kv) => kv.split('='))) }
    const out = execFileSync(process.execPath, ['--expose-gc', script], { env, encoding: 'utf8' })
    results.get(v).push(JSON.parse(out.trim().split('\n')[0]))
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
for (const [v, rs] of results) {
  const ratios = rs.map((x) => x.ratio)
  console.log(`${v.padEnd(40)} x floor ${median(ratios).toFixed(2)}  [${ratios.map((x) => x.toFixed(2)).join(' ')}]  µs/record: variant ${median(rs.map((x) => x.variant)).toFixed(2)}, floor ${median(rs.map((x) => x.floor)).toFixed(2)}`)
}
