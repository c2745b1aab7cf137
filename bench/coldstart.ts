// Cold start and bundle size: bundles minimal Kinesis handlers as a user would ship them (esbuild,
// minified ESM, `import * as z from 'zod'`) and times import + first invoke in fresh processes.
//   npm run bench:cold -- [--runs 25] [--sizes-only] [--check]
// --check compares sizes (never times) with bench/size-budget.json and exits 1 over budget (CI).
// Bundles the built package (dist/): run `npm run build` first.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { median } from './harness.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = `${root}.bench-out/cold/`
const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] || 25)
const sizesOnly = args.includes('--sizes-only') || args.includes('--check')

// The handlers, as a user writes them. Each exports `handler`; all validate with the same schema.
const SCHEMA = `import * as z from 'zod'
const Order = z.object({ orderId: z.string(), total: z.number(), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })) })
`
export const VARIANTS: Record<string, { what: string; source: string }> = {
  empty: { what: 'an empty handler (the runner alone)', source: 'export const handler = async () => ({ batchItemFailures: [] })\n' },
  floor: {
    what: 'hand-written loop: base64, JSON.parse, zod safeParse, failures reported',
    source: `${SCHEMA}let total = 0
export const handler = async (event) => {
  const batchItemFailures = []
  for (const record of event.Records) {
    try {
      const parsed = Order.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
      if (!parsed.success) throw parsed.error
      total += parsed.data.total
    } catch {
      batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber })
    }
  }
  return { batchItemFailures }
}
`,
  },
  'kinesisHandler': {
    what: 'minimal kinesisHandler(Order, fn)',
    source: `${SCHEMA}import { kinesisHandler } from 'lambda-stream-handlers'
let total = 0
export const handler = kinesisHandler(Order, async (order) => { total += order.total })
`,
  },
}

const RUNNER = `import { readFileSync } from 'node:fs'
const event = JSON.parse(readFileSync(process.argv[3], 'utf8'))
const t0 = performance.now()
const { handler } = await import(process.argv[2])
const t1 = performance.now()
const response = await handler(event, { getRemainingTimeInMillis: () => 60000 })
const t2 = performance.now()
if (response.batchItemFailures.length !== 0) throw new Error('unexpected failures')
process.stdout.write(JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, rssMb: process.resourceUsage().maxRSS / 1024 }))
`

function kinesisEvent(n: number): unknown {
  return {
    Records: Array.from({ length: n }, (_, i) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: `k${i}`,
        sequenceNumber: String(49590338271490256608559692538361571095921575989136588898n + BigInt(i)),
        data: Buffer.from(JSON.stringify({ orderId: `o-${i}`, total: 10 + i, items: [{ sku: 'a', qty: 1 }] })).toString('base64'),
        approximateArrivalTimestamp: 1545084650.987,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${49590338271490256608559692538361571095921575989136588898n + BigInt(i)}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
      awsRegion: 'us-east-1',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/test',
    })),
  }
}

export interface Bundle {
  readonly name: string
  readonly file: string
  readonly raw: number
  readonly gzip: number
}

/** Bundles every variant as a user would: esbuild --bundle --platform=node --minify --format=esm. */
export async function bundleAll(): Promise<Bundle[]> {
  const dist = `${root}dist/esm/index.js`
  if (!existsSync(dist)) throw new Error('bench/coldstart.ts bundles the built package: run `npm run build` first.')
  mkdirSync(work, { recursive: true })
  const bundles: Bundle[] = []
  for (const [name, { source }] of Object.entries(VARIANTS)) {
    const entry = `${work}${name}.src.mjs`
    const file = `${work}${name}.mjs`
    writeFileSync(entry, source)
    await build({
      entryPoints: [entry],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      external: ['@aws-sdk/*'],
      // ESM bundles that include CommonJS need require (see perf-baselines.md); applied to every variant alike.
      banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
      alias: { 'lambda-stream-handlers': dist },
      nodePaths: [`${root}node_modules`],
      logLevel: 'error',
    })
    const bytes = readFileSync(file)
    bundles.push({ name, file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length })
  }
  return bundles
}

