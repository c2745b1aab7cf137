import { createHash } from 'node:crypto'
import type { InferInput, Schema } from '../engine/schema.js'
import { payloadBytes, raw, type RawData } from './raw.js'

/** Options of {@link kplAggregate}. `P` is the type of the payloads given, which the functions receive. */
export interface KplAggregateOptions<S extends Schema = Schema, P = InferInput<S> | RawData | Uint8Array> {
  /** Types the payloads by the schema's input. The builder does not validate. */
  readonly schema?: S | undefined
  /** Each user record's partition key: one for all, or a function of the payload and its index. Default `'pk-0'`. */
  readonly partitionKey?: string | ((payload: P, index: number) => string) | undefined
  /** Each user record's explicit hash key, if any. */
  readonly explicitHashKey?: ((payload: P, index: number) => string | undefined) | undefined
}

function varint(out: number[], value: number): void {
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
}

function lengthDelimited(out: number[], field: number, bytes: Uint8Array): void {
  varint(out, (field << 3) | 2)
  varint(out, bytes.length)
  for (const b of bytes) out.push(b)
}

/**
 * Aggregates payloads as the Kinesis Producer Library does (magic bytes F3 89 9A C2, a protobuf
 * `AggregatedRecord`, the MD5 of the protobuf), ready to be one record of
 * {@link kinesisEvent}. Payloads are JSON-encoded; `raw(...)` and `Uint8Array`s go in as they are.
 *
 * @example
 * ```ts
 * const event = kinesisEvent([kplAggregate([{ orderId: 'a', total: 1, currency: 'EUR' }, { orderId: 'b', total: 2, currency: 'USD' }], { schema: Order })])
 * ```
 */
export function kplAggregate<
  S extends Schema = Schema,
  const P extends InferInput<S> | RawData | Uint8Array = InferInput<S> | RawData | Uint8Array,
>(payloads: readonly P[] & readonly (InferInput<S> | RawData | Uint8Array)[], options: KplAggregateOptions<S, P> = {}): RawData {
  const keys: string[] = []
  const hashKeys: string[] = []
  const indexOf = (table: string[], value: string): number => {
    const i = table.indexOf(value)
    return i >= 0 ? i : table.push(value) - 1
  }
  const records = payloads.map((payload, i) => {
    const pk = options.partitionKey
    const key = typeof pk === 'function' ? pk(payload, i) : (pk ?? 'pk-0')
    const hash = options.explicitHashKey?.(payload, i)
    const out: number[] = []
    varint(out, (1 << 3) | 0)
    varint(out, indexOf(keys, key))
    if (hash !== undefined) {
      varint(out, (2 << 3) | 0)
      varint(out, indexOf(hashKeys, hash))
    }
    lengthDelimited(out, 3, payloadBytes(payload))
    return Uint8Array.from(out)
  })
  const message: number[] = []
  for (const k of keys) lengthDelimited(message, 1, Buffer.from(k, 'utf8'))
  for (const h of hashKeys) lengthDelimited(message, 2, Buffer.from(h, 'utf8'))
  for (const r of records) lengthDelimited(message, 3, r)
  const protobuf = Uint8Array.from(message)
  const md5 = createHash('md5').update(protobuf).digest()
  return raw(Buffer.concat([Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2), protobuf, md5]))
}
