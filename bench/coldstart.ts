// Cold start and bundle size: bundles Kinesis handlers as a user would ship them (esbuild, minified
// ESM, `import * as z from 'zod'`, @aws-sdk/* external) and times import + first invoke in fresh
// processes, each of ours beside the hand-written floor that does the same work: a minimal
// kinesisHandler beside a plain loop, and one with idempotency (Powertools' DynamoDB store) and a
// Powertools Logger beside the same loop calling Powertools directly.
//   npm run bench:cold -- [--runs 25] [--sizes-only] [--check]
// Both also say what the KPL de-aggregator costs in the minimal handler's bundle (kplShare).
// --check compares sizes (never times) with bench/size-budget.json and exits 1 over budget (CI).
// Every run fails if a module of this package imports the AWS SDK (see bundleAll).
// Bundles the built package (dist/): run `npm run build` first.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Metafile, type Plugin } from 'esbuild'
import { median } from './harness.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const work = `${root}.bench-out/cold/`
const args = process.argv.slice(2)
const runs = Number(args[args.indexOf('--runs') + 1] || 25)
const sizesOnly = args.includes('--sizes-only') || args.includes('--check')

// The handlers, as a user writes them. Each exports `handler`; all validate with the same schema.
// Each of ours is compared with the hand-written floor that does the same work (`floor`).
const SCHEMA = `import * as z from 'zod'
const Order = z.object({ orderId: z.string(), total: z.number(), items: z.array(z.object({ sku: z.string(), qty: z.number().int() })) })
`
// The idempotency pair's store and logger, the same on both sides: Powertools' DynamoDB store with
// its own DynamoDB client, whose HTTP handler answers in-process (HTTP 200, an empty JSON object, as
// DynamoDB answers a PutItem or UpdateItem without ReturnValues). Everything up to the socket runs:
// the SDK's middleware stack, serialising, SigV4 signing with the credentials from the environment
// (set by the bench, as Lambda sets them), deserialising. Nothing reaches AWS and nothing waits.
const STORE = `import { Logger } from '@aws-lambda-powertools/logger'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
const requestHandler = { handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from('{}') } }) }
const persistenceStore = new DynamoDBPersistenceLayer({ tableName: 'idempotency', clientConfig: { requestHandler } })
const logger = new Logger({ serviceName: 'orders' })
`
export const VARIANTS: Record<string, { what: string; floor: string; source: string }> = {
  empty: {
    what: 'an empty handler (the runner alone)',
    floor: 'floor',
    source: 'export const handler = async () => ({ batchItemFailures: [] })\n',
  },
  floor: {
    what: 'hand-written loop: base64, JSON.parse, zod safeParse, failures reported',
    floor: 'floor',
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
  kinesisHandler: {
    what: 'minimal kinesisHandler(Order, fn)',
    floor: 'floor',
    source: `${SCHEMA}import { kinesisHandler } from 'lambda-stream-handlers'
let total = 0
export const handler = kinesisHandler(Order, async (order) => { total += order.total })
`,
  },
  'floor-idem-logger': {
    what: 'the floor loop + Powertools makeIdempotent (DynamoDB store, key orderId) + Powertools Logger (an error line per failed record, a summary line per batch)',
    floor: 'floor-idem-logger',
    source: `${SCHEMA}${STORE}import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency'
const config = new IdempotencyConfig({})
let total = 0
const processOrder = makeIdempotent(async (orderId, order) => { total += order.total }, { persistenceStore, config })
export const handler = async (event, context) => {
  config.registerLambdaContext(context)
  const batchItemFailures = []
  for (const record of event.Records) {
    const { sequenceNumber, partitionKey } = record.kinesis
    try {
      const parsed = Order.safeParse(JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')))
      if (!parsed.success) throw parsed.error
      await processOrder(parsed.data.orderId, parsed.data)
    } catch (error) {
      logger.error('record failed', { sequenceNumber, partitionKey, error })
      batchItemFailures.push({ itemIdentifier: sequenceNumber })
    }
  }
  logger.info('batch done', { records: event.Records.length, failed: batchItemFailures.length })
  return { batchItemFailures }
}
`,
  },
  'kinesisHandler-idem-logger': {
    what: 'kinesisHandler({ schema, logger }).use(logContext()).use(idempotent({ persistenceStore, key: orderId })): same store and logger',
    floor: 'floor-idem-logger',
    source: `${SCHEMA}${STORE}import { kinesisHandler, logContext } from 'lambda-stream-handlers'
import { idempotent } from 'lambda-stream-handlers/idempotency'
let total = 0
export const handler = kinesisHandler({ schema: Order, logger })
  .use(logContext())
  .use(idempotent({ persistenceStore, key: (order) => order.orderId }))
  .handle(async (order) => { total += order.total })
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
// The last line: a handler's logger writes its own lines to stdout before it.
process.stdout.write(\`\\n\${JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, rssMb: process.resourceUsage().maxRSS / 1024 })}\\n\`)
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
  /** The modules that import the AWS SDK (external here: Lambda's runtime provides it), with what they import. */
  readonly sdkImporters: readonly string[]
}

/**
 * Who imports `@aws-sdk/*` in a bundle, from esbuild's metafile. The AWS SDK is external, as it
 * is in the Lambda runtime, so it is not among the bundle's inputs, but every import of it is.
 */
function sdkImporters(metafile: Metafile): string[] {
  const out: string[] = []
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const sdk = imports.filter((i) => i.path.startsWith('@aws-sdk/')).map((i) => i.path)
    if (sdk.length > 0) out.push(`${input.replace(/^.*node_modules\//, '')} -> ${[...new Set(sdk)].join(', ')}`)
  }
  return out
}

/**
 * Bundles every variant as a user would: esbuild --bundle --platform=node --minify --format=esm,
 * `@aws-sdk/*` external (the Lambda runtime provides it) in every variant alike.
 *
 * Fails if a module of this package imports the AWS SDK: only the store that needs it may
 * (`@aws-lambda-powertools/idempotency/dynamodb`, which the user imports). The root and the
 * idempotency entry point load neither the SDK nor a store; test/middleware/bundle.test.ts
 * checks the same from the sources.
 */
export async function bundleAll(): Promise<Bundle[]> {
  const bundles: Bundle[] = []
  for (const [name, { source }] of Object.entries(VARIANTS)) bundles.push(await bundle(name, source))
  return bundles
}

/** One variant's bundle (see bundleAll); `plugins` go to esbuild as they are. */
async function bundle(name: string, source: string, plugins: Plugin[] = []): Promise<Bundle> {
  const dist = `${root}dist/esm/`
  if (!existsSync(`${dist}index.js`)) throw new Error('bench/coldstart.ts bundles the built package: run `npm run build` first.')
  mkdirSync(work, { recursive: true })
  const entry = `${work}${name}.src.mjs`
  const file = `${work}${name}.mjs`
  writeFileSync(entry, source)
  const { metafile } = await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    external: ['@aws-sdk/*'],
    // ESM bundles that include CommonJS need require (see perf-baselines.md); applied to every variant alike.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    alias: { 'lambda-stream-handlers/idempotency': `${dist}idempotency/index.js`, 'lambda-stream-handlers': `${dist}index.js` },
    nodePaths: [`${root}node_modules`],
    metafile: true,
    absWorkingDir: root, // the metafile's paths are relative to the repository, wherever this runs from
    logLevel: 'error',
    plugins,
  })
  const importers = sdkImporters(metafile)
  const ours = importers.filter((i) => i.startsWith('dist/'))
  if (ours.length > 0)
    throw new Error(`${name}: this package's own modules import the AWS SDK (${ours.join('; ')}); only the store that needs it may.`)
  const bytes = readFileSync(file)
  return { name, file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length, sdkImporters: importers }
}

