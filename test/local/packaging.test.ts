import { build } from 'esbuild'
import { expect, it } from 'vitest'

const root = new URL('../../', import.meta.url).pathname

// Which packages an entry point loads when it is imported, and how.
async function imports(entry: string): Promise<{ path: string; kind: string }[]> {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  })
  return Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.external === true).map((i) => ({ path: i.path, kind: i.kind })),
  )
}

it('the root entry point does not load the AWS SDK', async () => {
  expect((await imports('src/index.ts')).filter((i) => i.path.startsWith('@aws-sdk/'))).toEqual([])
})

it('the local subpath loads an AWS SDK client only when runLocal is called (a dynamic import), so simulate() works without it', async () => {
  const sdk = (await imports('src/local/index.ts')).filter((i) => i.path.startsWith('@aws-sdk/'))
  expect(sdk.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
    { path: '@aws-sdk/client-dynamodb-streams', kind: 'dynamic-import' },
    { path: '@aws-sdk/client-kinesis', kind: 'dynamic-import' },
    { path: '@aws-sdk/client-sqs', kind: 'dynamic-import' },
  ])
})
