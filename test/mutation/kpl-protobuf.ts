// A protobuf writer for tests of the KPL decoder: it writes what kplAggregate never does (unknown
// fields, fixed-size wire types, tags, overlong varints, broken lengths), so a test can build any
// aggregate, broken or not, byte by byte.
import { createHash } from 'node:crypto'
import { raw, type RawData } from 'lambda-stream-handlers/testing'

/** A varint as protobuf writes it; `minBytes` pads it with continuation bytes (an overlong, still valid encoding). */
export function varint(value: number | bigint, minBytes = 1): number[] {
  const out: number[] = []
  let v = BigInt(value)
  do {
    out.push(Number(v & 0x7fn) | 0x80)
    v >>= 7n
  } while (v > 0n || out.length < minBytes)
  out[out.length - 1]! &= 0x7f
  return out
}

const bytesOf = (value: string | number[] | Uint8Array): number[] =>
  typeof value === 'string' ? [...Buffer.from(value, 'utf8')] : [...value]

/** A field: its tag, then a varint (wire 0), a length-delimited value (wire 2) or fixed bytes (wires 1 and 5). */
export const field = {
  varint: (n: number, value: number | bigint): number[] => [...varint(n * 8), ...varint(value)],
  bytes: (n: number, value: string | number[] | Uint8Array): number[] => {
    const b = bytesOf(value)
    return [...varint(n * 8 + 2), ...varint(b.length), ...b]
  },
  fixed64: (n: number, eight: number[] = [1, 2, 3, 4, 5, 6, 7, 8]): number[] => [...varint(n * 8 + 1), ...eight],
  fixed32: (n: number, four: number[] = [1, 2, 3, 4]): number[] => [...varint(n * 8 + 5), ...four],
  /** A bare tag of any wire type, for the wire types no reader knows (3, 4, 6, 7). */
  tag: (n: number, wire: number): number[] => varint(n * 8 + wire),
}

/** A user record message: partition key index (field 1), data (field 3), and whatever else is given. */
export function userRecord(data: string | number[], keyIndex = 0, ...more: number[][]): number[] {
  return [...field.varint(1, keyIndex), ...field.bytes(3, data), ...more.flat()]
}

/** An aggregate: the magic bytes, the protobuf message, and its MD5 (`md5` to override it). */
export function aggregate(message: number[], md5?: (digest: Buffer) => Buffer): RawData {
  const protobuf = Uint8Array.from(message)
  const digest = createHash('md5').update(protobuf).digest()
  return raw(Buffer.concat([Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2), protobuf, md5 === undefined ? digest : md5(digest)]))
}

/** The reason a broken aggregate fails with, given what the decoder says is wrong. */
export const broken = (reason: string): string => `The data is a KPL aggregated record (magic bytes F3 89 9A C2), but ${reason}.`