/**
 * What the KPL de-aggregator costs in the minimal kinesisHandler's bundle: the same bundle with
 * dist/esm/sources/kinesis/kpl.js replaced by what the Kinesis source would keep if KPL support were a
 * separate import (the aggregate's prefix, and an error saying to import it), and the difference.
 */
export async function kplShare(): Promise<string[]> {
  const stub: Plugin = {
    name: 'kpl-stub',
    setup(b) {
      b.onLoad({ filter: /dist\/esm\/sources\/kinesis\/kpl\.js$/ }, () => ({
        loader: 'js',
        contents: [
          "export const KPL_BASE64_PREFIX = '84maw'",
          "const missing = () => new Error('This record is a KPL aggregate: import the KPL support to read it.')",
          'export const splitAggregate = () => { throw missing() }',
          'export const isUnsplitAggregate = () => true',
          'export const brokenAggregate = missing',
        ].join('\n'),
      }))
    },
  }
  const source = VARIANTS.kinesisHandler!.source
  const [floor, withKpl, without] = [
    await bundle('floor', VARIANTS.floor!.source),
    await bundle('kinesisHandler', source),
    await bundle('kinesisHandler-no-kpl', source, [stub]),
  ]
  if (without!.raw >= withKpl!.raw)
    throw new Error('bench/coldstart.ts kplShare: the KPL stub replaced nothing (did src/sources/kinesis/kpl.ts move?)')
  const row = (b: Bundle): string =>
    `| ${b.name} | ${fmt(b.raw)} | ${fmt(b.gzip)} | ${fmt(b.raw - floor!.raw)} | ${fmt(b.gzip - floor!.gzip)} |`
  return [
    'The KPL de-aggregator in the minimal kinesisHandler bundle: the same bundle with dist/esm/sources/kinesis/kpl.js replaced (esbuild plugin) by what the Kinesis',
    'source would keep if KPL support were imported separately: the aggregate prefix check and an error that says to import it.',
    '',
    '| bundle | raw B | gzip B | + raw B vs floor | + gzip B vs floor |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(floor!),
    row(withKpl!),
    row(without!),
    '',
    `KPL support costs ${fmt(withKpl!.raw - without!.raw)} B raw, ${fmt(withKpl!.gzip - without!.gzip)} B gzip of the minimal handler's bundle.`,
  ]
}

