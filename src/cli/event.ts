/**
 * `lambda-stream-handlers event kinesis|dynamodb|sqs`: a Lambda event, shaped as Lambda delivers
 * it, from the user's own payloads (arguments or a JSON / JSONL file), built by the test kit.
 *
 * @module
 * @internal
 */
import { dynamodbEvent, insert, modify, remove, ttlDelete, type DynamoDBTestChange } from '../testing/dynamodb.js'
import { kinesisEvent } from '../testing/kinesis.js'
import { raw } from '../testing/raw.js'
import { sqsEvent } from '../testing/sqs.js'
import { EVENT_CAP, readText, UsageError } from './args.js'
import { ExactInteger, exactJson, hasExactInteger, parseExactJson, withBigInts } from './json.js'

const OPTIONS: Record<string, readonly string[]> = {
  kinesis: ['file', 'partitionKey', 'shardId', 'streamName', 'region', 'accountId', 'arrivedAt', 'gzip'],
  sqs: ['file', 'queueName', 'region', 'accountId', 'fifo', 'messageGroupId', 'envelope', 'sentAt'],
  dynamodb: ['file', 'keys', 'streamViewType', 'tableName', 'region', 'accountId', 'createdAt'],
}

/** A payload and where it came from, for error messages. */
interface Input {
  readonly value: unknown
  /** Not JSON: an argument taken as text. */
  readonly text?: string
  readonly where: string
}

function fromArguments(args: readonly string[]): Input[] {
  return args.map((arg, i) => {
    try {
      return { value: parseExactJson(arg, ''), where: `argument ${i + 1}` }
    } catch {
      return { value: arg, text: arg, where: `argument ${i + 1}` }
    }
  })
}

async function fromFile(file: string): Promise<Input[]> {
  const content = await readText(file, EVENT_CAP, "the most an event can carry (Lambda's payload limit)")
  const where = file === '-' ? 'standard input' : file
  // Standard input is JSON when it parses as a whole, else JSONL.
  if (file === '-' ? isJson(content) : !/\.(jsonl|ndjson)$/i.test(file)) {
    let value: unknown
    try {
      value = parseExactJson(content, where)
    } catch (e) {
      throw new UsageError(`${(e as Error).message.slice(0, -1)} (for one payload a line, name the file .jsonl).`)
    }
    return (Array.isArray(value) ? value : [value]).map((v, i) => ({ value: v as unknown, where: `${where} item ${i + 1}` }))
  }
  return content
    .split('\n')
    .flatMap((line, i) => (line.trim() === '' ? [] : [{ value: parseExactJson(line, `${where}:${i + 1}`), where: `${where}:${i + 1}` }]))
}

/** A payload as a builder takes it: one holding an integer a double cannot hold goes in as its exact JSON text. */
const exactPayload = (value: unknown): unknown => (hasExactInteger(value) ? raw(exactJson(value)) : value)

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ExactInteger)

function flag(flags: Map<string, string>, name: string): string | undefined {
  const v = flags.get(name)
  if (v === '') throw new UsageError(`--${name} needs a value.`)
  return v
}

function bool(flags: Map<string, string>, name: string): boolean | undefined {
  const v = flag(flags, name)
  if (v === undefined) return undefined
  if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} must be true or false; received ${v}.`)
  return v === 'true'
}

function date(flags: Map<string, string>, name: string): Date | undefined {
  const v = flag(flags, name)
  if (v === undefined) return undefined
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) throw new UsageError(`--${name} must be an ISO-8601 time such as 2026-11-22T09:00:00Z; received ${v}.`)
  return d
}

const common = (flags: Map<string, string>): { region?: string; accountId?: string } => {
  const region = flag(flags, 'region')
  const accountId = flag(flags, 'accountId')
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) throw new UsageError(`--accountId must be 12 digits; received ${accountId}.`)
  return { ...(region === undefined ? {} : { region }), ...(accountId === undefined ? {} : { accountId }) }
}

// A Kinesis input that is a put: only `data` (a payload, JSON-encoded) or `text` (bytes as they are), and `partitionKey`.
function kinesisPut(input: Input): { payload: unknown; partitionKey?: string } {
  if (input.text !== undefined) return { payload: raw(input.text) }
  const v = input.value
  const keys = isObject(v) ? Object.keys(v) : []
  const isPut =
    keys.length > 0 &&
    keys.every((k) => k === 'data' || k === 'text' || k === 'partitionKey') &&
    (keys.includes('data') || keys.includes('text'))
  if (!isObject(v) || !isPut) return { payload: exactPayload(v) }
  if ('data' in v && 'text' in v) throw new UsageError(`${input.where}: a put has \`data\` (JSON) or \`text\` (as it is), not both.`)
  if ('text' in v && typeof v.text !== 'string') throw new UsageError(`${input.where}: \`text\` must be a string.`)
  if ('partitionKey' in v && (typeof v.partitionKey !== 'string' || v.partitionKey === ''))
    throw new UsageError(`${input.where}: \`partitionKey\` must be a non-empty string.`)
  return {
    payload: 'text' in v ? raw(v.text as string) : exactPayload(v.data),
    ...(typeof v.partitionKey === 'string' ? { partitionKey: v.partitionKey } : {}),
  }
}

