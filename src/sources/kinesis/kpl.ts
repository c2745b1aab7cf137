/**
 * Records aggregated by the Kinesis Producer Library (Lambda does not split them): magic bytes
 * F3 89 9A C2, a protobuf `AggregatedRecord`, then the MD5 of the protobuf. Lambda delivers the
 * aggregate as one record; this splits it into its user records. A small decoder of its own
 * rather than `aws-kinesis-agg`, which pulls in protobufjs (see bench/kpl.ts for the numbers).
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }
 */
import type { KinesisStreamRecord, KinesisStreamRecordPayload } from 'aws-lambda'
import { createHash } from 'node:crypto'
import { InvalidRecord } from '../../engine/schema.js'
import { base64ToBytes, utf8 } from '../decode.js'

/**
 * The first five characters of an aggregate's base64 `data`: the magic bytes F3 89 9A C2 in base64
 * are `84mawg==`, and the fifth character encodes the top of C2 (test/sources/kpl.test.ts checks it).
 */
export const KPL_BASE64_PREFIX = '84maw'

const DIGEST = 16

/** One user record of an aggregate. */
export interface KplUserRecord {
  readonly partitionKey: string
  readonly explicitHashKey: string | undefined
  readonly data: Uint8Array
}

/** Whether `bytes` start with the KPL magic bytes. */
export function isKplAggregate(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0xf3 && bytes[1] === 0x89 && bytes[2] === 0x9a && bytes[3] === 0xc2
}

/** A protobuf message being read, and what names its fields in error messages. */
interface Cursor {
  readonly bytes: Uint8Array
  pos: number
  /** The field being read; 0 while reading a tag (protobuf field numbers start at 1). */
  field: number
  readonly names: readonly string[]
  /** The user record being read (its index), or -1 for the aggregate's own message. */
  readonly record: number
}

function fail(c: Cursor, problem: string, name = c.field === 0 ? 'a field tag' : (c.names[c.field] ?? `field ${c.field}`)): never {
  throw new Error(`${name}${c.record < 0 ? '' : ` of record ${c.record}`} ${problem}`)
}

function varint(c: Cursor): number {
  let result = 0
  for (let i = 0, scale = 1; i < 10; i++, scale *= 128) {
    if (c.pos >= c.bytes.length) fail(c, 'runs past the end of the protobuf message')
    const b = c.bytes[c.pos++] as number
    result += (b & 0x7f) * scale
    if (b < 0x80) return Number.isSafeInteger(result) ? result : fail(c, 'is too large')
  }
  return fail(c, 'is not a valid varint')
}

/** What a message's known fields are called in error messages, and the wire type each must have, by field number. */
interface Fields {
  readonly names: readonly string[]
  readonly wires: readonly number[]
}

/**
 * Reads the fields of a protobuf message in order, giving `each` the field number and the value: a
 * number for a varint, the bytes for a length-delimited field. Both messages of an aggregate are
 * read by it. Unknown fields are passed over, as protobuf readers do; a known field of another
 * wire type fails ("field 3 has wire type 0, not 2"), since passing it over would lose what it
 * holds. A broken message throws an `Error` that names the field, such as "the data of record 2
 * runs past the end of the protobuf message".
 */
function readFields(bytes: Uint8Array, known: Fields, record: number, each: (field: number, value: number | Uint8Array) => void): void {
  const c: Cursor = { bytes, pos: 0, field: 0, names: known.names, record }
  while (c.pos < bytes.length) {
    c.field = 0
    const tag = varint(c)
    c.field = Math.floor(tag / 8)
    const wire = tag % 8
    const expected = known.wires[c.field]
    if (wire !== expected && expected !== undefined && (wire === 0 || wire === 1 || wire === 2 || wire === 5))
      fail(c, `has wire type ${wire}, not ${expected}`, `field ${c.field}`)
    if (wire === 0) each(c.field, varint(c))
    else if (wire === 2 || wire === 1 || wire === 5) {
      const length = wire === 2 ? varint(c) : wire === 1 ? 8 : 4
      if (length > bytes.length - c.pos) fail(c, 'runs past the end of the protobuf message')
      if (wire === 2) each(c.field, bytes.subarray(c.pos, c.pos + length))
      c.pos += length
    } else fail(c, `has the unknown wire type ${wire}`, `field ${c.field}`)
  }
}

// Wire types: 0 a varint, 2 length-delimited (a string, bytes or a message).
const AGGREGATE_FIELDS: Fields = { names: ['', 'a partition key', 'an explicit hash key', 'a record'], wires: [-1, 2, 2, 2] }
const RECORD_FIELDS: Fields = {
  names: ['', 'partition_key_index', 'explicit_hash_key_index', 'the data', 'a tag'],
  wires: [-1, 0, 0, 2, 2],
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes)
  } catch {
    throw new Error(`${what} is not UTF-8`)
  }
}

/** The default of `maxUserRecords`: as many records as one batch holds without aggregation (Lambda's largest `BatchSize`). */
export const DEFAULT_MAX_USER_RECORDS = 10_000

