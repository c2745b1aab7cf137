#!/usr/bin/env bash
# A team that pins Powertools: the packed package installed in an empty project beside
# @aws-lambda-powertools/idempotency at the lowest version package.json's peer range claims, then
# a strict type-check of idempotent({ persistenceStore: new DynamoDBPersistenceLayer(...) }) and a
# run. Before that, the same project without Powertools: the root, /testing and /local must load.
# Needs the npm registry (or its cache) and nothing else.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
range=$(node -p 'require("./package.json").peerDependencies["@aws-lambda-powertools/idempotency"]')
lowest=${range#^}
[[ "$range" == "^$lowest" && "$lowest" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "peer range $range is not ^x.y.z: say which lowest version this script pins"; exit 1; }
npm pack --silent --pack-destination "$work" > "$work/pack.txt" || { cat "$work/pack.txt"; exit 1; }
tarball=$(tail -n 1 "$work/pack.txt")
cd "$work"
npm init -y >/dev/null
install() { npm install --silent --no-audit --no-fund --prefer-offline "$@" >/dev/null; }

# 1. No Powertools installed: the entry points that do not need it load, in ESM and CommonJS.
install "./$tarball" zod@4
[ ! -e node_modules/@aws-lambda-powertools/idempotency ] || { echo 'installing the package installed @aws-lambda-powertools/idempotency'; exit 1; }
cat > root.mjs <<'JS'
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { simulate } from 'lambda-stream-handlers/local'
const handler = kinesisHandler(z.object({ n: z.number() }), () => {})
const response = await handler(kinesisEvent([{ n: 1 }]))
if (response.batchItemFailures.length !== 0 || typeof simulate !== 'function') { console.error('root: unexpected', response); process.exit(1) }
JS
cat > root.cjs <<'JS'
require('lambda-stream-handlers'); require('lambda-stream-handlers/testing'); require('lambda-stream-handlers/local')
JS
node root.mjs && node root.cjs
if node -e "require('lambda-stream-handlers/idempotency')" 2>/dev/null; then echo '/idempotency loaded without its peer'; exit 1; fi
echo 'without Powertools: the root, /testing and /local load (ESM and CommonJS); /idempotency asks for its peer'

# 2. Powertools idempotency pinned at the lowest claimed version: one copy, strict types, a run.
# As a team that pins Powertools does: every Powertools package at one version (idempotency 2.x
# accepts a newer commons, which may not fit it).
install "@aws-lambda-powertools/idempotency@$lowest" "@aws-lambda-powertools/commons@$lowest" "@aws-lambda-powertools/jmespath@$lowest" \
  @aws-sdk/client-dynamodb@3 @aws-sdk/lib-dynamodb@3 typescript@5.9
copies=$(find node_modules -path '*/@aws-lambda-powertools/idempotency/package.json' | wc -l)
[ "$copies" = 1 ] || { echo "npm installed $copies copies of @aws-lambda-powertools/idempotency beside $lowest"; exit 1; }
cat > tsconfig.json <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "exactOptionalPropertyTypes": true,
  "noUncheckedIndexedAccess": true, "skipLibCheck": false, "noEmit": true, "types": ["node"], "typeRoots": ["$root/node_modules/@types"] }, "include": ["pinned.mts"] }
JSON
cat > pinned.mts <<'TS'
import * as z from 'zod'
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
import { kinesisHandler, type KinesisHandler } from 'lambda-stream-handlers'
import { idempotent, InMemoryPersistenceStore } from 'lambda-stream-handlers/idempotency'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
const Order = z.object({ orderId: z.string(), total: z.number() })
export const handler: KinesisHandler = kinesisHandler(Order)
  .use(idempotent({ persistenceStore: new DynamoDBPersistenceLayer({ tableName: 'idempotency' }), key: (order) => order.orderId }))
  .handle((order) => order.total)
let runs = 0
const store = new InMemoryPersistenceStore()
const tested = kinesisHandler(Order)
  .use(idempotent({ persistenceStore: store, keyPrefix: 'orders' }))
  .handle(() => { runs++ })
const event = kinesisEvent([{ orderId: 'o-1', total: 1 }])
await tested(event, lambdaContext())
await tested(event, lambdaContext())
if (runs !== 1) throw new Error(`a redelivered record ran ${runs} times`)
const keys = store.entries().map((e) => e.idempotencyKey)
if (keys.length !== 1 || !keys[0]?.startsWith('orders#')) throw new Error(`keyPrefix was not applied: ${keys.join()}`)
TS
./node_modules/.bin/tsc -p tsconfig.json
cp pinned.mts pinned.mjs && sed -i 's/^export const handler: KinesisHandler =/export const handler =/; s/, type KinesisHandler//' pinned.mjs
NODE_NO_WARNINGS=1 node pinned.mjs
echo "pinned @aws-lambda-powertools/idempotency@$lowest: one copy; idempotent(DynamoDBPersistenceLayer) type-checks strictly; a redelivered record runs once; keyPrefix applies"
