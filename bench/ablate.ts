// npm run bench:ablate: what each per-record feature of the library costs, measured by the
// canonical method (bench/paired.ts). Each ablation is a copy of dist/ with one change (a feature
// not computed; the property stays, as undefined, so objects keep their shape), or an identical
// copy as the control; each runs as its own contender in the same rounds as the floor and the
// library as built. The figures are the ablation's x floor, and its lead over the build as built
// (the build's µs / the ablation's µs, same round: what removing, or making lazy, that feature
// would save). Read a lead beside the control's: an identical copy reads 1.00 only on a quiet machine.
//   npm run bench:ablate -- [--only kinesis-date,sqs-eager-meta] [--sizes 1000] [--pairs 9] [--out FILE]
//                           [--builds name=DIR,... --sources kinesis,sqs]
// --builds adds whole other builds (a dist/ made from changed src, e.g. `npx tsc -p tsconfig.build.json
// --outDir .bench-out/builds/x/esm`; inside the repository, so its imports resolve) to the rounds of
// each source in --sources, beside the ablations: an A/B of a code change, measured the same way.
// A change that no longer applies (src changed) fails with its name: update its `from` here.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './harness.js'
import { describeMachine, loadAverage } from './machine.js'
import { bundleScript, lead, pairedCell, spread, type Entry } from './paired.js'

const root = fileURLToPath(new URL('..', import.meta.url))

interface Ablation {
  readonly source: 'kinesis' | 'sqs' | 'dynamodb'
  readonly what: string
  /** Replacements in dist/esm/<file>: each `from` must occur exactly once. */
  readonly changes: readonly { readonly file: string; readonly from: string; readonly to: string }[]
}

// Kinesis meta is lazy without middleware (src/sources/kinesis/index.ts); this puts the eager form back.
const KINESIS_EAGER = {
  file: 'sources/kinesis/index.js',
  from: 'lazyMeta: (record, base) => new LazyKinesisMeta(record, base),',
  to: 'lazyMeta: metaOf,',
}
// SQS meta is lazy without middleware (src/sources/sqs/meta.ts); this puts the eager form back.
const SQS_EAGER = {
  file: 'sources/sqs/index.js',
  from: 'lazyMeta: (record, base) => new LazySqsMeta(record, base),',
  to: 'lazyMeta: eagerSqsMeta,',
}
const KINESIS_CHECKS = { file: 'sources/kinesis/index.js', from: 'checkRecord(r, i);', to: '' }
const NO_DEADLINE = {
  file: 'engine/engine.js',
  from: 'const pastDeadline = () => watched && (remaining(context) ?? Number.POSITIVE_INFINITY) < deadlineMarginMs;',
  to: 'const pastDeadline = () => false;',
}
const SHARED_OK = [
  { file: 'engine/engine.js', from: "outcome = { status: 'ok', id, index: i };", to: 'outcome = SHARED_OK;' },
  {
    file: 'engine/engine.js',
    from: 'export function toLambdaHandler(',
    to: "const SHARED_OK = { status: 'ok', id: '', index: -1 };\nexport function toLambdaHandler(",
  },
]

// The decoder's correctness checks, each replaced by what the floor does (bench/kinesis.ts).
const LOOSE_UTF8 = {
  file: 'sources/decode.js',
  from: 'return utf8.decode(bytes);',
  to: "return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');",
}
const NO_EXACT_INTEGERS = { file: 'sources/decode.js', from: 'if (hasLongDigitRun(text)) {', to: 'if (false) {' }
const LOOSE_BASE64 = {
  file: 'sources/decode.js',
  from: "if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding || data.indexOf('-') !== -1 || data.indexOf('_') !== -1) {",
  to: 'if (false) {',
}
// zod's own safeParse instead of its Standard Schema entry point (which wraps safeParse in a try and a result object).
const DIRECT_ZOD = {
  file: 'engine/schema.js',
  from: "const result = schema['~standard'].validate(value);",
  to: 'const z = schema.safeParse(value); const result = z.success ? { value: z.data } : { issues: z.error.issues };',
}

// The whole engine (identifiers, lanes, the deadline check and watch, outcomes, the summary) replaced
// by the floor's loop around the same source and parser: what the engine costs over a hand-written loop.
const BARE_LOOP = {
  file: 'engine/engine.js',
  from: 'const records = source.records(event);',
  to: `const failures = [];
        for (const record of source.records(event)) {
            try {
                const meta = source.meta(record, { context, logger: settings.logger });
                const parsed = parse(record, meta);
                const result = fn(parsed instanceof Promise ? await parsed : parsed, meta);
                if (isThenable(result)) await result;
            } catch {
                failures.push({ itemIdentifier: source.id(record) });
            }
        }
        if (failures !== null) return { outcomes: [], batchItemFailures: failures, allFailed: false };
        const records = source.records(event);`,
}
const ENGINE = "the engine replaced by the floor's loop (meta, parse, record function; no ids, lanes, deadline, outcomes or summary)"

