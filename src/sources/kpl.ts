/**
 * Records aggregated by the Kinesis Producer Library (esm-semantics fact 86): magic bytes
 * F3 89 9A C2, a protobuf `AggregatedRecord`, then the MD5 of the protobuf. Lambda delivers the
 * aggregate as one record; this splits it into its user records. A small decoder of its own
 * rather than `aws-kinesis-agg`, which pulls in protobufjs (see bench/kpl.ts for the numbers).
 *
 *   message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
 *   message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }
 */
import type { KinesisStreamRecord, KinesisStreamRecordPayload } from 'aws-lambda'
import { createHash } from 'node:crypto'
import { InvalidRecord } from '../engine/schema.js'
import { base64ToBytes } from './decode.js'

/** The four bytes every KPL aggregate starts with. */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2)
/** The first five characters of an aggregate's base64 `data` (the fifth encodes the top of C2). */
export const KPL_BASE64_PREFIX = Buffer.from(KPL_MAGIC).toString('base64').slice(0, 5)

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

const utf8 = new TextDecoder('utf-8', { fatal: true })

class Reader {
  pos: number
  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
  }

  varint(what: string): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error(`the protobuf message ends inside ${what}`)
      const b = this.bytes[this.pos++] as number
      result += (b & 0x7f) * scale
      if (b < 0x80) {
        if (!Number.isSafeInteger(result)) throw new Error(`${what} is too large`)
        return result
      }
      scale *= 128
    }
    throw new Error(`${what} is not a valid varint`)
  }

  bytesField(what: string): Uint8Array {
    const length = this.varint(`the length of ${what}`)
    if (length > this.end - this.pos) throw new Error(`${what} runs past the end of the protobuf message`)
    const out = this.bytes.subarray(this.pos, this.pos + length)
    this.pos += length
    return out
  }

  string(what: string): string {
    try {
      return utf8.decode(this.bytesField(what))
    } catch (e) {
      if (e instanceof TypeError) throw new Error(`${what} is not UTF-8`)
      throw e
    }
  }

  skip(wireType: number, field: number): void {
    if (wireType === 0) this.varint(`field ${field}`)
    else if (wireType === 2) this.bytesField(`field ${field}`)
    else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4
      if (size > this.end - this.pos) throw new Error(`field ${field} runs past the end of the protobuf message`)
      this.pos += size
    } else throw new Error(`field ${field} has the unknown wire type ${wireType}`)
  }
}

interface RawRecord {
  partitionKeyIndex: number | undefined
  explicitHashKeyIndex: number | undefined
  data: Uint8Array | undefined
}

function readRecord(r: Reader, index: number): RawRecord {
  const out: RawRecord = { partitionKeyIndex: undefined, explicitHashKeyIndex: undefined, data: undefined }
  while (r.pos < r.end) {
    const tag = r.varint(`a field tag of record ${index}`)
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (field === 1 && wire === 0) out.partitionKeyIndex = r.varint(`partition_key_index of record ${index}`)
    else if (field === 2 && wire === 0) out.explicitHashKeyIndex = r.varint(`explicit_hash_key_index of record ${index}`)
    else if (field === 3 && wire === 2) out.data = r.bytesField(`the data of record ${index}`)
    else r.skip(wire, field) // tags (4) and fields a later format may add
  }
  return out
}

/**
 * Splits a KPL aggregate (magic bytes included) into its user records, in order; the index of
 * each is its sub-sequence number. Throws an `Error` saying what is wrong (too short, bad
 * checksum, broken protobuf, an index outside its table), never quoting the data.
 */
export function deaggregate(bytes: Uint8Array): KplUserRecord[] {
  if (!isKplAggregate(bytes)) throw new Error('it does not start with the KPL magic bytes F3 89 9A C2')
  if (bytes.length < 4 + DIGEST) throw new Error(`it is ${bytes.length} bytes long, too short for the magic bytes and the MD5 checksum`)
  const end = bytes.length - DIGEST
  const digest = createHash('md5').update(bytes.subarray(4, end)).digest()
  for (let i = 0; i < DIGEST; i++) {
    if (digest[i] !== bytes[end + i]) throw new Error('its MD5 checksum does not match its content (the record is corrupt or truncated)')
  }
  const r = new Reader(bytes, 4, end)
  const partitionKeys: string[] = []
  const hashKeys: string[] = []
  const records: RawRecord[] = []
  while (r.pos < r.end) {
    const tag = r.varint('a field tag')
    const field = Math.floor(tag / 8)
    const wire = tag % 8
    if (field === 1 && wire === 2) partitionKeys.push(r.string('a partition key'))
    else if (field === 2 && wire === 2) hashKeys.push(r.string('an explicit hash key'))
    else if (field === 3 && wire === 2) {
      const length = r.varint('the length of a record')
      if (length > r.end - r.pos) throw new Error(`record ${records.length} runs past the end of the protobuf message`)
      records.push(readRecord(new Reader(bytes, r.pos, r.pos + length), records.length))
      r.pos += length
    } else r.skip(wire, field)
  }
  return records.map((rec, i) => {
    if (rec.partitionKeyIndex === undefined) throw new Error(`record ${i} has no partition_key_index`)
    if (rec.data === undefined) throw new Error(`record ${i} has no data`)
    const partitionKey = partitionKeys[rec.partitionKeyIndex]
    if (partitionKey === undefined) throw new Error(`record ${i} names partition key ${rec.partitionKeyIndex} of a table of ${partitionKeys.length}`)
    let explicitHashKey: string | undefined
    if (rec.explicitHashKeyIndex !== undefined) {
      explicitHashKey = hashKeys[rec.explicitHashKeyIndex]
      if (explicitHashKey === undefined) throw new Error(`record ${i} names explicit hash key ${rec.explicitHashKeyIndex} of a table of ${hashKeys.length}`)
    }
    return { partitionKey, explicitHashKey, data: rec.data }
  })
}

/** A Kinesis record payload as the split gives it: the user record's key and data, and its place in the aggregate. */
export interface KplPayload extends KinesisStreamRecordPayload {
  readonly subSequenceNumber?: number
  readonly explicitHashKey?: string
}

/**
 * The user records of an aggregated Kinesis record, each a copy of it with the user record's
 * partition key, base64 data and sub-sequence number; the sequence number stays the aggregate's,
 * so a failure reports the aggregate (fact 87). An aggregate that cannot be split is returned
 * whole, and the parser fails it with {@link brokenAggregate}'s reason.
 */
export function splitAggregate(record: KinesisStreamRecord): KinesisStreamRecord[] {
  let users: KplUserRecord[]
  try {
    users = deaggregate(base64ToBytes(record.kinesis.data, 'kinesis.data'))
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
export function brokenAggregate(bytes: Uint8Array): InvalidRecord {
  let reason = 'it cannot be split'
  try {
    deaggregate(bytes)
  } catch (e) {
    reason = (e as Error).message
  }
  const message = `The data is a KPL aggregated record (magic bytes F3 89 9A C2), but ${reason}.`
  return new InvalidRecord({ kind: 'decode', message, error: new Error(message) })
}
