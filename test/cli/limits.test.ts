import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { runCli as cli } from '../helpers.js'
import { cli as spawned } from './spawn.js'

// The command in this process; the real one in a child process where only a process shows it
// (a pipe on stdin that never ends, a module that leaves a timer running).
const each = (runs: readonly string[][]) => Promise.all(runs.map((args) => cli(args)))

const dir = mkdtempSync(join(tmpdir(), 'lsh-limits-'))
const file = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}
const hostile = (name: string): string => `test/cli/fixtures/hostile.mjs#${name}`
const orders = 'test/cli/fixtures/handlers.ts#orders'
const event = (): string => file('event.json', JSON.stringify(kinesisEvent([{ orderId: 'o-1', total: 1 }])))

it('endless input: /dev/zero and a producer that never stops end in one line naming the cap, quickly', async () => {
  const runs = await Promise.all([
    cli(['invoke', orders, '--event', '/dev/zero']),
    spawned(['invoke', orders, '--event', '-'], { stdin: 'endless' }),
    cli(['simulate', orders, '--source', 'kinesis', '--records', '/dev/zero']),
    cli(['event', 'kinesis', '--file', '/dev/zero']),
    spawned(['event', 'sqs', '--file', '-'], { stdin: 'endless' }),
  ])
  const [zero, stdin, records, eventFile, eventStdin] = runs
  expect(zero?.stderr).toBe(
    "lambda-stream-handlers: /dev/zero holds more than 6 MB (6,291,456 bytes), Lambda's limit for an invocation's payload.\n",
  )
  expect(stdin?.stderr).toBe(
    "lambda-stream-handlers: standard input holds more than 6 MB (6,291,456 bytes), Lambda's limit for an invocation's payload.\n",
  )
  expect(records?.stderr).toMatch(
    /^lambda-stream-handlers: \/dev\/zero holds more than 32 MB \(33,554,432 bytes\), the most simulate reads/,
  )
  expect(eventFile?.stderr).toMatch(
    /^lambda-stream-handlers: \/dev\/zero holds more than 6 MB \(6,291,456 bytes\), the most an event can carry/,
  )
  expect(eventStdin?.stderr).toMatch(/^lambda-stream-handlers: standard input holds more than 6 MB/)
  for (const run of runs) {
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toBe('')
  }
}, 60_000)

it('--help states the caps and the timeout', async () => {
  const invoke = await cli(['invoke', '--help'])
  expect(invoke.stdout).toContain('at most 6 MB')
  expect(invoke.stdout).toContain('--timeout <seconds>')
  const simulate = await cli(['simulate', '--help'])
  expect(simulate.stdout).toContain('at most 32 MB')
  const event = await cli(['event', '--help'])
  expect(event.stdout).toContain('at most 6 MB')
}, 30_000)

it('invoke --timeout: a handler that never settles times out as on Lambda, exits 1; the context counts down from it', async () => {
  const never = await cli(['invoke', hostile('never'), '--event', event(), '--timeout', '1'])
  expect(never.code).toBe(1)
  expect(never.stdout).toBe('')
  const lines = never.stderr.trim().split('\n')
  expect(lines[0]).toBe('00000000-0000-4000-8000-000000000000 Task timed out after 1.00 seconds')
  expect(lines[1]).toMatch(/^REPORT RequestId: \S+\tDuration: 1\d{3}\.\d\d ms\tRecords: 1\tStatus: timeout$/)
  expect(never.ms).toBeLessThan(10_000)

  const remaining = await cli(['invoke', hostile('remaining'), '--event', event()])
  expect(remaining.code).toBe(0)
  const { remainingMs } = JSON.parse(remaining.stdout) as { remainingMs: number }
  // Lambda's default timeout is 3 s.
  expect(remainingMs).toBeGreaterThan(2500)
  expect(remainingMs).toBeLessThanOrEqual(3000)
  const longer = await cli(['invoke', hostile('remaining'), '--event', event(), '--timeout', '60'])
  expect((JSON.parse(longer.stdout) as { remainingMs: number }).remainingMs).toBeGreaterThan(59_000)

  const bad = await cli(['invoke', hostile('remaining'), '--event', event(), '--timeout', '0'])
  expect(bad.stderr).toBe("lambda-stream-handlers: --timeout must be a whole number of seconds from 1 to 900, as Lambda's; received 0.\n")
}, 60_000)

