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
if tar tzf "$work/$tarball" | grep -E '^package/(test|bench|examples|src)/'; then echo "the tarball ships files users do not need"; exit 1; fi
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" zod@4 >/dev/null
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
import { idempotent } from 'lambda-stream-handlers/idempotency'
import { InMemoryPersistenceStore, kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
let runs = 0
const handler = kinesisHandler(z.object({ id: z.string() })).use(idempotent({ persistenceStore: new InMemoryPersistenceStore() })).handle(() => { runs++ })
const event = kinesisEvent([{ id: 'a' }])
await handler(event, lambdaContext()); await handler(event, lambdaContext())
if (runs !== 1) { console.error('idempotency ESM: ran', runs, 'times'); process.exit(1) }
console.log('idempotency ESM ok')
JS
cat > idem.cjs <<'JS'
const { idempotent } = require('lambda-stream-handlers/idempotency')
const { InMemoryPersistenceStore } = require('lambda-stream-handlers/testing')
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
npx --no-install lambda-stream-handlers simulate ./h.mjs#handler --source kinesis --records r.jsonl | grep -q 'succeeded   1' && echo 'bin ok'
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