const DYNAMODB_DATE = {
  file: 'sources/dynamodb/index.js',
  from: 'createdAt: created === undefined ? undefined : new Date(created),',
  to: 'createdAt: undefined,',
}

const SAME = 'an identical copy of the build (the control: its lead over the build is the noise of one reading)'

export const ABLATIONS: Record<string, Ablation> = {
  'kinesis-same': { source: 'kinesis', what: SAME, changes: [] },
  'kinesis-eager-meta': {
    source: 'kinesis',
    what: 'meta built whole before the record function (as with eagerMeta: true or any middleware): what the lazy meta saves, negated',
    changes: [KINESIS_EAGER],
  },
  'kinesis-checks': {
    source: 'kinesis',
    what: 'records() without the per-record event checks (source, sequence number, eventID, partition key, arrival time)',
    changes: [KINESIS_CHECKS],
  },
  'kinesis-lean': {
    source: 'kinesis',
    what: 'the event checks, the deadline check and the ok outcome together (meta is lazy: nothing of it is made when unread)',
    changes: [KINESIS_CHECKS, NO_DEADLINE, ...SHARED_OK],
  },
  'kinesis-nonalloc': {
    source: 'kinesis',
    what: 'no per-record event checks, no deadline check',
    changes: [KINESIS_CHECKS, NO_DEADLINE],
  },
  'kinesis-deadline': {
    source: 'kinesis',
    what: "no deadline check (the context's getRemainingTimeInMillis per record)",
    changes: [NO_DEADLINE],
  },
  'kinesis-ok-outcome': {
    source: 'kinesis',
    what: "one shared outcome for every 'ok' record instead of an object each",
    changes: SHARED_OK,
  },
  'kinesis-engine': { source: 'kinesis', what: ENGINE, changes: [BARE_LOOP] },
  'kinesis-utf8': {
    source: 'kinesis',
    what: "UTF-8 decoded by Buffer's toString (bad bytes become U+FFFD) instead of a fatal TextDecoder",
    changes: [LOOSE_UTF8],
  },
  'kinesis-exact': {
    source: 'kinesis',
    what: 'no check that integers beyond 2^53 would arrive rounded (the strided digit-run scan)',
    changes: [NO_EXACT_INTEGERS],
  },
  'kinesis-base64': {
    source: 'kinesis',
    what: "no strict base64 check (length, padding, no '-' or '_')",
    changes: [LOOSE_BASE64],
  },
  'kinesis-zod': {
    source: 'kinesis',
    what: "zod's safeParse called directly instead of its Standard Schema validate",
    changes: [DIRECT_ZOD],
  },
  'kinesis-decoder': {
    source: 'kinesis',
    what: "the decoder as loose as the floor's: all of utf8, exact, base64 and zod above",
    changes: [LOOSE_UTF8, NO_EXACT_INTEGERS, LOOSE_BASE64, DIRECT_ZOD],
  },
  'kinesis-all': {
    source: 'kinesis',
    what: "everything above at once: the floor's loop around a loose decoder, no event checks",
    changes: [BARE_LOOP, KINESIS_CHECKS, LOOSE_UTF8, NO_EXACT_INTEGERS, LOOSE_BASE64, DIRECT_ZOD],
  },
  'sqs-same': { source: 'sqs', what: SAME, changes: [] },
  'sqs-eager-meta': {
    source: 'sqs',
    what: 'meta decoded before the record function (as with eagerMeta: true or any middleware): what the lazy meta saves, negated',
    changes: [SQS_EAGER],
  },
  'sqs-deadline': { source: 'sqs', what: "no deadline check (the context's getRemainingTimeInMillis per record)", changes: [NO_DEADLINE] },
  'sqs-engine': { source: 'sqs', what: ENGINE, changes: [BARE_LOOP] },
  'sqs-exact': { source: 'sqs', what: 'no check that integers beyond 2^53 would arrive rounded', changes: [NO_EXACT_INTEGERS] },
  'sqs-zod': { source: 'sqs', what: "zod's safeParse called directly instead of its Standard Schema validate", changes: [DIRECT_ZOD] },
  'sqs-all': {
    source: 'sqs',
    what: "the engine, the integer check and the Standard Schema call at once: the floor's loop around the parser",
    changes: [BARE_LOOP, NO_EXACT_INTEGERS, DIRECT_ZOD],
  },
  'sqs-ok-outcome': { source: 'sqs', what: "one shared outcome for every 'ok' record instead of an object each", changes: SHARED_OK },
  'dynamodb-same': { source: 'dynamodb', what: SAME, changes: [] },
  'dynamodb-engine': { source: 'dynamodb', what: ENGINE, changes: [BARE_LOOP] },
  'dynamodb-date': { source: 'dynamodb', what: 'meta.createdAt not built (no `new Date` per record)', changes: [DYNAMODB_DATE] },
  'dynamodb-deadline': {
    source: 'dynamodb',
    what: "no deadline check (the context's getRemainingTimeInMillis per record)",
    changes: [NO_DEADLINE],
  },
}

