import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { runCli } from '../helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lsh-cli-html-'))

it('simulate --html writes the timeline page, with the reasons the handler logged, and says where', async () => {
  const records = join(dir, 'records.jsonl')
  writeFileSync(
    records,
    `${[{ orderId: 'o-1', total: 1 }, 'poison', { orderId: 'o-3', total: 3 }].map((l) => JSON.stringify(l)).join('\n')}\n`,
  )
  const page = join(dir, 'report.html')
  const args = [
    'simulate',
    'test/cli/fixtures/handlers.ts#orders',
    '--source',
    'kinesis',
    '--records',
    records,
    '--MaximumRetryAttempts',
    '0',
  ]
  const out = await runCli([...args, '--html', page])
  expect(out.code, out.stderr).toBe(0)
  expect(out.stderr).toBe(`timeline: ${page}\n`)
  expect(out.stdout).toMatch(/^records +3/) // the summary is printed as without --html
  const html = readFileSync(page, 'utf8')
  expect(html).toContain('class="bar ok batch"') // ReportBatchItemFailures is off: the partial response counts as success
  expect(html).toContain('reported, but ignored (ReportBatchItemFailures is off)')
  expect(html).toContain('invalid (validation)') // the reason the handler logged for the poison record
}, 30_000)
