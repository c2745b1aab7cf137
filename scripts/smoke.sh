#!/usr/bin/env bash
# Packs the package and installs the tarball into an empty project, then runs the README's
# Kinesis example through ESM and CommonJS, as a user would after `npm install`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
# The published types say the behaviour; fact numbers and sections of docs/lambda-semantics.md mean nothing to a user.
if grep -rlE '\b[Ff]acts? [0-9]|§|UNCONFIRMED|esm-semantics|spec §' --include='*.d.ts' dist; then echo "these .d.ts files cite internal references"; exit 1; fi
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
echo "packed $tarball: $(tar tzf "$work/$tarball" | wc -l) files"
# examples/ and the two benchmark reports ship, since the README links them; tests and sources do not.
if tar tzf "$work/$tarball" | grep -E '^package/(test|src)/|^package/bench/' | grep -vE '^package/bench/(RESULTS|PROFILE)\.md$'; then echo "the tarball ships files users do not need"; exit 1; fi
# `prepack` builds, so that a pack from a fresh clone ships dist/.
packed=$(tar tzf "$work/$tarball")
for f in dist/esm/index.js dist/esm/index.d.ts dist/cjs/index.js dist/cjs/index.d.ts dist/esm/cli/bin.js dist/esm/testing/index.d.ts dist/esm/local/index.d.ts dist/cjs/idempotency/index.d.ts; do
  grep -qx "package/$f" <<<"$packed" || { echo "the tarball has no $f (is prepack running the build?)"; exit 1; }
done
# No published declaration may need a package the user may not have: the AWS SDK (peer
# dependencies, optional), nor Powertools' idempotency/types, whose types import @aws-sdk/client-dynamodb.
mkdir "$work/unpacked" && tar xzf "$work/$tarball" -C "$work/unpacked"
if grep -rnE "(from |import\()['\"](@aws-sdk/|@smithy/|@aws-lambda-powertools/idempotency/types)" --include='*.d.ts' "$work/unpacked/package/dist"; then
  echo "published types import packages a user may not have installed"; exit 1
fi
echo "tarball: dist/ packed, no declaration imports the AWS SDK"
# Every relative link of the packed README (as npm shows it) resolves inside the tarball, and every #anchor to a heading.
node - "$work/unpacked/package" <<'JS'
const { existsSync, readFileSync } = require('node:fs')
const { join } = require('node:path')
const dir = process.argv[2]
const readme = readFileSync(join(dir, 'README.md'), 'utf8').replace(/```[\s\S]*?```/g, '')
const slug = (h) => h.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')
const anchors = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])))
const broken = []
let count = 0
for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
  if (/^[a-z]+:/i.test(target)) continue
  count++
  const [path, anchor] = target.split('#')
  if (path === '' ? !anchors.has(anchor) : !existsSync(join(dir, path))) broken.push(target)
}
if (broken.length > 0) { console.error(`README links that do not resolve in the package: ${broken.join(', ')}`); process.exit(1) }
console.log(`README: ${count} relative links, all resolve inside the tarball`)
JS
cd "$work"
npm init -y >/dev/null
# @aws-lambda-powertools/idempotency is an optional peer: lambda-stream-handlers/idempotency needs it.
npm install --silent --no-audit --no-fund "./$tarball" zod@4 @aws-lambda-powertools/idempotency@2 >/dev/null
# The types in a strict project without the AWS SDK: exactOptionalPropertyTypes, skipLibCheck off,
# through ESM (.mts) and CommonJS (.cts) resolution; TypeScript and @types/node from this repository.
cat > tsconfig.json <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "exactOptionalPropertyTypes": true,
  "noUncheckedIndexedAccess": true, "skipLibCheck": false, "noEmit": true, "types": ["node"], "typeRoots": ["$root/node_modules/@types"] }, "include": ["types.mts", "types.cts"] }
