// `simulate --source kafka` and `simulate --template` for a Kafka function (issue 27/28 review, item 5), run in process (runCli).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { kafkaEvent } from 'lambda-stream-handlers/testing'
import { SETTINGS } from '../../src/cli/simulate.js'
import { runCli as cli } from '../helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'lsh-kafka-'))
const handler = 'test/cli/fixtures/handlers.ts#kafkaOrders'
const SAM = 'test/local/fixtures/sam-kafka.yaml'
const file = (name: string, ...lines: unknown[]): string => {
  writeFileSync(join(dir, name), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`)
  return join(dir, name)
}

// A good order, a poison one, and one more after it in partition 0; one in partition 1.
const records = file(
  'orders.jsonl',
  { orderId: 'o-1', total: 1 },
  { value: { orderId: 'o-2', total: -2 } },
  { value: { orderId: 'o-3', total: 3 }, at: 10 },
  { value: { orderId: 'o-4', total: 4 }, partition: 1 },
)

it('simulate --source kafka: provisioned mode from flags, each lost record named by its line and its partition and offset', async () => {
  const args = [
    'simulate',
    handler,
    '--source',
    'kafka',
    '--records',
    records,
    '--Topics',
    'orders',
    '--ProvisionedPollerConfig.MinimumPollers',
    '1',
    '--function-response-types',
    'ReportBatchItemFailures',
    '--MaximumRetryAttempts',
    '1',
    '--DestinationConfig.OnFailure.Destination',
    'kafka://orders-failed',
  ]
  const out = await cli(args)
  expect(out.stderr).toBe('')
  expect(out.code).toBe(0)
  const lines = out.stdout.trim().split('\n')
  expect(lines.slice(0, 4)).toEqual(['records         4', 'invocations     4 (3 not successful)', '  succeeded     2', '  discarded     2'])
  const why = lines.indexOf('why they did not succeed:')
  expect(lines[why + 1]).toBe('  line 2 orders-0:1 discarded: failed (handler): refund o-2 needs a review')
  expect(lines[why + 2]).toBe('  line 3 orders-0:2 discarded: not started: a record before it in its batch failed')
  expect(lines).toContain('failure destination: 2 records (--json shows them)')

  // The same run with bisection, as JSON: the poison record alone reaches the Kafka topic destination.
  const json = await cli([...args, '--bisect-batch-on-function-error', '--json'])
  const report = JSON.parse(json.stdout)
  expect(report.outcomes.map((o: { id: string; fate: string }) => `${o.id} ${o.fate}`)).toEqual([
    'orders-0:0 succeeded',
    'orders-0:1 discarded',
    'orders-0:2 succeeded',
    'orders-1:0 succeeded',
  ])
  expect(
    report.failureDestination.map((f: { KafkaBatchInfo: { recordInfo: { offset: string } } }) => f.KafkaBatchInfo.recordInfo.offset),
  ).toEqual(['1'])
}, 60_000)

it("simulate --source kafka: Lambda's own records and a self-managed cluster; error handling outside provisioned mode is refused", async () => {
  const built = kafkaEvent([{ orderId: 'o-1', total: 1 }], { topic: 'orders', firstOffset: 7 }).records['orders-0'] ?? []
  const lambdaRecords = file('lambda.jsonl', ...built)
  const ok = await cli(['simulate', handler, '--source', 'kafka', '--records', lambdaRecords, '--cluster', 'self-managed', '--json'])
  expect(ok.stderr).toBe('')
  const report = JSON.parse(ok.stdout)
  expect(report.invocations[0].event.eventSource).toBe('SelfManagedKafka')
  expect(report.outcomes.map((o: { fate: string }) => o.fate)).toEqual(['succeeded'])

  const refused = await cli(['simulate', handler, '--source', 'kafka', '--records', records, '--MaximumRetryAttempts', '1'])
  expect(refused.code).toBe(1)
  expect(refused.stderr).toMatch(/`MaximumRetryAttempts` works for Kafka in provisioned mode only/)
}, 60_000)

it('simulate --template: a Kafka function of a SAM template runs with its settings', async () => {
  const out = await cli(['simulate', handler, '--template', SAM, '--function', 'MskFunction', '--records', records, '--json'])
  expect(out.stderr).toBe('')
  const report = JSON.parse(out.stdout)
  // MaximumRetryAttempts 1, partial responses, an SQS destination: the poison record and the one after it are discarded.
  expect(report.outcomes.map((o: { id: string; fate: string }) => `${o.id} ${o.fate}`)).toEqual([
    'orders-0:0 succeeded',
    'orders-0:1 discarded',
    'orders-0:2 discarded',
    'orders-1:0 succeeded',
  ])
  expect(report.failureDestination[0].KafkaBatchInfo.recordsInfo['orders-0']).toMatchObject({
    firstRecordOffset: '1',
    lastRecordOffset: '2',
  })
  // A setting the template decides cannot be given beside it.
  const clash = await cli(['simulate', handler, '--template', SAM, '--function', 'MskFunction', '--records', records, '--BatchSize', '1'])
  expect(clash).toMatchObject({ code: 1, stderr: expect.stringContaining('`BatchSize` comes from `mapping`') })
}, 60_000)

it("the command line's options are the settings tables' (a misspelt one names them all)", async () => {
  const typo = await cli(['simulate', handler, '--source', 'kafka', '--records', records, '--Topicz', 'orders'])
  expect(typo.code).toBe(1)
  const listed = typo.stderr.split('the options are ')[1]?.split('. Did')[0]?.split(', ')
  expect(listed).toEqual(['source', 'records', 'json', 'html', ...SETTINGS].map((k) => `--${k}`))
  expect(listed).toEqual(expect.arrayContaining(['--Topics', '--topic', '--cluster', '--ProvisionedPollerConfig', '--DestinationConfig']))
  expect(typo.stderr).toContain('Did you mean `--Topics`?')
  // A field path cannot reach an object's prototype.
  const hostile = await cli(['simulate', handler, '--source', 'kafka', '--records', records, '--ProvisionedPollerConfig.__proto__.x', '1'])
  expect(hostile).toMatchObject({ code: 1, stderr: expect.stringContaining("is not a setting's field") })
}, 30_000)