it('invoke and simulate exit once done, though the module leaves a timer running', async () => {
  const records = file('keep.jsonl', '{"orderId":"o-1","total":1}\n')
  const [invoked, simulated] = await Promise.all([
    spawned(['invoke', 'test/cli/fixtures/keeps-open.mjs#handler', '--event', event()], { timeoutMs: 20_000 }),
    spawned(['simulate', 'test/cli/fixtures/keeps-open.mjs#handler', '--source', 'kinesis', '--records', records], { timeoutMs: 20_000 }),
  ])
  expect(invoked.code).toBe(0)
  expect(JSON.parse(invoked.stdout)).toEqual({ ok: true })
  expect(simulated.code).toBe(0)
  expect(simulated.stdout).toContain('  succeeded     1')
}, 30_000)

it('invoke: a module that never finishes loading is stopped after 10 s, the limit of initialisation', async () => {
  const out = await cli(['invoke', 'test/cli/fixtures/never-loads.mjs#handler', '--event', event()])
  expect(out.code).toBe(1)
  expect(out.stderr).toBe(
    "lambda-stream-handlers: test/cli/fixtures/never-loads.mjs did not finish loading in 10 seconds, Lambda's limit for initialisation.\n",
  )
}, 30_000)

it('invoke: any thrown value is described safely, and an export that is not a handler is refused', async () => {
  const cases: [string, number, RegExp][] = [
    [hostile('throwsGetters'), 1, /^ {2}the handler threw an object \(not an Error\)$/m],
    [hostile('throwsNull'), 1, /^ {2}the handler threw null \(not an Error\)$/m],
    [hostile('throwsHuge'), 1, /^ {2}the handler threw Error: x{1000}… \(100000 characters\)$/m],
    [
      hostile('unserialisable'),
      1,
      /^lambda-stream-handlers: the handler's response cannot be written as JSON, as Lambda must: TypeError: Do not know how to serialize a BigInt$/m,
    ],
    [
      'test/cli/fixtures/throws-null.mjs#handler',
      1,
      /^lambda-stream-handlers: cannot load test\/cli\/fixtures\/throws-null\.mjs: it threw null \(not an Error\)$/m,
    ],
    [hostile('constructor'), 1, /has no exported function `constructor`; its functions are: /],
    ['test/cli/fixtures/cjs-exports.cjs#constructor', 1, /cjs-exports\.cjs has no exported function `constructor`/],
    ['test/cli/fixtures/cjs-exports.cjs#toString', 1, /cjs-exports\.cjs has no exported function `toString`/],
    [hostile('Handler'), 1, /^lambda-stream-handlers: the export `Handler` of test\/cli\/fixtures\/hostile\.mjs is a class, not a handler/],
    [hostile('generator'), 1, /is a generator function, not a handler\.$/m],
    [hostile('object'), 1, /the export `object` of test\/cli\/fixtures\/hostile\.mjs is not a function but an object\.$/m],
    ['test/cli/fixtures/cjs-exports.cjs#handler', 0, /^REPORT /m],
    [hostile('withCallback'), 0, /^REPORT /m],
  ]
  const runs = await each(cases.map(([spec]) => ['invoke', spec, '--event', event()]))
  cases.forEach(([spec, code, message], i) => {
    const run = runs[i]!
    expect(run.code, spec).toBe(code)
    expect(run.stderr, spec).toMatch(message)
    expect(run.stderr, spec).not.toMatch(/^\s+at /m)
  })
  expect(JSON.parse(runs.at(-1)!.stdout)).toEqual({ via: 'callback' })
}, 60_000)

it('invoke and simulate: a factory exported in place of its handler is named, exit 1', async () => {
  const records = file('two.jsonl', '{"orderId":"o-1","total":1}\n{"orderId":"o-2","total":2}\n')
  const runs = await Promise.all([
    cli(['invoke', hostile('makeHandler'), '--event', event()]),
    cli(['invoke', hostile('asyncFactory'), '--event', event()]),
    cli(['invoke', hostile('sync'), '--event', event()]),
    cli(['simulate', hostile('makeHandler'), '--source', 'kinesis', '--records', records]),
    cli(['simulate', hostile('sync'), '--source', 'kinesis', '--records', records]),
  ])
  const [make, asyncMake, sync, simulated, simulatedSync] = runs
  expect(make?.stderr).toBe(
    'lambda-stream-handlers: `makeHandler` looks like a factory: export the handler it builds. It returned a function when called as a handler.\n',
  )
  expect(asyncMake?.stderr).toMatch(/^lambda-stream-handlers: `asyncFactory` looks like a factory: export the handler it builds\./)
  expect(sync?.stderr).toBe(
    'lambda-stream-handlers: `sync` looks like a factory: export the handler it builds. It returned nothing when called as a handler (a handler returns its response, or a promise of it).\n',
  )
  expect(simulated?.stderr).toMatch(/^lambda-stream-handlers: `makeHandler` looks like a factory: export the handler it builds\./)
  expect(simulatedSync?.stderr).toMatch(/^lambda-stream-handlers: `sync` looks like a factory/)
  for (const run of runs) {
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
  }
}, 60_000)