/**
 * Splits a KPL aggregate (magic bytes included) into its user records, in order; the index of
 * each is its sub-sequence number. Throws an `Error` saying what is wrong (too short, bad
 * checksum, broken protobuf, an index outside its table, no user record, more than `max` of
 * them), never quoting the data. Past `max` it stops before the user records take memory.
 */
export function deaggregate(bytes: Uint8Array, max = DEFAULT_MAX_USER_RECORDS): KplUserRecord[] {
  if (!isKplAggregate(bytes)) throw new Error('it does not start with the KPL magic bytes F3 89 9A C2')
  if (bytes.length < 4 + DIGEST) throw new Error(`it is ${bytes.length} bytes long, too short for the magic bytes and the MD5 checksum`)
  const end = bytes.length - DIGEST
  const message = bytes.subarray(4, end)
  const digest = createHash('md5').update(message).digest()
  for (let i = 0; i < DIGEST; i++) {
    if (digest[i] !== bytes[end + i]) throw new Error('its MD5 checksum does not match its content (the record is corrupt or truncated)')
  }
  const partitionKeys: string[] = []
  const hashKeys: string[] = []
  const records: Uint8Array[] = []
  readFields(message, AGGREGATE_FIELDS, -1, (field, value) => {
    if (typeof value === 'number') return // an unknown varint field
    if (field === 1) partitionKeys.push(text(value, 'a partition key'))
    else if (field === 2) hashKeys.push(text(value, 'an explicit hash key'))
    else if (field === 3) {
      if (records.length === max)
        throw new Error(
          `the aggregate holds more than ${max} user records (\`maxUserRecords\`), and was refused before they took memory. Raise \`maxUserRecords\` if your producers aggregate more`,
        )
      records.push(value)
    }
  })
  // Nothing to split into: the aggregate must still end as an outcome, so it fails as itself.
  if (records.length === 0) throw new Error('the aggregate holds no user records')
  return records.map((record, i) => {
    // Set by the callback, which the compiler's narrowing does not follow.
    let keyIndex = undefined as number | undefined
    let hashIndex = undefined as number | undefined
    let data = undefined as Uint8Array | undefined
    readFields(record, RECORD_FIELDS, i, (field, value) => {
      if (typeof value !== 'number') {
        if (field === 3) data = value
      } else if (field === 1) keyIndex = value
      else if (field === 2) hashIndex = value
    })
    if (data === undefined) throw new Error(`record ${i} has no data`)
    const partitionKey = lookup(partitionKeys, keyIndex, i, 'partition key')
    return {
      partitionKey,
      explicitHashKey: hashIndex === undefined ? undefined : lookup(hashKeys, hashIndex, i, 'explicit hash key'),
      data,
    }
  })
}

/** The key user record `i` names by its index into one of the aggregate's tables. */
function lookup(table: readonly string[], index: number | undefined, i: number, what: string): string {
  const key = table[index ?? -1]
  if (key === undefined)
    throw new Error(
      index === undefined ? `record ${i} has no ${what} index` : `record ${i} names ${what} ${index} of a table of ${table.length}`,
    )
  return key
}

/** A Kinesis record payload as the split gives it: the user record's key and data, and its place in the aggregate. */
export interface KplPayload extends KinesisStreamRecordPayload {
  readonly subSequenceNumber?: number
  readonly explicitHashKey?: string
}

/**
 * The user records of an aggregated Kinesis record, each a copy of it with the user record's
 * partition key, base64 data and sub-sequence number; the sequence number stays the aggregate's,
 * so a failure reports the aggregate. An aggregate that cannot be split is returned
 * whole, and the parser fails it with {@link brokenAggregate}'s reason.
 */
export function splitAggregate(record: KinesisStreamRecord, max?: number): KinesisStreamRecord[] {
  let users: KplUserRecord[]
  try {
    users = deaggregate(base64ToBytes(record.kinesis.data, 'kinesis.data'), max)
  } catch {
    return [record]
  }
  return users.map((user, i) => {
    const kinesis: KplPayload = {
      ...record.kinesis,
      partitionKey: user.partitionKey,
      data: Buffer.from(user.data.buffer, user.data.byteOffset, user.data.byteLength).toString('base64'),
      subSequenceNumber: i,
      ...(user.explicitHashKey === undefined ? {} : { explicitHashKey: user.explicitHashKey }),
    }
    return { ...record, kinesis }
  })
}

/** Whether a record still holds an aggregate the split could not open (user records are never re-split). */
export function isUnsplitAggregate(record: KinesisStreamRecord, bytes: Uint8Array): boolean {
  return isKplAggregate(bytes) && (record.kinesis as KplPayload).subSequenceNumber === undefined
}

/** The decode failure of an aggregate that cannot be split, with the reason and without the data. */
export function brokenAggregate(bytes: Uint8Array, max?: number): InvalidRecord {
  let reason = 'it cannot be split'
  try {
    deaggregate(bytes, max)
  } catch (e) {
    reason = (e as Error).message
  }
  const message = `The data is a KPL aggregated record (magic bytes F3 89 9A C2), but ${reason}.`
  return new InvalidRecord({ kind: 'decode', message, error: new Error(message) })
}
