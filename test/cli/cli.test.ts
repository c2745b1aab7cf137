import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { kafkaEvent, kinesisEvent, raw } from 'lambda-stream-handlers/testing'
import { runCli } from '../helpers.js'
import { cli as spawned } from './spawn.js'

const dir = mkdtempSync(join(tmpdir(), 'lsh-cli-'))
const handler = 'test/cli/fixtures/handler.ts#handler'
const orders = 'test/cli/fixtures/handlers.ts#orders'
const queue = 'test/cli/fixtures/handlers.ts#queue'
// The command in this process (the handlers log as a user's would); the first test starts the real one.
const cli = (args: string[], stdin?: string) => runCli(args, stdin === undefined ? {} : { stdin })

const file = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}
const jsonl = (...lines: unknown[]): string => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`

it('invoke: prints the response on stdout, the logs and a REPORT line with each failure’s reason on stderr; --event - reads standard input', async () => {
  const event = kinesisEvent([{ orderId: 'o-1', total: 1 }, raw('oops'), { orderId: 'o-3', total: 3 }])
  const [seq1, seq2] = [event.Records[1]!.kinesis.sequenceNumber, event.Records[2]!.kinesis.sequenceNumber]
  const out = await spawned(['invoke', orders, '--event', '-'], { stdin: JSON.stringify(event) })
  expect(out.code).toBe(0)
  expect(JSON.parse(out.stdout)).toEqual({ batchItemFailures: [{ itemIdentifier: seq1 }, { itemIdentifier: seq2 }] })
  const lines = out.stderr.trim().split('\n')
  // The handler's own info line shows, as on Lambda.
  expect(lines[0]).toBe('{"level":"INFO","message":"order o-1"}')
  const report = lines.findIndex((l) => l.startsWith('REPORT '))
  expect(lines[report]).toMatch(
    /^REPORT RequestId: \S+\tDuration: \d+\.\d\d ms\tRecords: 3\tSucceeded: 1\tFailed: 0\tInvalid: 1\tSkipped: 1$/,
  )
  // Each record by its index in Records and its partition key, beside its sequence number.
  const key = event.Records[1]!.kinesis.partitionKey
  expect(lines.slice(report + 1)).toEqual([
    `  Records[1] (partition key ${key}) ${seq1} invalid (decode): The data is not valid JSON: Unexpected token.`,
    `  Records[2] (partition key ${key}) ${seq2} not started: a record it is ordered behind failed`,
  ])

  const failing = await spawned([
    'invoke',
    orders,
    '--event',
    file('refund.json', JSON.stringify(kinesisEvent([{ orderId: 'r-1', total: -5 }]))),
  ])
  expect(failing.code).toBe(1)
  expect(failing.stdout).toBe('')
  expect(failing.stderr).toContain('Failed: 1')
  expect(failing.stderr).toContain('failed (handler): refund r-1 needs a review')
  expect(failing.stderr).toContain('the handler threw AllRecordsFailedError: The only record of the batch failed')
}, 30_000)

it("invoke: a Kafka handler's failures are named by partition and offset (its identifier is an object), with their place in the event", async () => {
  const event = kafkaEvent([{ orderId: 'o-1', total: 1 }, raw('oops'), { orderId: 'o-3', total: 3 }], {
    topic: 'orders',
    key: 'k-1',
    firstOffset: 0,
  })
  const out = await cli(['invoke', 'test/cli/fixtures/handlers.ts#kafkaOrders', '--event', '-'], JSON.stringify(event))
  expect(out.code).toBe(0)
  expect(JSON.parse(out.stdout)).toEqual({
    batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 1 } }, { itemIdentifier: { partition: 'orders-0', offset: 2 } }],
  })
  const lines = out.stderr.trim().split('\n')
  const report = lines.findIndex((l) => l.startsWith('REPORT '))
  expect(lines[report]).toMatch(/\tRecords: 3\tSucceeded: 1\tFailed: 0\tInvalid: 1\tSkipped: 1$/)
  expect(lines.slice(report + 1)).toEqual([
    '  records["orders-0"][1] (key k-1) orders-0:1 invalid (decode): The data is not valid JSON: Unexpected token.',
    '  records["orders-0"][2] (key k-1) orders-0:2 not started: a record it is ordered behind failed',
  ])
}, 30_000)

it('simulate: prints what became of the records, why each lost one failed, and the top invocation errors', async () => {
  const records = file(
    'records.jsonl',
    jsonl({ orderId: 'o-1', total: 1 }, 'poison', { data: { orderId: 'o-3', total: 3 }, partitionKey: 'k' }),
  )
  const args = [
    'simulate',
    orders,
    '--source',
    'kinesis',
    '--records',
    records,
    '--MaximumRetryAttempts',
    '1',
    '--FunctionResponseTypes',
    'ReportBatchItemFailures',
    '--MaximumBatchingWindowInSeconds=1',
  ]
  const out = await cli(args)
  expect(out.code).toBe(0)
  // The handler's per-record lines repeat on every retry: the summary says them once instead.
  expect(out.stderr).toBe('')
  const lines = out.stdout.trim().split('\n')
  expect(lines.slice(0, 4)).toEqual(['records         3', 'invocations     3 (3 not successful)', '  succeeded     1', '  discarded     2'])
  expect(lines).toContain('discarded behind a failed record: 1 (they did not fail themselves)')
  const why = lines.indexOf('why they did not succeed:')
  // Each record by its line in the file and its partition key, beside its sequence number.
  expect(lines[why + 1]).toMatch(
    /^ {2}line 2 \(partition key pk-0\) \d{56} discarded: invalid \(validation\): The record does not match the schema: Invalid input: expected object, received string$/,
  )
  expect(lines[why + 2]).toMatch(/^ {2}line 3 \(partition key k\) \d{56} discarded: not started: a record before it in its batch failed$/)
  expect(lines).toContain('errors of failed invocations, most common first:')
  expect(lines.at(-1)).toMatch(/^ +2 × AllRecordsFailedError: All 2 records of the batch failed; .* First: record … invalid \(validation\)/)

  const json = await cli([...args, '--json'])
  expect(JSON.parse(json.stdout).outcomes.map((o: { fate: string }) => o.fate)).toEqual(['succeeded', 'discarded', 'discarded'])
}, 30_000)

it('simulate: each record is named by its own line, across shards and keys and out-of-order arrival times', async () => {
  const records = file(
    'shuffled.jsonl',
    jsonl(
      { data: { orderId: 'o-1', total: -1 }, partitionKey: 'a', at: 500 },
      { data: { orderId: 'o-2', total: -2 }, partitionKey: 'b', at: 0 },
      { data: { orderId: 'o-3', total: -3 }, partitionKey: 'a', at: 100 },
      { data: { orderId: 'o-4', total: -4 }, partitionKey: 'b', at: 900 },
    ),
  )
  const out = await cli([
    'simulate',
    orders,
    '--source',
    'kinesis',
    '--records',
    records,
    '--shards',
    '2',
    '--batch-size',
    '1',
    '--maximum-retry-attempts',
    '0',
  ])
  const named = out.stdout.split('\n').filter((l) => l.startsWith('  line '))
  expect(named.map((l) => l.replace(/ \d{56} /, ' … ')).sort()).toEqual([
    '  line 1 (partition key a) … discarded: failed (handler): refund o-1 needs a review',
    '  line 2 (partition key b) … discarded: failed (handler): refund o-2 needs a review',
    '  line 3 (partition key a) … discarded: failed (handler): refund o-3 needs a review',
    '  line 4 (partition key b) … discarded: failed (handler): refund o-4 needs a review',
  ])
}, 30_000)

it('simulate: the SQS summary stays aligned and names why each message went to the dead-letter queue', async () => {
  const records = file('messages.jsonl', jsonl({ orderId: 'o-1', total: 1 }, { body: { orderId: 'o-2', total: -2 } }))
  const out = await cli([
    'simulate',
    queue,
    '--source',
    'sqs',
    '--records',
    records,
    '--max-receive-count',
    '2',
    '--function-response-types',
    'ReportBatchItemFailures',
  ])
  expect(out.code).toBe(0)
  const lines = out.stdout.trim().split('\n')
  expect(lines).toContain('  dead-lettered 1')
  expect(lines).toContainEqual(
    expect.stringMatching(/^ {2}line 2 [0-9a-f-]{36} dead-lettered: failed \(handler\): refund o-2 needs a review$/),
  )
}, 30_000)

it('simulate: a handler wired to another source stops the run at the first invocation with the reason', async () => {
  const records = file('puts.jsonl', jsonl({ orderId: 'o-1', total: 1 }, { orderId: 'o-2', total: 2 }))
  const out = await cli(['simulate', queue, '--source', 'kinesis', '--records', records])
  expect(out.code).toBe(1)
  expect(out.stdout).toBe('')
  expect(out.stderr.trim().split('\n')).toEqual([
    'lambda-stream-handlers: simulate stopped at invocation 1: the handler refused the kinesis event as malformed, as it would every retry. ' +
      'sqsHandler received a record that is not from SQS at Records[0] (eventSource "aws:kinesis"); is the handler wired to the right event source? ' +
      'Check --source, or that the export is the handler for kinesis.',
  ])
}, 30_000)

it('flags: kebab-case beside camelCase, switches without a value, and a misspelt setting names the nearest one', async () => {
  const records = file('two.jsonl', jsonl({ orderId: 'o-1', total: 1 }, 'poison'))
  const camel = await cli([
    'simulate',
    orders,
    '--source',
    'kinesis',
    '--records',
    records,
    '--MaximumRetryAttempts',
    '0',
    '--BisectBatchOnFunctionError',
    'true',
    '--FunctionResponseTypes',
    'ReportBatchItemFailures',
    '--timeoutSeconds',
    '5',
  ])
  const kebab = await cli([
    'simulate',
    orders,
    '--source',
    'kinesis',
    '--records',
    records,
    '--maximum-retry-attempts',
    '0',
    '--bisect-batch-on-function-error',
    '--function-response-types',
    'ReportBatchItemFailures',
    '--timeout-seconds',
    '5',
  ])
  expect(kebab.code).toBe(0)
  expect(kebab.stdout).toBe(camel.stdout)
  expect(kebab.stdout).toContain('  succeeded     1')
  expect(kebab.stdout).toContain('  discarded     1')

  // --fifo needs no value, in `event` as in `simulate`.
  const fifo = await cli(['event', 'sqs', '{"orderId":"o-1"}', '--fifo', '--message-group-id', 'c-1'])
  expect(JSON.parse(fifo.stdout).Records[0].attributes.MessageGroupId).toBe('c-1')
  const grouped = file('grouped.jsonl', jsonl({ body: { orderId: 'o-1', total: 1 }, messageGroupId: 'c-1' }))
  const fifoRun = await cli(['simulate', queue, '--source', 'sqs', '--records', grouped, '--fifo'])
  expect(fifoRun.stdout).toContain('  succeeded     1')

  const typo = await cli(['simulate', orders, '--source', 'kinesis', '--records', records, '--BatchSise', '10'])
  expect(typo.code).toBe(1)
  expect(typo.stderr).toMatch(
    /^lambda-stream-handlers: simulate: unknown option `--BatchSise`; the options are --source, --records, --json, --html, --BatchSize, .*\. Did you mean `--BatchSize`\?\n$/,
  )
  // Only what the command line can give: no functions, hooks or objects of the programmatic API.
  for (const programmatic of ['retryDelayMs', 'onInvocation', 'FilterCriteria', 'start', 'records,', 'ScalingConfig,'])
    expect(typo.stderr).not.toContain(` ${programmatic}`)
  // Each option it lists is in --help.
  const help = (await cli(['simulate', '--help'])).stdout
  for (const option of typo.stderr.split('the options are ')[1]!.split('. Did')[0]!.split(', ')) {
    const kebab = `--${option.slice(2).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    expect(help.includes(`${option} `) || help.includes(`${kebab} `), option).toBe(true)
  }
}, 90_000)