function dynamodbChange(input: Input): DynamoDBTestChange<unknown> {
  // DynamoDB numbers hold 38 digits: a long integer goes in exact, as a bigint.
  const v = withBigInts(input.value)
  if (!isObject(v))
    throw new UsageError(
      `${input.where}: a DynamoDB change must be an object: an item (an INSERT of it), or {"eventName", "newImage", "oldImage"}.`,
    )
  if (!('eventName' in v)) return insert(v)
  const image = (name: 'newImage' | 'oldImage'): Record<string, unknown> => {
    const img = v[name]
    if (!isObject(img)) throw new UsageError(`${input.where}: a ${String(v.eventName)} needs \`${name}\`, an object.`)
    return img
  }
  const extra = Object.keys(v).filter((k) => !['eventName', 'newImage', 'oldImage', 'ttl'].includes(k))
  if (extra.length > 0)
    throw new UsageError(
      `${input.where}: unknown field ${extra.map((k) => `\`${k}\``).join(', ')} in a change; a change has eventName, newImage, oldImage and ttl.`,
    )
  if (v.ttl !== undefined && (v.eventName !== 'REMOVE' || typeof v.ttl !== 'boolean'))
    throw new UsageError(`${input.where}: \`ttl\` is true or false, on a REMOVE only.`)
  switch (v.eventName) {
    case 'INSERT':
      return insert(image('newImage'))
    case 'MODIFY':
      return modify(image('oldImage'), image('newImage'))
    case 'REMOVE':
      return v.ttl === true ? ttlDelete(image('oldImage')) : remove(image('oldImage'))
    default:
      throw new UsageError(`${input.where}: \`eventName\` must be INSERT, MODIFY or REMOVE; received ${JSON.stringify(v.eventName)}.`)
  }
}

/** Builds the event of `event <source> [payload …] [--file f] [--option value …]`. */
export async function buildEvent(source: string | undefined, args: readonly string[], flags: Map<string, string>): Promise<unknown> {
  if (source === undefined || !(source in OPTIONS))
    throw new UsageError(`event: name the source: kinesis, dynamodb or sqs${source === undefined ? '' : `; received ${source}`}.`)
  const known = OPTIONS[source] as readonly string[]
  const unknown = [...flags.keys()].filter((k) => !known.includes(k))
  if (unknown.length > 0)
    throw new UsageError(
      `event ${source}: unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are ${known.map((k) => `--${k}`).join(', ')}.`,
    )
  const file = flag(flags, 'file')
  const inputs = [...fromArguments(args), ...(file === undefined ? [] : await fromFile(file))]
  if (inputs.length === 0)
    throw new UsageError(`event ${source}: give the payloads as arguments or in a file (--file payloads.json or .jsonl).`)
  try {
    if (source === 'kinesis') {
      const puts = inputs.map(kinesisPut)
      const shardId = flag(flags, 'shardId')
      const streamName = flag(flags, 'streamName')
      const arrivedAt = date(flags, 'arrivedAt')
      const gzip = bool(flags, 'gzip')
      const key = flag(flags, 'partitionKey')
      return kinesisEvent(
        puts.map((p) => p.payload),
        {
          ...common(flags),
          partitionKey: (_p, i) => puts[i]?.partitionKey ?? key ?? 'pk-0',
          ...(shardId === undefined ? {} : { shardId }),
          ...(streamName === undefined ? {} : { streamName }),
          ...(arrivedAt === undefined ? {} : { arrivedAt }),
          ...(gzip === undefined ? {} : { gzip }),
        },
      )
    }
    if (source === 'sqs') {
      const queueName = flag(flags, 'queueName')
      const fifo = bool(flags, 'fifo')
      const messageGroupId = flag(flags, 'messageGroupId')
      const envelope = flag(flags, 'envelope')
      if (envelope !== undefined && envelope !== 'sns' && envelope !== 'eventbridge')
        throw new UsageError(`--envelope must be sns or eventbridge; received ${envelope}.`)
      const sentAt = date(flags, 'sentAt')
      // Text that is not JSON is the body as it is; anything else is JSON-encoded.
      return sqsEvent(
        inputs.map((i) => (i.text !== undefined ? raw(i.text) : exactPayload(i.value))),
        {
          ...common(flags),
          ...(queueName === undefined ? {} : { queueName }),
          ...(fifo === undefined ? {} : { fifo }),
          ...(messageGroupId === undefined ? {} : { messageGroupId }),
          ...(envelope === undefined ? {} : { envelope }),
          ...(sentAt === undefined ? {} : { sentAt }),
        },
      )
    }
    const changes = inputs.map(dynamodbChange)
    const keys = flag(flags, 'keys')
    const view = flag(flags, 'streamViewType')
    const views = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES']
    if (view !== undefined && !views.includes(view)) throw new UsageError(`--streamViewType must be ${views.join(', ')}; received ${view}.`)
    const tableName = flag(flags, 'tableName')
    const createdAt = date(flags, 'createdAt')
    return dynamodbEvent(changes as DynamoDBTestChange<never>[], {
      ...common(flags),
      ...(keys === undefined ? {} : { keys: keys.split(',').map((k) => k.trim()) as never[] }),
      ...(view === undefined ? {} : { streamViewType: view as 'NEW_AND_OLD_IMAGES' }),
      ...(tableName === undefined ? {} : { tableName }),
      ...(createdAt === undefined ? {} : { createdAt }),
    })
  } catch (e) {
    if (e instanceof UsageError) throw e
    // The builders' own errors (a missing key attribute, a value DynamoDB cannot hold) are sentences already.
    throw new UsageError(`event ${source}: ${(e as Error).message.replace('pass `keys`', 'pass --keys')}`)
  }
}