/** A copy of dist/ with the ablation's changes, in .bench-out/ablate/<name>/ (inside the repository, so its imports resolve). */
function ablatedDist(name: string, ablation: Ablation): string {
  const dir = `${root}.bench-out/ablate/${name}`
  rmSync(dir, { recursive: true, force: true })
  cpSync(`${root}dist`, dir, { recursive: true })
  for (const { file, from, to } of ablation.changes) {
    const path = `${dir}/esm/${file}`
    const text = readFileSync(path, 'utf8')
    const at = text.indexOf(from)
    if (at === -1 || text.indexOf(from, at + 1) !== -1) {
      throw new Error(
        `bench/ablate.ts ${name}: dist/esm/${file} no longer contains \`${from}\` exactly once (src changed?): update the ablation.`,
      )
    }
    writeFileSync(path, text.replace(from, to))
  }
  return dir
}

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const builds = (flag('--builds')?.split(',') ?? []).map((b) => {
  const [name, dir] = b.split('=')
  if (!name || !dir) throw new Error(`--builds: expected name=DIR, received ${b}`)
  return { name, dir: resolve(dir) }
})
const buildSources = flag('--sources')?.split(',') ?? (builds.length > 0 ? ['kinesis'] : [])
const only = flag('--only')?.split(',') ?? (builds.length > 0 ? [] : undefined)
const sizes = (flag('--sizes') ?? '1000').split(',').map(Number)
const pairs = Number(flag('--pairs') ?? 9)
const out = flag('--out')
const names = only ?? Object.keys(ABLATIONS)
for (const name of names)
  if (ABLATIONS[name] === undefined) throw new Error(`--only: no ablation ${name} (${Object.keys(ABLATIONS).join(', ')})`)

const lines: string[] = []
const say = (line = ''): void => {
  lines.push(line)
  console.log(line)
}
say(describeMachine())
say(
  `- ${pairs} rounds per cell; each round: the floor, the library as built, and every ablation of that source, one process each (bench/paired.ts)`,
)
say()
say(
  '| source | N | ablation | what is not done | x floor, built | x floor, ablated | built µs / ablated µs, median (min–max) | µs/record saved, median (min–max) |',
)
say('| --- | ---: | --- | --- | ---: | ---: | ---: | ---: |')
const built = await bundleScript('cell')
for (const source of ['kinesis', 'sqs', 'dynamodb'] as const) {
  const mine = names.filter((name) => ABLATIONS[name]!.source === source)
  const other = buildSources.includes(source) ? builds : []
  if (mine.length === 0 && other.length === 0) continue
  const entries: Entry[] = [
    { label: 'floor', contender: 'floor', script: built },
    { label: 'built', contender: 'lambda-stream-handlers', script: built },
  ]
  for (const name of mine)
    entries.push({
      label: name,
      contender: 'lambda-stream-handlers',
      script: await bundleScript('cell', ablatedDist(name, ABLATIONS[name]!), `cell-${name}`),
    })
  for (const { name, dir } of other) {
    entries.push({ label: name, contender: 'lambda-stream-handlers', script: await bundleScript('cell', dir, `cell-build-${name}`) })
  }
  for (const n of sizes) {
    const cell = pairedCell(source, n, entries, { pairs, warmupMs: 400, timedMs: 500 })
    const asBuilt = cell[1]!
    for (const r of cell.slice(2)) {
      const saved = r.us.map((x, i) => asBuilt.us[i]! - x)
      say(
        `| ${source} | ${n.toLocaleString('en-US')} | ${r.label} | ${ABLATIONS[r.label]?.what ?? `the build in ${builds.find((b) => b.name === r.label)?.dir}`} | ${median(asBuilt.ratios).toFixed(2)} | ${median(r.ratios).toFixed(2)} | ` +
          `${spread(lead(r, asBuilt))} | ${spread(saved)} |`,
      )
    }
  }
}
say()
say(`Load average at the end: ${loadAverage()}`)
if (out !== undefined) writeFileSync(out, `${lines.join('\n')}\n`)