it('every command answers --help with its usage and examples, on stdout', async () => {
  for (const command of ['event', 'invoke', 'simulate', 'demo']) {
    for (const args of command === 'event'
      ? [
          ['event', '--help'],
          ['event', 'sqs', '-h'],
          ['help', 'event'],
        ]
      : [[command, '--help']]) {
      const out = await cli(args)
      expect(out.code, args.join(' ')).toBe(0)
      expect(out.stdout, args.join(' ')).toMatch(
        new RegExp(`^usage: lambda-stream-handlers ${command} [\\s\\S]*\\nexamples:\\n {2}lambda-stream-handlers ${command}\\b`),
      )
      expect(out.stderr).toBe('')
    }
  }
  const top = await cli(['--help'])
  expect(top.stdout).toContain('lambda-stream-handlers <command> --help shows a command')
}, 60_000)

it('errors are one clear line and a non-zero exit', async () => {
  const records = file('ok.jsonl', jsonl({ orderId: 'o-1' }))
  const cases: [string[], RegExp][] = [
    [['invoke', 'test/cli/fixtures/missing.ts#handler', '--event', 'x.json'], /cannot find the module test\/cli\/fixtures\/missing\.ts/],
    [['invoke', 'test/cli/fixtures/handler.ts#nope', '--event', 'x.json'], /has no exported function `nope`; its functions are: handler/],
    [['invoke', handler, '--event', join(dir, 'absent.json')], /cannot read/],
    [['invoke', handler, '--evnt', 'x.json'], /invoke: unknown option --evnt; the options are --event, --timeout\./],
    [['invoke', handler, '--event'], /--event needs a value\./],
    [
      ['simulate', handler, '--source', 'kinesis', '--records', records, '--BatchSize', '0'],
      /ConfigurationError: simulate: `BatchSize` must be a whole number from 1 to 10000; received 0\./,
    ],
    [['simulate', handler, '--source', 'kafak', '--records', 'x'], /--source must be kinesis, dynamodb, sqs or kafka/],
    [['simulate', handler, '--source', 'kinesis', '--records', file('bad.jsonl', '{"a":1}\n{oops\n')], /bad\.jsonl:2 is not JSON/],
    [['deploy'], /unknown command deploy/],
  ]
  for (const [args, message] of cases) {
    const out = await cli(args)
    expect(out.code, args.join(' ')).not.toBe(0)
    expect(out.stderr.trim().split('\n')[0], args.join(' ')).toMatch(message)
  }
}, 60_000)
