import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = new URL('..', import.meta.url).pathname
const examples = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? examples(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(root, dir, e.name), 'utf8')] : []))

it("every TypeScript block in the README is a file in examples/, so it compiles as written (examples are type-checked in CI)", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(0)
  const files = examples('examples')
  for (const block of blocks) expect(files.some((f) => f === block), `README block not found verbatim in examples/:\n${block}`).toBe(true)
})
