// The root entry point never loads the AWS SDK, nor Powertools idempotency: a minimal handler
// bundled with esbuild, as a user would deploy it, contains neither.
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'
import { expect, it } from 'vitest'

const src = fileURLToPath(new URL('../../src/', import.meta.url))

// Resolves the package's public names to its sources, as the vitest and tsconfig aliases do.
const selfPackage: Plugin = {
  name: 'lambda-stream-handlers',
  setup(b) {
    b.onResolve({ filter: /^lambda-stream-handlers(\/.*)?$/ }, (args) => ({
      path: `${src}${args.path === 'lambda-stream-handlers' ? 'index.ts' : `${args.path.slice('lambda-stream-handlers/'.length)}/index.ts`}`,
    }))
  },
}

/** The node_modules packages a handler's bundle contains. */
async function bundledPackages(handler: string): Promise<string[]> {
  const result = await build({
    stdin: { contents: handler, resolveDir: src, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [selfPackage],
  })
  const packages = new Set<string>()
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (m) packages.add(m[1] as string)
  }
  return [...packages].sort()
}

const rootOnly = `
import * as z from 'zod'
import { kinesisHandler, logContext } from 'lambda-stream-handlers'
export const handler = kinesisHandler(z.object({ id: z.string() })).use(logContext()).handle(async () => {})
`

it('a root-only handler bundles no AWS SDK and no Powertools idempotency', async () => {
  const packages = await bundledPackages(rootOnly)
  expect(packages).toContain('zod') // the bundle is real: it has what the handler uses
  expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([])
  expect(packages).not.toContain('@aws-lambda-powertools/idempotency')
})

it('a handler on the idempotency entry point bundles Powertools idempotency but no AWS SDK', async () => {
  const packages = await bundledPackages(`
import * as z from 'zod'
import { kinesisHandler } from 'lambda-stream-handlers'
import { idempotent } from 'lambda-stream-handlers/idempotency'
export const make = (persistenceStore: any) => kinesisHandler(z.object({ id: z.string() })).use(idempotent({ persistenceStore })).handle(async () => {})
`)
  expect(packages).toContain('@aws-lambda-powertools/idempotency')
  expect(packages.filter((p) => p.startsWith('@aws-sdk/'))).toEqual([])
})

it('the check sees the AWS SDK when a handler does load the DynamoDB store', async () => {
  const packages = await bundledPackages(`
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb'
export const store = new DynamoDBPersistenceLayer({ tableName: 't' })
`)
  expect(packages).toContain('@aws-sdk/client-dynamodb')
})
