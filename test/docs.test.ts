import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

const root = new URL('..', import.meta.url).pathname
const examples = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? examples(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(root, dir, e.name), 'utf8')] : [],
  )

it('every TypeScript block in the README is a file in examples/, so it compiles as written (examples are type-checked in CI)', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(0)
  const files = examples('examples')
  for (const block of blocks)
    expect(
      files.some((f) => f === block),
      `README block not found verbatim in examples/:\n${block}`,
    ).toBe(true)
})

it('every TSDoc @example in src is taken from a type-checked file in examples/ (each of its code lines appears in a line there)', () => {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
  // The formatter may wrap a line of the file that the TSDoc keeps on one, or keep one that sits inside a
  // longer line (`const build = () => <line>`): compared without whitespace and trailing commas.
  const squash = (code: string): string => code.replace(/\s+/g, '').replace(/,([\])}])/g, '$1')
  const exampleText = squash(examples('examples').join('\n'))
  const missing: string[] = []
  let count = 0
  for (const file of walk('src').filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const m of text.matchAll(/@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g)) {
      count++
      const lines = m[1]!
        .split('\n')
        .map((l) => l.replace(/^\s*\* ?/, '').trim())
        .filter((l) => l !== '' && !l.startsWith('//'))
      for (const line of lines) if (!exampleText.includes(squash(line).replace(/,$/, ''))) missing.push(`${file}: ${line}`)
    }
  }
  expect(count).toBeGreaterThan(40)
  expect(missing).toEqual([])
})