const fmt = (x: number): string => x.toLocaleString('en-US')

async function main(): Promise<void> {
  const bundles = await bundleAll()
  const floor = bundles.find((b) => b.name === 'floor')!
  if (args.includes('--check')) {
    // Budgets are what a handler adds over the floor handler (same zod), so a zod update does not trip them.
    const budget = JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url), 'utf8')) as {
      overFloor: Record<string, { raw: number; gzip: number }>
    }
    let over = false
    for (const [name, limit] of Object.entries(budget.overFloor)) {
      const b = bundles.find((x) => x.name === name)
      if (b === undefined) throw new Error(`size-budget.json names ${name}, which bench/coldstart.ts does not build`)
      const raw = b.raw - floor.raw
      const gzip = b.gzip - floor.gzip
      const ok = raw <= limit.raw && gzip <= limit.gzip
      over ||= !ok
      console.log(
        `${ok ? 'ok  ' : 'OVER'} ${name}: ${fmt(b.raw)} B minified, ${fmt(b.gzip)} B gzip; over the floor handler ${fmt(raw)} B (budget ${fmt(limit.raw)}), ${fmt(gzip)} B gzip (budget ${fmt(limit.gzip)})`,
      )
    }
    if (over) {
      console.error('The bundle of a minimal handler grew past bench/size-budget.json. Find what was pulled in (esbuild --metafile) or, if the growth is wanted, raise the budget in the same commit and say why.')
      process.exit(1)
    }
    return
  }
  if (sizesOnly) {
    for (const b of bundles) console.log(`${b.name}: ${fmt(b.raw)} B raw, ${fmt(b.gzip)} B gzip`)
    return
  }
  const eventFile = `${work}event.json`
  writeFileSync(eventFile, JSON.stringify(kinesisEvent(10)))
  const runner = `${work}runner.mjs`
  writeFileSync(runner, RUNNER)
  type Sample = { wall: number; importMs: number; invokeMs: number; rssMb: number }
  const samples: Record<string, Sample[]> = Object.fromEntries(bundles.map((b) => [b.name, []]))
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < bundles.length; k++) {
      const b = bundles[(k + r) % bundles.length]!
      const t0 = performance.now()
      const out = execFileSync(process.execPath, [runner, b.file, eventFile], { encoding: 'utf8' })
      const wall = performance.now() - t0
      samples[b.name]!.push({ wall, ...(JSON.parse(out) as Omit<Sample, 'wall'>) })
    }
  }
  const floorS = samples.floor!
  console.log(`\n${runs} fresh \`node\` processes per variant, interleaved; a 10-record Kinesis event. node ${process.version}.`)
  console.log('Bundles: esbuild --bundle --platform=node --minify --format=esm (createRequire banner), gzip level 9. import+invoke = in-process time to')
  console.log('import the bundle and run the first invocation; "+ms vs floor" = median of per-round differences to the floor handler.\n')
  console.log('| variant | what it is | raw B | gzip B | + B vs floor | wall ms (median) | import+invoke ms (median, min–max) | + ms vs floor | peak RSS MB |')
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const b of bundles) {
    const s = samples[b.name]!
    const ii = s.map((x) => x.importMs + x.invokeMs)
    const diff = s.map((x, i) => x.importMs + x.invokeMs - floorS[i]!.importMs - floorS[i]!.invokeMs)
    console.log(
      `| ${b.name} | ${VARIANTS[b.name]!.what} | ${fmt(b.raw)} | ${fmt(b.gzip)} | ${fmt(b.raw - floor.raw)} | ${median(s.map((x) => x.wall)).toFixed(1)} | ` +
        `${median(ii).toFixed(1)} (${Math.min(...ii).toFixed(1)}–${Math.max(...ii).toFixed(1)}) | ${median(diff).toFixed(1)} | ${median(s.map((x) => x.rssMb)).toFixed(1)} |`,
    )
  }
}

await main()