const fmt = (x: number): string => x.toLocaleString('en-US')

/** The environment of every measured process: what Lambda sets that the SDK reads (fake credentials; nothing reaches AWS). */
const CHILD_ENV = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDBENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  // node 20 here; the SDK's warning that it will need node 22 would be noise (Lambda runs node 22 and later).
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
}

async function main(): Promise<void> {
  const bundles = await bundleAll()
  const byName = (name: string): Bundle => bundles.find((b) => b.name === name)!
  if (args.includes('--check')) {
    // A budget is what a handler adds over its hand-written floor (same zod, same Powertools), so
    // an update of those does not trip it.
    const budget = JSON.parse(readFileSync(new URL('./size-budget.json', import.meta.url), 'utf8')) as {
      overFloor: Record<string, { raw: number; gzip: number }>
    }
    let over = false
    for (const [name, limit] of Object.entries(budget.overFloor)) {
      const b = bundles.find((x) => x.name === name)
      if (b === undefined) throw new Error(`size-budget.json names ${name}, which bench/coldstart.ts does not build`)
      const floor = byName(VARIANTS[name]!.floor)
      const raw = b.raw - floor.raw
      const gzip = b.gzip - floor.gzip
      const ok = raw <= limit.raw && gzip <= limit.gzip
      over ||= !ok
      console.log(
        `${ok ? 'ok  ' : 'OVER'} ${name}: ${fmt(b.raw)} B minified, ${fmt(b.gzip)} B gzip; over ${floor.name} ${fmt(raw)} B (budget ${fmt(limit.raw)}), ${fmt(gzip)} B gzip (budget ${fmt(limit.gzip)})`,
      )
    }
    if (over) {
      console.error(
        'The bundle of a handler grew past bench/size-budget.json. Find what was pulled in (esbuild --metafile) or, if the growth is wanted, raise the budget in the same commit and say why.',
      )
      process.exit(1)
    }
    return
  }
  if (sizesOnly) {
    for (const b of bundles)
      console.log(
        `${b.name}: ${fmt(b.raw)} B raw, ${fmt(b.gzip)} B gzip; over ${VARIANTS[b.name]!.floor} ${fmt(b.raw - byName(VARIANTS[b.name]!.floor).raw)} B`,
      )
    console.log(`\n${(await kplShare()).join('\n')}`)
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
      const out = execFileSync(process.execPath, [runner, b.file, eventFile], { encoding: 'utf8', env: CHILD_ENV })
      const wall = performance.now() - t0
      samples[b.name]!.push({ wall, ...(JSON.parse(out.trim().split('\n').at(-1)!) as Omit<Sample, 'wall'>) })
    }
  }
  console.log(
    `\n${runs} fresh \`node\` processes per variant, interleaved; a 10-record Kinesis event, every record valid. node ${process.version}.`,
  )
  console.log(
    'Bundles: esbuild --bundle --platform=node --minify --format=esm (createRequire banner), @aws-sdk/* external in every variant (the Lambda runtime',
  )
  console.log(
    'provides it; loaded from node_modules here), gzip level 9. import / invoke = in-process time to import the bundle / run the first invocation;',
  )
  console.log(
    '"+ vs floor" compares each handler with the hand-written floor that does the same work (median of per-round differences for times).',
  )
  console.log(
    'The idempotency pair stores through a real DynamoDB client whose HTTP handler answers in-process (200, {}): per record a PutItem and an',
  )
  console.log('UpdateItem go through the SDK (serialise, sign, deserialise) and stop short of the network.\n')
  console.log(
    '| variant | floor | raw B | gzip B | + B vs floor | + gzip B vs floor | wall ms | import ms | invoke ms | import+invoke ms (min–max) | + ms vs floor | peak RSS MB |',
  )
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const b of bundles) {
    const s = samples[b.name]!
    const floor = byName(VARIANTS[b.name]!.floor)
    const floorS = samples[floor.name]!
    const ii = s.map((x) => x.importMs + x.invokeMs)
    const diff = s.map((x, i) => x.importMs + x.invokeMs - floorS[i]!.importMs - floorS[i]!.invokeMs)
    console.log(
      `| ${b.name} | ${floor.name} | ${fmt(b.raw)} | ${fmt(b.gzip)} | ${fmt(b.raw - floor.raw)} | ${fmt(b.gzip - floor.gzip)} | ${median(s.map((x) => x.wall)).toFixed(1)} | ` +
        `${median(s.map((x) => x.importMs)).toFixed(1)} | ${median(s.map((x) => x.invokeMs)).toFixed(1)} | ` +
        `${median(ii).toFixed(1)} (${Math.min(...ii).toFixed(1)}–${Math.max(...ii).toFixed(1)}) | ${median(diff).toFixed(1)} | ${median(s.map((x) => x.rssMb)).toFixed(1)} |`,
    )
  }
  console.log('\n| variant | what it is |\n| --- | --- |')
  for (const b of bundles) console.log(`| ${b.name} | ${VARIANTS[b.name]!.what} |`)
  console.log("\nWho imports the AWS SDK (esbuild metafile; none of this package's modules may):")
  for (const b of bundles) if (b.sdkImporters.length > 0) console.log(`- ${b.name}: ${b.sdkImporters.join('; ')}`)
  console.log(`\n${(await kplShare()).join('\n')}`)
}

await main()
