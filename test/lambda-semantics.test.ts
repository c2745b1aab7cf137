// docs/lambda-semantics.md is the reference the code cites as `fact N` and `§N`. These checks keep
// every citation resolvable in the repository, and keep the citations out of what users read:
// the TSDoc that becomes the published .d.ts and typedoc pages, and the strings the library prints.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'

const root = new URL('..', import.meta.url).pathname
const walk = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.[mc]?[jt]s$/.test(e.name) ? [join(dir, e.name)] : [],
  )
const read = (file: string): string => readFileSync(join(root, file), 'utf8')
const lineOf = (text: string, index: number): number => text.slice(0, index).split('\n').length

const doc = read('docs/lambda-semantics.md')
const facts = [...doc.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]))
const sections = new Set([...doc.matchAll(/^#{2,3} §(\d+(?:\.\d+)?) /gm)].map((m) => m[1]!))

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)
/** `37`, `37-38`, `48, 52-54`, `63 and 66` as the numbers they name. */
const numbers = (list: string): number[] =>
  list.split(/\s*,\s*|\s+and\s+/).flatMap((part) => {
    const [from, to] = part.split(/\s*[-–]\s*/).map(Number)
    return to === undefined ? [from!] : range(from!, to)
  })

/** Every `fact N` and `§N` a file cites, with its line. A `§` right after another document's name (`local-servers.md §3`) is that document's. */
function citations(file: string, text = read(file)): { at: string; fact?: number; section?: string }[] {
  const found: { at: string; fact?: number; section?: string }[] = []
  for (const m of text.matchAll(/\bfacts? (\d+(?:\s*[-–]\s*\d+)?(?:(?:\s*,\s*|\s+and\s+)\d+(?:\s*[-–]\s*\d+)?)*)/gi)) {
    for (const fact of numbers(m[1]!)) found.push({ at: `${file}:${lineOf(text, m.index)}`, fact })
  }
  for (const m of text.matchAll(/(?<!\.md )§ ?(\d+)(?:\.(\d+)(?:[-–](\d+))?| point (\d+))?/g)) {
    const [, top, sub, subTo, point] = m
    const subs = sub !== undefined ? range(Number(sub), Number(subTo ?? sub)) : point !== undefined ? [Number(point)] : []
    const at = `${file}:${lineOf(text, m.index)}`
    if (subs.length === 0) found.push({ at, section: top! })
    for (const s of subs) found.push({ at, section: `${top}.${s}` })
  }
  return found
}

describe('docs/lambda-semantics.md', () => {
  it('numbers its facts 1, 2, 3, ... without a gap, and gives each a source or says how sure it is', () => {
    expect(facts.length).toBeGreaterThan(90)
    expect(facts).toEqual(range(1, facts.length))
    const bodies = doc.split(/^(?=\d+\. |#)/m).filter((b) => /^\d+\. /.test(b))
    const unsure = bodies
      .filter((b) => !/\b(documented|observed|implementation|inferred|unconfirmed)\b/i.test(b))
      .map((b) => b.slice(0, 60))
    expect(unsure).toEqual([])
  })

  it('defines every source key it links, such as [KIN-E]', () => {
    const defined = new Set([...doc.matchAll(/^\[([A-Z][A-Z0-9-]*)\]: https:\/\//gm)].map((m) => m[1]!))
    const used = new Set([...doc.matchAll(/\[([A-Z][A-Z0-9-]*)\](?![:(])/g)].map((m) => m[1]!))
    expect([...used].filter((k) => !defined.has(k))).toEqual([])
  })

  it('has every fact and section that src, test and examples cite', () => {
    const all = ['src', 'test', 'examples'].flatMap(walk).flatMap((file) => citations(file))
    expect(all.filter((c) => c.fact !== undefined).length).toBeGreaterThan(100)
    const missing = all
      .filter((c) => (c.fact !== undefined ? !facts.includes(c.fact) : !sections.has(c.section!)))
      .map((c) => `${c.at}: ${c.fact !== undefined ? `fact ${c.fact}` : `§${c.section}`}`)
    expect(missing).toEqual([])
  })

  it('reads ranges, lists and sub-sections, skips other documents, and would catch a citation that does not resolve', () => {
    // Escaped (\u0074 is t, \u00a7 is the section sign) so that the scan of this file above does not read them.
    const sample = 'fac\u0074 999, fac\u0074s 3-4 and \u00a711.3-4, \u00a711 point 10, \u00a742, local-servers.md \u00a73'
    const found = citations('sample', sample).map((c) => c.fact ?? c.section)
    expect(found).toEqual([999, 3, 4, '11.3', '11.4', '11.10', '42'])
    expect(facts.includes(999)).toBe(false)
    expect(sections.has('42')).toBe(false)
  })
})

// What a user reads must say the behaviour: the fact numbers mean nothing without this repository.
const INTERNAL = /\b[Ff]acts? \d|§|\b[Ss]pec\b|UNCONFIRMED|\[(?:DOC|OBS|IMPL|INF)\b|esm-semantics/

/** The TSDoc blocks (which tsc copies into the .d.ts files) and the string literals of a source file. */
function published(file: string): { docs: { line: number; text: string }[]; strings: { line: number; text: string }[] } {
  const text = read(file)
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const docs = new Map<number, string>()
  const strings: { line: number; text: string }[] = []
  const visit = (node: ts.Node): void => {
    for (const c of [...(ts.getLeadingCommentRanges(text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(text, node.end) ?? [])]) {
      if (text.startsWith('/**', c.pos)) docs.set(c.pos, text.slice(c.pos, c.end))
    }
    if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node))
      strings.push({ line: lineOf(text, node.getStart(source)), text: node.text })
    ts.forEachChild(node, visit)
  }
  visit(source)
  return { docs: [...docs].map(([pos, doc]) => ({ line: lineOf(text, pos), text: doc })), strings }
}

describe('published text says the behaviour, not an internal reference', () => {
  const files = walk('src').filter((f) => f.endsWith('.ts'))

  it('no TSDoc block in src cites a fact, a section, the spec or a confidence tag', () => {
    let blocks = 0
    const leaks = files.flatMap((file) => {
      const { docs } = published(file)
      blocks += docs.length
      return docs
        .filter((d) => INTERNAL.test(d.text))
        .map(
          (d) =>
            `${file}:${d.line}: ${d.text.match(INTERNAL)![0]} in ${d.text
              .split('\n')
              .find((l) => INTERNAL.test(l))!
              .trim()}`,
        )
    })
    expect(blocks).toBeGreaterThan(300)
    expect(leaks).toEqual([])
  })

  it("no string in src (error messages, reasons, the simulator's assumptions) cites a fact or a section", () => {
    const leaks = files.flatMap((file) =>
      published(file)
        .strings.filter((s) => INTERNAL.test(s.text) && !/^@standard-schema\//.test(s.text))
        .map((s) => `${file}:${s.line}: ${s.text}`),
    )
    expect(leaks).toEqual([])
  })

  it("the simulator's report.assumptions, for streams, tumbling windows and SQS, say what it chose in words", async () => {
    const kinesis = await simulate(() => ({}), { source: 'kinesis', records: [{ data: 1 }] })
    const windows = await simulate(() => ({ state: {} }), { source: 'kinesis', records: [{ data: 1 }], TumblingWindowInSeconds: 60 })
    const sqs = await simulate(() => ({}), { source: 'sqs', records: [{ body: 'x' }] })
    const assumptions = [kinesis, windows, sqs].flatMap((r) => r.assumptions)
    expect(assumptions.some((a) => a.startsWith('Tumbling windows:'))).toBe(true)
    expect(sqs.assumptions.length).toBeGreaterThan(0)
    expect(assumptions.filter((a) => INTERNAL.test(a))).toEqual([])
  })
})