it('simulate: a handler that never settles stops the run after the function timeout in real time', async () => {
  const records = file('one.jsonl', '{"orderId":"o-1","total":1}\n')
  const out = await cli(['simulate', hostile('never'), '--source', 'kinesis', '--records', records, '--timeout-seconds', '1'])
  expect(out.code).toBe(1)
  expect(out.stderr).toMatch(
    /^lambda-stream-handlers: simulate stopped at invocation 1: the handler had not answered after 1 s of real time/,
  )
  expect(out.ms).toBeLessThan(10_000)
}, 30_000)

it('a file that is not JSON: where it breaks, never what it holds', async () => {
  const secret = file('secret.json', '{\n  "card": "4111111111111111",\n  "cvv": 123,,\n}')
  const runs = await Promise.all([
    cli(['invoke', orders, '--event', secret]),
    cli(['event', 'kinesis', '--file', secret]),
    cli(['simulate', orders, '--source', 'kinesis', '--records', file('secret.jsonl', '{"ok":1}\n{"card":"4111111111111111" "cvv":1}\n')]),
    cli(['invoke', orders, '--event', '-'], { stdin: '{"card":"4111111111111111"' }),
  ])
  expect(runs.map((r) => r.stderr)).toEqual([
    `lambda-stream-handlers: ${secret} is not JSON: expected a property name in double quotes at line 3, column 14.\n`,
    `lambda-stream-handlers: ${secret} is not JSON: expected a property name in double quotes at line 3, column 14 (for one payload a line, name the file .jsonl).\n`,
    `lambda-stream-handlers: ${join(dir, 'secret.jsonl')}:2 is not JSON: expected ',' or '}' at line 1, column 28.\n`,
    "lambda-stream-handlers: standard input is not JSON: expected ',' or '}', but the text ends at line 1, column 27.\n",
  ])
  for (const run of runs) expect(run.stderr).not.toContain('4111')
}, 60_000)

it('big integers keep their exact text from the command line to the record data', async () => {
  const kinesis = await cli(['event', 'kinesis', '{"id":9007199254740993}', '{"data":{"id":12345678901234567890},"partitionKey":"k"}'])
  const data = (JSON.parse(kinesis.stdout) as { Records: { kinesis: { data: string } }[] }).Records.map((r) =>
    Buffer.from(r.kinesis.data, 'base64').toString(),
  )
  expect(data).toEqual(['{"id":9007199254740993}', '{"id":12345678901234567890}'])

  const sqs = await cli(['event', 'sqs', '[9007199254740993, 1.5]'])
  expect((JSON.parse(sqs.stdout) as { Records: { body: string }[] }).Records[0]?.body).toBe('[9007199254740993,1.5]')

  // DynamoDB numbers hold 38 digits: the item's number is exact.
  const dynamodb = await cli(['event', 'dynamodb', '{"id":"a","n":123456789012345678901234567890}', '--keys', 'id'])
  expect(dynamodb.stdout).toContain('"N": "123456789012345678901234567890"')

  // simulate: the handler sees the exact text, so its exact-integer check fails the record, as on Lambda.
  const records = file('big.jsonl', '{"orderId":"o-1","total":9007199254740993}\n{"orderId":"o-2","total":2}\n')
  const simulated = await cli(['simulate', orders, '--source', 'kinesis', '--records', records, '--json'])
  const report = JSON.parse(simulated.stdout) as { invocations: { event: { Records: { kinesis: { data: string } }[] } }[] }
  const first = report.invocations[0]!.event.Records[0]!.kinesis.data
  expect(Buffer.from(first, 'base64').toString()).toBe('{"orderId":"o-1","total":9007199254740993}')
  const summary = await cli(['simulate', orders, '--source', 'kinesis', '--records', records, '--MaximumRetryAttempts', '0'])
  expect(summary.stdout).toMatch(
    /line 1 \(partition key pk-0\) \d+ discarded: invalid \(decode\): The data has an integer at position \d+ beyond/,
  )

  const outside = await cli([
    'simulate',
    orders,
    '--source',
    'kinesis',
    '--records',
    file('at.jsonl', '{"data":1,"at":90071992547409930}\n'),
  ])
  expect(outside.stderr).toMatch(
    /at\.jsonl:1 has an integer beyond ±\(2\^53 − 1\) outside the payload, which would be rounded; write it as a string\.\n$/,
  )
}, 60_000)
