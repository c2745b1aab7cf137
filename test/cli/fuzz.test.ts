import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, expect, it, vi } from 'vitest'
import { run } from '../../src/cli/index.js'
import { runCli } from '../helpers.js'

// The command line under hostile input: files of any bytes, records files of broken and odd lines,
// modules whose exports throw anything or are not handlers. Whatever comes, it ends with a message
// and an exit code, within a bound: no stack trace, no crash, no hang.
const dir = mkdtempSync(join(tmpdir(), 'lsh-fuzz-'))
let files = 0
const file = (content: string | Uint8Array, ext = 'json'): string => {
  const path = join(dir, `f${++files}.${ext}`)
  writeFileSync(path, content)
  return path
}
const handlerFile = file(
  'export const handler = async (event) => ({ records: Array.isArray(event?.Records) ? event.Records.length : null })\n',
  'mjs',
)

async function command(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s)
    return true
  })
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s)
    return true
  })
  try {
    const { code } = await run(argv)
    return { code, stdout, stderr }
  } finally {
    vi.restoreAllMocks()
  }
}
afterEach(() => vi.restoreAllMocks())

/** What every run must look like: an exit code, and stderr that is lines of the CLI, the REPORT or the logs, never a stack. */
function sane(out: { code: number; stdout: string; stderr: string }): void {
  expect([0, 1]).toContain(out.code)
  expect(out.stderr).not.toMatch(/^\s+at .*(:\d+|native)/m)
  if (out.code === 1 && !out.stderr.includes('REPORT ')) {
    expect(out.stderr).toMatch(/^lambda-stream-handlers: [^\n]+\n$/)
    expect(out.stdout).toBe('')
  }
  expect(out.stderr.length).toBeLessThan(20_000)
}

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).slice(0, Math.max(0, JSON.stringify(v).length - 2))),
  fc.constantFrom(
    '[',
    '{"a":',
    '"\\x"',
    '\uFEFF{}',
    '9007199254740993',
    '{"__proto__":{"x":1}}',
    '[[[[[[[[[[[[[[[[',
    '{"Records":null}',
    '{"Records":[1,null,"x",{"kinesis":{"data":"%%%"}}]}',
  ),
)

it('invoke and event on any file: a message or a response, never a crash', async () => {
  await fc.assert(
    fc.asyncProperty(text, fc.uint8Array({ maxLength: 64 }), fc.boolean(), async (content, bytes, asBytes) => {
      const path = file(asBytes ? bytes : content)
      sane(await command(['invoke', `${handlerFile}#handler`, '--event', path]))
      for (const source of ['kinesis', 'sqs', 'dynamodb']) sane(await command(['event', source, '--file', path]))
      sane(await command(['event', 'kinesis', content]))
    }),
    { numRuns: 60 },
  )
}, 120_000)

it('simulate on any records file: a summary or a message, never a crash', async () => {
  const line = fc.oneof(
    text,
    fc
      .record({ data: fc.jsonValue({ maxDepth: 2 }), partitionKey: fc.string({ maxLength: 300 }), at: fc.oneof(fc.integer(), fc.double()) })
      .map((v) => JSON.stringify(v)),
    fc.record({ body: fc.jsonValue({ maxDepth: 2 }), messageGroupId: fc.string() }).map((v) => JSON.stringify(v)),
    fc.bigInt().map((n) => `{"data":{"n":${n}},"partitionKey":"k"}`),
  )
  await fc.assert(
    fc.asyncProperty(fc.array(line, { maxLength: 6 }), fc.constantFrom('kinesis', 'sqs', 'dynamodb'), async (lines, source) => {
      const path = file(lines.join('\n'), 'jsonl')
      sane(
        await command(
          [
            'simulate',
            `${handlerFile}#handler`,
            '--source',
            source,
            '--records',
            path,
            '--maximum-retry-attempts',
            '1',
            '--max-receive-count',
            '2',
          ].filter((a, i, all) => {
            // Each source takes its own retry bound.
            const flag = a.startsWith('--') ? a : all[i - 1]
            return source === 'sqs' ? flag !== '--maximum-retry-attempts' : flag !== '--max-receive-count'
          }),
        ),
      )
    }),
    { numRuns: 40 },
  )
}, 180_000)

// Thrown values and exports a module may hold; each becomes the body of an exported function.
const thrown = fc.constantFrom(
  'null',
  'undefined',
  '42',
  '"a string"',
  'Symbol("s")',
  '10n',
  '{}',
  'Object.defineProperty({}, "message", { get() { throw new Error("getter") } })',
  'Object.defineProperties({}, { name: { get() { throw null } }, message: { get() { throw null } } })',
  'new Proxy({}, { get() { throw new Error("trap") }, getPrototypeOf() { throw new Error("trap") }, has() { throw new Error("trap") } })',
  'Object.assign(new Error("e".repeat(50000)), { name: "N".repeat(5000) })',
  'Object.create(null)',
  'new (class extends Error { get name() { throw new Error("name") } })("m")',
  '{ toString() { throw new Error("toString") }, [Symbol.toPrimitive]() { throw new Error("primitive") } }',
)
const exported = fc.oneof(
  thrown.map((t) => `export const h = async () => { throw ${t} }`),
  thrown.map((t) => `export const h = () => { throw ${t} }`),
  thrown.map((t) => `export const h = async () => (${t})`),
  thrown.map((t) => `throw ${t}\nexport const h = () => {}`),
  thrown.map((t) => `export const h = ${t}`),
  fc.constantFrom(
    'export const h = () => () => {}',
    'export const h = async () => async () => {}',
    'export const h = () => {}',
    'export const h = (e, c, cb) => cb(new Proxy({}, { get() { throw 1 } }))',
    'export const h = (e, c, cb) => cb(null, { ok: 1 })',
    'export class h {}',
    'export function* h() {}',
    'export const h = new Proxy(() => {}, { apply() { throw null }, get() { throw null } })',
    'export default { h: async () => ({}) }',
    'export const g = 1',
    'export const h = async () => { const o = {}; o.o = o; return o }',
    'export const h = async () => ({ toJSON() { throw new Error("toJSON") } })',
  ),
)

it('invoke and simulate on any export: described or refused, never a crash', async () => {
  const event = file(JSON.stringify({ Records: [] }))
  const records = file('{"data":1}\n', 'jsonl')
  await fc.assert(
    fc.asyncProperty(exported, fc.constantFrom('#h', '#constructor', '#toString', '#__proto__', '#'), async (source, name) => {
      const module = file(`${source}\n`, 'mjs')
      sane(await command(['invoke', `${module}${name}`, '--event', event, '--timeout', '1']))
      sane(await command(['simulate', `${module}${name}`, '--source', 'kinesis', '--records', records, '--maximum-retry-attempts', '0']))
    }),
    { numRuns: 80 },
  )
}, 180_000)

it('standard input of any content: a message or a response, never a hang', async () => {
  await fc.assert(
    fc.asyncProperty(text, async (content) => {
      sane(await runCli(['invoke', `${handlerFile}#handler`, '--event', '-'], { stdin: content }))
    }),
    { numRuns: 40 },
  )
}, 120_000)