JSON
cat > types.mts <<'TS'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, sqsHandler } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { localClient, runLocal, simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent, lambdaContext, raw, sqsEvent } from 'lambda-stream-handlers/testing'
const Order = z.object({ orderId: z.string(), accountId: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
export const handler = sqsHandler({ schema: Order, ordering: 'unordered', concurrency: 2 }, (order, meta) => meta.logger.info(order.orderId))
export const orders = kinesisHandler(Order).use(idempotent({ persistenceStore: new InMemoryPersistenceStore() })).handle((order) => order.total)
export const changes = dynamodbHandler({ schema: Order, streamViewType: 'NEW_IMAGE' }, (change) => change.keys)
const maybe = undefined as string | undefined
// The functions read the payloads as written; an option may be undefined; literals need no `as const`.
export const event = sqsEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'NEW', total: 1 }], { schema: Order, messageGroupId: (b) => b.accountId, queueName: maybe })
export const stream = kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', status: 'PAID', total: 1 }, raw('oops')], { schema: Order, partitionKey: maybe })
export const context = lambdaContext({ functionName: maybe })
export const report = simulate(handler, { source: 'sqs', records: event })
export const local = { localClient, runLocal }
// @ts-expect-error: a misspelt option is a compile error
kinesisHandler({ schema: Order, orderng: 'per-key' }, () => {})
TS
sed 's/^export const local = .*$//' types.mts > types.cts
"$root/node_modules/.bin/tsc" -p tsconfig.json
echo 'types ok: strict, exactOptionalPropertyTypes, skipLibCheck false, no AWS SDK installed'
cat > esm.mjs <<'JS'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent, lambdaContext, raw } from 'lambda-stream-handlers/testing'
const Order = z.object({ orderId: z.string(), total: z.number() })
const seen = []
const handler = kinesisHandler(Order, async (order) => { seen.push(order.orderId) })
const event = kinesisEvent([{ orderId: 'o-1', total: 12.5 }, raw('oops')])
const response = await handler(event, lambdaContext())
const want = JSON.stringify({ batchItemFailures: [{ itemIdentifier: event.Records[1].kinesis.sequenceNumber }] })
if (JSON.stringify(response) !== want || seen.join() !== 'o-1') { console.error('ESM: unexpected', response, seen); process.exit(1) }
console.log('ESM ok:', JSON.stringify(response))
JS
cat > cjs.cjs <<'JS'
const z = require('zod')
const { kinesisHandler, AllRecordsFailedError } = require('lambda-stream-handlers')
const { kinesisEvent } = require('lambda-stream-handlers/testing')
const handler = kinesisHandler({ schema: z.object({ n: z.number() }), logger: console }, () => { throw new Error('no') })
handler(kinesisEvent([{ n: 1 }])).then(
  () => { console.error('CJS: expected a throw'); process.exit(1) },
  (e) => {
    if (!(e instanceof AllRecordsFailedError)) { console.error('CJS: wrong error', e); process.exit(1) }
    console.log('CJS ok:', e.name)
  },
)
JS
cat > sqs.mjs <<'JS'
import * as z from 'zod'
import { sqsHandler } from 'lambda-stream-handlers'
import { sqsEvent, raw } from 'lambda-stream-handlers/testing'
const seen = []
const handler = sqsHandler({ schema: z.object({ n: z.number() }), logger: { debug() {}, info() {}, warn() {}, error() {} } }, (m, meta) => { seen.push(`${m.n}:${meta.messageGroupId}`) })
const event = sqsEvent([{ n: 1 }, raw('oops'), { n: 2 }], { messageGroupId: 'g' })
const response = await handler(event)
const want = JSON.stringify({ batchItemFailures: [{ itemIdentifier: event.Records[1].messageId }, { itemIdentifier: event.Records[2].messageId }] })
if (JSON.stringify(response) !== want || seen.join() !== '1:g') { console.error('SQS: unexpected', response, seen); process.exit(1) }
console.log('SQS ok:', response.batchItemFailures.length, 'reported')
JS
node esm.mjs
node cjs.cjs 2>/dev/null
# The idempotency entry point, ESM and CommonJS, with the test kit's in-memory store.
cat > idem.mjs <<'JS'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
let runs = 0
const handler = kinesisHandler(z.object({ id: z.string() })).use(idempotent({ persistenceStore: new InMemoryPersistenceStore() })).handle(() => { runs++ })
const event = kinesisEvent([{ id: 'a' }])
await handler(event, lambdaContext()); await handler(event, lambdaContext())
if (runs !== 1) { console.error('idempotency ESM: ran', runs, 'times'); process.exit(1) }
console.log('idempotency ESM ok')
JS
cat > idem.cjs <<'JS'
const { idempotent, InMemoryPersistenceStore } = require('lambda-stream-handlers/idempotency')
if (typeof idempotent({ persistenceStore: new InMemoryPersistenceStore() }) !== 'function') { console.error('idempotency CJS: no middleware'); process.exit(1) }
console.log('idempotency CJS ok')
JS
node idem.mjs
node idem.cjs
node sqs.mjs
# DynamoDB Streams: the handler, the unmarshaller and the test kit from the packed package.
cat > ddb.mjs <<'JS'
import * as z from 'zod'
import { dynamodbHandler } from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, modify } from 'lambda-stream-handlers/testing'
const Item = z.object({ id: z.string(), n: z.bigint() })
const seen = []
const handler = dynamodbHandler(Item, (c) => { if (c.eventName === 'MODIFY') seen.push(`${c.diff().changed} ${c.newImage.n}`) })
const a = { id: 'a', n: 9007199254740993n }
const event = dynamodbEvent([modify(a, { ...a, n: a.n + 1n }), insert(attributeValues({ id: { S: 'b' }, n: { N: 'x' } }))])
const response = await handler(event)
const want = JSON.stringify({ batchItemFailures: [{ itemIdentifier: event.Records[1].dynamodb.SequenceNumber }] })
if (JSON.stringify(response) !== want || seen.join() !== 'n 9007199254740994') { console.error('DynamoDB: unexpected', response, seen); process.exit(1) }
console.log('DynamoDB ok:', seen.join())
JS
node ddb.mjs 2>/dev/null
# The simulator (lambda-stream-handlers/local, no AWS SDK installed here) in ESM and CommonJS, and the bin.
cat > local.mjs <<'JS'
import { simulate } from 'lambda-stream-handlers/local'
const throwsOn1 = (event) => { if (event.Records.some((r) => Buffer.from(r.kinesis.data, 'base64').toString() === '1')) throw new Error('poison') }
const report = await simulate(throwsOn1, { source: 'kinesis', records: [{ data: 0 }, { data: 1 }, { data: 2 }], BatchSize: 10, MaximumBatchingWindowInSeconds: 1, MaximumRetryAttempts: 0, BisectBatchOnFunctionError: true })
if (report.outcomes.map((o) => o.fate).join() !== 'succeeded,discarded,succeeded') { console.error('local ESM: unexpected', report.outcomes); process.exit(1) }
console.log('local ESM ok')
JS
cat > local.cjs <<'JS'
const { simulate } = require('lambda-stream-handlers/local')
simulate(() => ({}), { source: 'sqs', records: [{ body: 'x' }] }).then((r) => {
  if (r.outcomes[0].fate !== 'succeeded') { console.error('local CJS: unexpected', r.outcomes); process.exit(1) }
  console.log('local CJS ok')
})
JS
node local.mjs
node local.cjs
echo 'export const handler = () => ({})' > h.mjs
printf '{"a":1}\n' > r.jsonl
summary=$(npx --no-install lambda-stream-handlers simulate ./h.mjs#handler --source kinesis --records r.jsonl)
grep -q '^  succeeded     1$' <<<"$summary" || { echo "bin: unexpected summary: $summary"; exit 1; }
help=$(npx --no-install lambda-stream-handlers simulate --help)
grep -q '^examples:$' <<<"$help" || { echo 'bin: simulate --help shows no examples'; exit 1; }
echo 'bin ok'
# The demo from the installed package: without its servers and the AWS SDK it says, in one line,
# what to install; after running exactly that line it runs to its summary.
if ./node_modules/.bin/lambda-stream-handlers demo 2> demo-err.txt; then echo 'demo: ran without its packages'; exit 1; fi
cat demo-err.txt
[ "$(wc -l < demo-err.txt)" = 1 ] || { echo 'demo: the error is not one line'; exit 1; }
install=$(sed -n 's/.*install them with: //p' demo-err.txt)
case "$install" in "npm install -D "*) ;; *) echo "demo: no install line"; exit 1 ;; esac
$install --silent --no-audit --no-fund >/dev/null
./node_modules/.bin/lambda-stream-handlers demo --records 200 > demo-out.txt 2>/dev/null
grep -q 'orders charged.*charged twice: 0' demo-out.txt && grep -q 'servers stopped' demo-out.txt && echo 'demo from the package ok'
