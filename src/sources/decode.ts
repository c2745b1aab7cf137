import { gunzipSync } from 'node:zlib'
import type { OptionRule } from '../engine/options.js'
import { InvalidRecord } from '../engine/schema.js'

/**
 * How a record's bytes become the value the schema checks.
 *
 * - `'json'` (default): UTF-8 text parsed as JSON.
 * - `'text'`: UTF-8 text.
 * - `'bytes'`: the bytes as a `Uint8Array`.
 * - a function from the bytes to a value (what it throws fails that record as a decode error).
 *
 * Gzip is recognised by its magic bytes (1f 8b) and inflated first, whatever the mode.
 */
export type DecodeMode = 'json' | 'text' | 'bytes' | ((bytes: Uint8Array) => unknown)

/** UTF-8 decoding that throws on bytes that are not UTF-8, instead of turning them into U+FFFD silently. */
export const utf8 = new TextDecoder('utf-8', { fatal: true })

function decodeError(message: string, cause?: unknown): InvalidRecord {
  const error = new Error(message, cause === undefined ? undefined : { cause })
  return new InvalidRecord({ kind: 'decode', message, error })
}

/**
 * Strict base64: Node's decoder silently drops characters outside the alphabet, so a corrupted
 * string would decode to fewer bytes than its length promises. Comparing the lengths catches that
 * at no cost per character (a regular expression costs more than the decoding itself).
 */
export function base64ToBytes(data: unknown, field: string): Buffer {
  if (typeof data !== 'string') throw decodeError(`${field} is not a base64 string (it is ${data === null ? 'null' : typeof data}).`)
  const bytes = Buffer.from(data, 'base64')
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding) {
    throw decodeError(`${field} is not valid base64 (${data.length} characters that do not decode cleanly).`)
  }
  return bytes
}

/** Inflates gzip data, recognised by its magic bytes; other data passes through untouched. */
export function inflateIfGzip(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes
  try {
    return gunzipSync(bytes)
  } catch (e) {
    throw decodeError(`The data starts like gzip (1f 8b) but does not inflate: ${(e as Error).message}.`, e)
  }
}

// Built by a function of its own, so that parseJson, which the JIT inlines into every parser, stays
// small: with the message work inline, 1 % bad JSON cost the Kinesis parser ~0.1x of the floor
// (bench/PROFILE.md, fourth pass).
function notJson(e: unknown): InvalidRecord {
  // V8 quotes the start of the text in some messages; keep the reason, drop the payload.
  const reason = (e as Error).message.replace(/,\s*".*" is not valid JSON$/s, '')
  return decodeError(`The data is not valid JSON: ${reason}.`)
}

/** UTF-8 text, failing the record on bytes that are not UTF-8. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch (e) {
    throw decodeError('The data is not valid UTF-8 text.', e)
  }
}

/** JSON text to a value, failing the record with the parser's reason (not the text). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw notJson(e)
  }
}

/** Builds, once, the function that turns a record's bytes into a value for the chosen mode. */
export function bytesDecoder(mode: DecodeMode): (bytes: Uint8Array) => unknown {
  if (mode === 'json') return (bytes) => parseJson(bytesToText(inflateIfGzip(bytes)))
  if (mode === 'text') return (bytes) => bytesToText(inflateIfGzip(bytes))
  if (mode === 'bytes') return inflateIfGzip
  return (bytes) => {
    try {
      return mode(inflateIfGzip(bytes))
    } catch (e) {
      if (e instanceof InvalidRecord) throw e
      throw decodeError(`The decode function threw: ${e instanceof Error ? e.message : String(e)}`, e)
    }
  }
}

/** The check of the `decode` option. */
export const DECODE_RULE: OptionRule = [(v) => v === 'json' || v === 'text' || v === 'bytes' || typeof v === 'function', "'json', 'text', 'bytes' or a function"]
