import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import { afterEach, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, kinesisHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { main } from '../../src/cli/index.js'

const root = new URL('../../', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'lsh-event-'))
const file = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content)
  return join(dir, name)
}

// The command in-process: its exit code, and what it wrote.
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    stdout += String(s)
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    stderr += String(s)
    return true
  })
  try {
    return { code: await main(argv), stdout, stderr }
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
}
afterEach(() => vi.restoreAllMocks())

const Order = z.object({ orderId: z.string(), total: z.number() })

it('event kinesis (the installed command): payloads as arguments, text that is not JSON, puts from a JSONL file; the handler reads them', async () => {
  const jsonl = file(
    'puts.jsonl',
    ['{"data":{"orderId":"o-3","total":3},"partitionKey":"c-9"}', '', '{"text":"{broken"}', '{"orderId":"o-5","total":5}'].join('\n'),
  )
  // Flags in kebab-case or camelCase.
  const args = [
    'event',
    'kinesis',
    '{"orderId":"o-1","total":1}',
    'hello',
    '--file',
    jsonl,
    '--partition-key',
    'c-1',
    '--streamName',
    'orders',
    '--region',
    'eu-west-1',
  ]
  const child = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : 1, stdout, stderr }),
    )
  })
  expect(child.stderr).toBe('')
  const event = JSON.parse(child.stdout) as KinesisStreamEvent
  expect(event.Records.map((r) => r.kinesis.partitionKey)).toEqual(['c-1', 'c-1', 'c-9', 'c-1', 'c-1'])
  expect(new Set(event.Records.map((r) => r.eventSourceARN))).toEqual(new Set(['arn:aws:kinesis:eu-west-1:123456789012:stream/orders']))
  expect(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())).toEqual([
    '{"orderId":"o-1","total":1}',
    'hello',
    '{"orderId":"o-3","total":3}',
    '{broken',
    '{"orderId":"o-5","total":5}',
  ])
  const seen: string[] = []
  const handler = kinesisHandler({ schema: Order, logger: silentLogger, ordering: 'unordered' }, (o) => void seen.push(o.orderId))
  const response = await handler(event)
  expect(seen.sort()).toEqual(['o-1', 'o-3', 'o-5'])
  expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
    event.Records[1]!.kinesis.sequenceNumber,
    event.Records[3]!.kinesis.sequenceNumber,
  ])
}, 30_000)

it('event sqs: FIFO with a message group; text that is not JSON is the body as it is; an SNS envelope', async () => {
  const out = await run(
    'event',
    'sqs',
    '{"orderId":"o-1","total":1}',
    'plain text',
    '--fifo',
    'true',
    '--messageGroupId',
    'c-7',
    '--queueName',
    'orders.fifo',
  )
  expect(out.code).toBe(0)
  const event = JSON.parse(out.stdout) as SQSEvent
  expect(event.Records.map((r) => [r.body, r.attributes.MessageGroupId])).toEqual([
    ['{"orderId":"o-1","total":1}', 'c-7'],
    ['plain text', 'c-7'],
  ])
  expect(event.Records[0]!.eventSourceARN).toMatch(/:orders\.fifo$/)
  const groups: string[] = []
  const response = await sqsHandler(
    { schema: Order, logger: silentLogger },
    (o, meta) => void groups.push(`${o.orderId}@${meta.messageGroupId}`),
  )(event)
  expect(groups).toEqual(['o-1@c-7'])
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[1]!.messageId }])

  const sns = await run('event', 'sqs', '{"orderId":"o-2","total":2}', '--envelope', 'sns')
  const seen: string[] = []
  await sqsHandler(
    { schema: Order, envelope: 'sns', logger: silentLogger },
    (o) => void seen.push(o.orderId),
  )(JSON.parse(sns.stdout) as SQSEvent)
  expect(seen).toEqual(['o-2'])
})

