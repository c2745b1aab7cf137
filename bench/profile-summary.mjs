// Self time per function from a .cpuprofile (node --cpu-prof), top N: node bench/profile-summary.mjs FILE [N]
import { readFileSync } from 'node:fs'
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const self = new Map()
const dt = profile.timeDeltas
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const hits = new Map()
profile.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (dt[i] ?? 0)))
let total = 0
for (const [id, us] of hits) {
  const { callFrame: f } = byId.get(id)
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1')}:${f.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + us)
  total += us
}
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30))) console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`)
