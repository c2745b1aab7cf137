// The `check` command and `simulate --template` (issue 27), and `simulate --max-invocations NaN` (issue 25).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCli } from '../helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lsh-check-'))
const SAM = 'test/local/fixtures/sam-template.yaml'

// The command in this process (test/helpers.ts).
const cli = (args: string[]) => runCli(args)

it('check without a handler: the template rules only, and the summary says so', async () => {
  const out = await cli(['check', '--template', SAM])
  expect(out.stderr).toBe('')
  expect(out.stdout.trim().split('\n').at(-1)).toBe('3 mappings checked (no handler given: template rules only): 0 errors, 2 warnings.')
  expect(out.stdout).toContain(
    'warning TableFunctionChanges unresolved: Not checked: TableFunctionChanges.BatchSize: {"Ref":"BatchSizeParam"}',
  )
  expect(out.code).toBe(0)
})

it('check: usage errors and --help', async () => {
  expect(await cli(['check'])).toMatchObject({ code: 1, stderr: expect.stringContaining('check needs --template <file>') })
  expect(await cli(['check', '--template', SAM, '--function', 'Nope'])).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('for Nope'),
  })
  expect(await cli(['check', '--help'])).toMatchObject({ code: 0, stdout: expect.stringContaining('usage: lambda-stream-handlers check') })
}, 30_000)

it('simulate --template --function takes the settings from the template', async () => {
  const records = join(dir, 'records.jsonl')
  writeFileSync(records, `${JSON.stringify({ body: { orderId: 'o-1', total: 5 } })}\n`)
  const out = await cli([
    'simulate',
    'test/cli/fixtures/handlers.ts#queue',
    '--template',
    SAM,
    '--function',
    'QueueFunction',
    '--records',
    records,
    '--json',
  ])
  expect(out.stderr).toBe('')
  const report = JSON.parse(out.stdout)
  expect(report.outcomes.map((o: { fate: string }) => o.fate)).toEqual(['succeeded'])
  const many = await cli(['simulate', 'test/cli/fixtures/handlers.ts#queue', '--template', SAM, '--records', records])
  expect(many).toMatchObject({ code: 1, stderr: expect.stringContaining('has 3 mappings') })
  const both = await cli([
    'simulate',
    'test/cli/fixtures/handlers.ts#queue',
    '--template',
    SAM,
    '--function',
    'QueueFunction',
    '--records',
    records,
    '--batch-size',
    '2',
  ])
  expect(both).toMatchObject({ code: 1, stderr: expect.stringContaining('`BatchSize` comes from `mapping`') })
}, 30_000)

it('simulate --max-invocations NaN is refused at once (issue 25)', async () => {
  const records = join(dir, 'poison.jsonl')
  writeFileSync(records, '"poison"\n')
  const out = await cli([
    'simulate',
    'test/cli/fixtures/handlers.ts#orders',
    '--source',
    'kinesis',
    '--records',
    records,
    '--max-invocations',
    'NaN',
  ])
  expect(out).toMatchObject({ code: 1, stderr: expect.stringContaining('`maxInvocations` must be a whole number') })
}, 30_000)