it('event dynamodb: items are INSERTs; changes name their eventName; --keys; a TTL delete', async () => {
  const a = { orderId: 'o-1', status: 'NEW', total: 5 }
  const json = file(
    'changes.json',
    JSON.stringify([
      a,
      { eventName: 'MODIFY', oldImage: a, newImage: { ...a, status: 'PAID' } },
      { eventName: 'REMOVE', oldImage: a, ttl: true },
    ]),
  )
  const out = await run('event', 'dynamodb', '--file', json, '--keys', 'orderId', '--tableName', 'orders')
  expect(out.stderr).toBe('')
  const event = JSON.parse(out.stdout) as DynamoDBStreamEvent
  expect(event.Records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE'])
  expect(event.Records[0]!.dynamodb!.Keys).toEqual({ orderId: { S: 'o-1' } })
  expect(event.Records[0]!.eventSourceARN).toContain(':table/orders/stream/')
  const seen: string[] = []
  const Item = z.object({ orderId: z.string(), status: z.string(), total: z.number() })
  const response = await dynamodbHandler({ schema: Item, logger: silentLogger }, (c, meta) => {
    seen.push(c.eventName === 'MODIFY' ? `${c.oldImage.status}->${c.newImage.status}` : `${c.eventName}${meta.ttlDelete ? ' (ttl)' : ''}`)
  })(event)
  expect(response.batchItemFailures).toEqual([])
  expect(seen).toEqual(['INSERT', 'NEW->PAID', 'REMOVE (ttl)'])
})

it('event: mistakes are one clear line and exit code 1', async () => {
  const badLine = file('bad.jsonl', '{"a":1}\n{oops\n')
  const badJson = file('bad.json', '[1, 2')
  const cases: [string[], string][] = [
    [['event'], 'event: name the source: kinesis, dynamodb or sqs.'],
    [['event', 'kafka', '1'], 'event: name the source: kinesis, dynamodb or sqs; received kafka.'],
    [['event', 'sqs'], 'event sqs: give the payloads as arguments or in a file (--file payloads.json or .jsonl).'],
    [
      ['event', 'sqs', '1', '--shardId', 'x'],
      'event sqs: unknown option --shardId; the options are --file, --queueName, --region, --accountId, --fifo, --messageGroupId, --envelope, --sentAt.',
    ],
    [['event', 'kinesis', '--file', badLine], `${badLine}:2 is not JSON: `],
    [['event', 'kinesis', '--file', badJson], `${badJson} is not JSON: `],
    [['event', 'kinesis', '--file', join(dir, 'absent.json')], `cannot read ${join(dir, 'absent.json')}: no such file.`],
    [['event', 'kinesis', '1', '--gzip=yes'], '--gzip must be true or false; received yes.'],
    [['event', 'kinesis', '1', '--arrivedAt', 'noon'], '--arrivedAt must be an ISO-8601 time such as 2026-11-22T09:00:00Z; received noon.'],
    [['event', 'kinesis', '{"data":1,"text":"x"}'], 'argument 1: a put has `data` (JSON) or `text` (as it is), not both.'],
    [['event', 'sqs', '1', '--envelope', 'sqs'], '--envelope must be sns or eventbridge; received sqs.'],
    [
      ['event', 'dynamodb', '{"orderId":"o-1"}'],
      'event dynamodb: The INSERT image has no key attribute "id"; pass --keys naming the table\'s key attributes.',
    ],
    [
      ['event', 'dynamodb', '[1]'],
      'argument 1: a DynamoDB change must be an object: an item (an INSERT of it), or {"eventName", "newImage", "oldImage"}.',
    ],
    [['event', 'dynamodb', '{"eventName":"UPSERT"}'], 'argument 1: `eventName` must be INSERT, MODIFY or REMOVE; received "UPSERT".'],
    [['event', 'dynamodb', '{"eventName":"MODIFY","newImage":{"id":"a"}}'], 'argument 1: a MODIFY needs `oldImage`, an object.'],
    [
      ['event', 'dynamodb', '{"eventName":"INSERT","newImage":{"id":"a"},"ttl":true}'],
      'argument 1: `ttl` is true or false, on a REMOVE only.',
    ],
    [
      ['event', 'dynamodb', '{"id":"a"}', '--streamViewType', 'ALL'],
      '--streamViewType must be KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES; received ALL.',
    ],
  ]
  for (const [argv, message] of cases) {
    const out = await run(...argv)
    expect(out.code, argv.join(' ')).toBe(1)
    expect(out.stdout).toBe('')
    expect(out.stderr.startsWith(`lambda-stream-handlers: ${message}`), out.stderr).toBe(true)
    expect(out.stderr.split('\n')).toHaveLength(2) // one line and its newline
  }
})
