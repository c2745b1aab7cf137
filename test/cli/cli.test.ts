import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

const root = new URL('../../', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'lsh-cli-'))
const handler = 'test/cli/fixtures/handler.ts#handler'

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
    })
  })
}

it('invoke: runs the handler once on an event file and prints its response', async () => {
  const event = kinesisEvent([{ orderId: 'o-1' }, { nope: 1 }])
  writeFileSync(join(dir, 'event.json'), JSON.stringify(event))
  const out = await cli('invoke', handler, '--event', join(dir, 'event.json'))
  expect(out.stderr).toBe('')
  expect(JSON.parse(out.stdout)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[1]!.kinesis.sequenceNumber }] })
}, 30_000)

it('simulate: prints the summary, or the full report with --json', async () => {
  const lines = [{ orderId: 'o-1' }, 'poison', { data: { orderId: 'o-3' }, partitionKey: 'k' }].map((l) => JSON.stringify(l))
  writeFileSync(join(dir, 'records.jsonl'), `${lines.join('\n')}\n`)
  const args = ['simulate', handler, '--source', 'kinesis', '--records', join(dir, 'records.jsonl'), '--MaximumRetryAttempts', '1', '--FunctionResponseTypes', 'ReportBatchItemFailures', '--MaximumBatchingWindowInSeconds=1']
  const out = await cli(...args)
  expect(out.code).toBe(0)
  expect(out.stdout).toContain('records       3')
  expect(out.stdout).toMatch(/succeeded\s+1/)
  expect(out.stdout).toMatch(/discarded\s+2/)
  expect(out.stdout).toContain('discarded behind a failed record: 1')
  const json = await cli(...args, '--json')
  expect(JSON.parse(json.stdout).outcomes.map((o: { fate: string }) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
}, 30_000)

it('errors are one clear line and a non-zero exit', async () => {
  const cases: [string[], RegExp][] = [
    [['invoke', 'test/cli/fixtures/missing.ts#handler', '--event', 'x.json'], /cannot find the module test\/cli\/fixtures\/missing\.ts/],
    [['invoke', 'test/cli/fixtures/handler.ts#nope', '--event', 'x.json'], /has no exported function `nope`; its functions are: handler/],
    [['invoke', handler, '--event', join(dir, 'absent.json')], /cannot read/],
    [['simulate', handler, '--source', 'kinesis', '--records', join(dir, 'records.jsonl'), '--BatchSize', '0'], /ConfigurationError: simulate: `BatchSize` must be a whole number from 1 to 10000; received 0\./],
    [['simulate', handler, '--source', 'kafka', '--records', 'x'], /--source must be kinesis, dynamodb or sqs/],
  ]
  writeFileSync(join(dir, 'bad.jsonl'), '{"a":1}\n{oops\n')
  cases.push([['simulate', handler, '--source', 'kinesis', '--records', join(dir, 'bad.jsonl')], /bad\.jsonl:2 is not JSON/])
  for (const [args, message] of cases) {
    const out = await cli(...args)
    expect(out.code, args.join(' ')).not.toBe(0)
    expect(out.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
    expect(out.stderr).toMatch(message)
  }
}, 60_000)
