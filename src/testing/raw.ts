const RAW = Symbol.for('lambda-stream-handlers.raw')

/** Bytes the event builders put into a record as they are, without JSON-encoding them. */
export interface RawData {
  readonly [RAW]: Uint8Array
}

/**
 * Marks data to go into a built record as it is: a string as its UTF-8 bytes, bytes unchanged.
 * Use it to build a record the schema would refuse, or one that is not JSON at all.
 *
 * @example
 * ```ts
 * const event = kinesisEvent([{ orderId: 'a-1', total: 10 }, raw('not json')], { schema: Order })
 * ```
 */
export function raw(data: string | Uint8Array): RawData {
  return { [RAW]: typeof data === 'string' ? Buffer.from(data, 'utf8') : data }
}

/** The bytes a builder stores for one payload: raw data as it is, anything else as JSON. */
export function payloadBytes(payload: unknown): Uint8Array {
  if (payload instanceof Uint8Array) return payload
  if (typeof payload === 'object' && payload !== null && RAW in payload) return (payload as RawData)[RAW]
  const json = JSON.stringify(payload)
  if (json === undefined) throw new TypeError(`Cannot JSON-encode a payload of type ${typeof payload}; wrap it in raw() to send bytes.`)
  return Buffer.from(json, 'utf8')
}
