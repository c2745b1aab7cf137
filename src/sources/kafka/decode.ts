/**
 * Kafka's own decoders: headers (arrays of byte values), the key, and the Confluent wire format.
 * The value goes through the decoders every source shares (`../decode.ts`).
 */
import { decodeError, decodeFunctionThrew, parseJson, utf8 } from '../decode.js'
import { jsonType } from '../unmarshall.js'
import type { KafkaHeader, KafkaKeyDecode, KafkaWireFormat } from './types.js'

/** Text when the bytes are UTF-8, else `undefined`: a binary header (a trace id, say) is not an error. */
function textOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

function headerBytes(value: unknown, i: number): Uint8Array {
  if (!Array.isArray(value)) {
    throw decodeError(`headers[${i}] has a value that is ${jsonType(value)}, not an array of byte values (0 to 255).`)
  }
  const bytes = new Uint8Array(value.length)
  for (let b = 0; b < value.length; b++) {
    const n: unknown = value[b]
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 255) {
      throw decodeError(`headers[${i}] has a value whose element ${b} is not a byte value (a whole number from 0 to 255).`)
    }
    bytes[b] = n
  }
  return bytes
}

const NO_HEADERS: readonly KafkaHeader[] = Object.freeze([])

// Lambda gives each header as a single-key object whose value is an array of byte values (fact 97).
/**
 * The record's headers, in order, repeated keys kept. Absent or `null` headers are none; anything else
 * malformed fails the record with a reason that names the header's place, never its contents.
 */
export function decodeHeaders(headers: unknown): readonly KafkaHeader[] {
  if (headers === undefined || headers === null) return NO_HEADERS
  if (!Array.isArray(headers)) throw decodeError(`headers is ${jsonType(headers)}, not an array of single-key objects.`)
  const out: KafkaHeader[] = []
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i]
    if (typeof h !== 'object' || h === null || Array.isArray(h)) {
      throw decodeError(`headers[${i}] is ${jsonType(h)}, not an object such as {"name": [104, 105]}.`)
    }
    for (const key of Object.keys(h)) {
      const bytes = headerBytes((h as Record<string, unknown>)[key], i)
      out.push({ key, value: textOrUndefined(bytes), bytes })
    }
  }
  return out
}

/** Builds, once, the function that turns a key's bytes into `meta.key`. */
export function keyDecoder(mode: KafkaKeyDecode): (bytes: Uint8Array) => unknown {
  if (mode === 'bytes') return (bytes) => bytes
  const text = (bytes: Uint8Array): string => {
    try {
      return utf8.decode(bytes)
    } catch (e) {
      throw decodeError("The key is not valid UTF-8 text. Read it with `key: 'bytes'` or a function of its bytes.", e)
    }
  }
  if (mode === 'text') return text
  if (mode === 'json') {
    return (bytes) => {
      const json = text(bytes)
      try {
        return parseJson(json)
      } catch (e) {
        // parseJson's reasons speak of "The data"; these are the key's.
        throw decodeError(`The key ${decodeFunctionThrew(e).failure.message.replace(/^The data /, '')}`, e)
      }
    }
  }
  return (bytes) => {
    try {
      return mode(bytes)
    } catch (e) {
      throw decodeError(`The key ${decodeFunctionThrew(e).failure.message.replace(/^The /, '')}`, e)
    }
  }
}

/** The Confluent wire format's header: a zero "magic" byte and a big-endian 4-byte schema id. */
const CONFLUENT_HEADER = 5

// The Confluent wire format: fact 99.
/**
 * Reads the Confluent wire format when `format` asks for it: the schema id and the
 * bytes after the header, or `undefined` to take the bytes as they are. `'auto'` recognises it
 * only for JSON values, which never start with a zero byte; Avro data may, so decoders that are
 * functions need `'confluent'` said.
 */
export function confluentFrame(
  bytes: Uint8Array,
  format: KafkaWireFormat,
  json: boolean,
): { schemaId: number; body: Uint8Array } | undefined {
  if (format === 'plain') return undefined
  const framed = bytes.length >= CONFLUENT_HEADER && bytes[0] === 0
  if (!framed) {
    if (format === 'confluent') {
      throw decodeError(
        `The value is not in the Confluent wire format (a zero byte and a 4-byte schema id first; it ${bytes.length < CONFLUENT_HEADER ? `has only ${bytes.length} bytes` : `starts with byte ${bytes[0]}`}). Use \`wireFormat: 'plain'\` for values without that header.`,
      )
    }
    return undefined
  }
  if (format === 'auto' && !json) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { schemaId: view.getUint32(1), body: bytes.subarray(CONFLUENT_HEADER) }
}
