import { constants as bufferConstants } from 'node:buffer'
import { gunzipSync } from 'node:zlib'
import type { OptionRule } from '../engine/options.js'
import { MalformedEventError } from '../engine/errors.js'
import { toError } from '../engine/outcome.js'
import { InvalidRecord, stackTraces } from '../engine/schema.js'
import { jsonType } from './unmarshall.js'

/**
 * How a record's bytes become the value the schema checks.
 *
 * - `'json'` (default): UTF-8 text parsed as JSON. An integer a JavaScript `number` cannot hold
 *   exactly (beyond ±(2^53 − 1)) fails the record instead of arriving rounded.
 * - `'text'`: UTF-8 text.
 * - `'bytes'`: the bytes as a `Uint8Array`.
 * - a function from the bytes to a value (what it throws fails that record as a decode error).
 *
 * Gzip is recognised by its magic bytes (1f 8b) and inflated first, whatever the mode, up to
 * `maxInflatedBytes`.
 */
export type DecodeMode = 'json' | 'text' | 'bytes' | ((bytes: Uint8Array) => unknown)

/** Lambda's payload ceiling (6 MB as AWS counts it): the default most a gzip record may inflate to. */
export const DEFAULT_MAX_INFLATED_BYTES = 6 * 1024 * 1024

/** UTF-8 decoding that throws on bytes that are not UTF-8, instead of turning them into U+FFFD silently. */
export const utf8 = new TextDecoder('utf-8', { fatal: true })

/** A record's decode failure; `cause` (what was thrown, which may quote the payload) stays on the error, out of the message. */
export function decodeError(message: string, cause?: unknown): InvalidRecord {
  const limit = stackTraces(0) // the message says what is wrong; a stack would cost more than the decoding (see stackTraces)
  const error = new Error(message, cause === undefined ? undefined : { cause })
  stackTraces(limit)
  return new InvalidRecord({ kind: 'decode', message, error })
}

/**
 * Strict base64: Node's decoder silently drops characters outside the alphabet, so a corrupted
 * string would decode to fewer bytes than its length promises. Comparing the lengths catches that
 * at no cost per character (a regular expression costs more than the decoding itself); Node also
 * takes base64url's `-` and `_`, which two `indexOf` scans refuse.
 */
export function base64ToBytes(data: unknown, field: string): Buffer {
  if (typeof data !== 'string') throw decodeError(`${field} is not a base64 string (it is ${jsonType(data)}).`)
  const bytes = Buffer.from(data, 'base64')
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0
  if (data.length % 4 !== 0 || bytes.length !== (data.length / 4) * 3 - padding || data.indexOf('-') !== -1 || data.indexOf('_') !== -1) {
    throw decodeError(`${field} is not valid base64 (${data.length} characters that do not decode cleanly as standard base64).`)
  }
  return bytes
}

/** Inflates gzip data, recognised by its magic bytes, never past `max` bytes; other data passes through untouched. */
export function inflateIfGzip(bytes: Uint8Array, max = DEFAULT_MAX_INFLATED_BYTES): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes
  try {
    // zlib stops, and frees what it made, as soon as the output would pass the limit.
    return gunzipSync(bytes, { maxOutputLength: max })
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw decodeError(
        `The data inflates past maxInflatedBytes (${max} bytes); it was refused there. Raise \`maxInflatedBytes\` if records this large are expected.`,
        e,
      )
    }
    throw decodeError(`The data starts like gzip (1f 8b) but does not inflate: ${(e as Error).message}.`, e)
  }
}

// V8's JSON.parse messages without the text they quote. The kinds below carry only a position;
// the others quote the text ("Unexpected token 'S', "SECRET-411"... is not valid JSON") and keep
// only their kind. Anything else (another engine's wording) keeps only its position.
const JSON_KINDS = new Set([
  'Unexpected end of JSON input',
  'Unexpected number in JSON',
  'Unexpected string in JSON',
  'Unterminated string in JSON',
  "Expected property name or '}' in JSON",
  "Expected ',' or ']' after array element in JSON",
  "Expected ',' or '}' after property value in JSON",
  "Expected ':' after property name in JSON",
  'Expected double-quoted property name in JSON',
  'Unexpected non-whitespace character after JSON',
  'Bad escaped character in JSON',
  'Bad control character in string literal in JSON',
  'Bad Unicode escape in JSON',
  'No number after minus sign in JSON',
  'Exponent part is missing a number in JSON',
  'Unterminated fractional number in JSON',
])

/**
 * What V8's `JSON.parse` said, without a character of the text: its kind and, where V8 gives one,
 * the position. `undefined` when `message` is not a JSON error at all.
 */
export function jsonReason(message: string): string | undefined {
  const at = / at position (\d+)/.exec(message)
  const kind = at === null ? message : message.slice(0, at.index)
  const position = at === null ? '' : ` at position ${at[1]}`
  if (JSON_KINDS.has(kind)) return kind + position
  if (kind.startsWith('Unexpected token')) return 'Unexpected token'
  if (message.endsWith(' is not valid JSON')) return 'Unexpected input'
  return at === null && !kind.includes('JSON') ? undefined : `Unexpected input${position}`
}

// Built by a function of its own, so that parseJson, which the JIT inlines into every parser, stays
// small: with the message work inline, 1 % bad JSON cost the Kinesis parser ~0.1x of the floor
// (bench/PROFILE.md, fourth pass).
function invalidJson(e: unknown): InvalidRecord {
  return decodeError(`The data is not valid JSON: ${jsonReason(String((e as Error).message)) ?? 'Unexpected input'}.`, e)
}

/** UTF-8 text, failing the record on bytes that are not UTF-8. */
export function bytesToText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch (e) {
    throw decodeError('The data is not valid UTF-8 text.', e)
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * Whether `text` has a run of 16 or more digits, the shortest integer that can pass 2^53. Any such
 * run covers a position `15 + 16k`, so looking only there costs a sixteenth of a scan.
 */
function hasLongDigitRun(text: string): boolean {
  for (let i = 15; i < text.length; i += 16) {
    if (!isDigit(text.charCodeAt(i))) continue
    let start = i
    let end = i
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--
    while (end + 1 < text.length && isDigit(text.charCodeAt(end + 1))) end++
    if (end - start >= 15) return true
  }
  return false
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0
  while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++
  return backslashes % 2 === 1
}

/**
 * The position of the first integer literal of (valid) JSON text that a double does not hold
 * exactly, or -1. Strings are passed over; a literal with a fraction or an exponent is a decimal,
 * which JSON readers round by convention.
 */
function inexactInteger(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      // To the closing quote: the next one after an even number of backslashes (the text is valid JSON).
      do i = text.indexOf('"', i + 1)
      while (isEscaped(text, i))
    } else if (c === 45 || isDigit(c)) {
      let j = i + 1
      let integer = true
      for (; j < text.length; j++) {
        const d = text.charCodeAt(j)
        if (isDigit(d)) continue
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) integer = false
        else break
      }
      if (integer && j - i >= 16) {
        const literal = text.slice(i, j)
        const n = Number(literal)
        if (!Number.isFinite(n) || BigInt(n) !== BigInt(literal)) return i
      }
      i = j - 1
    }
  }
  return -1
}

function roundedInteger(at: number): InvalidRecord {
  return decodeError(
    `The data has an integer at position ${at} beyond ±(2^53 − 1), which JSON.parse would round. ` +
      "Send it as a string, or use `decode: 'text'` and a JSON parser that keeps big integers.",
  )
}

/** JSON text to a value, failing the record with the parser's reason (not the text), or when an integer would arrive rounded. */
export function parseJson(text: string): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw invalidJson(e)
  }
  if (hasLongDigitRun(text)) {
    const at = inexactInteger(text)
    if (at !== -1) throw roundedInteger(at)
  }
  return value
}

/**
 * What a user's decode function threw, as that record's decode failure: an Error's message (a
 * JSON.parse message without its quote of the text), or for anything else only its type. What was
 * thrown stays the error's `cause`.
 */
export function decodeFunctionThrew(e: unknown): InvalidRecord {
  let detail: string
  try {
    if (e instanceof InvalidRecord) return e
    if (e instanceof Error) {
      const message = String(e.message)
      detail = `: ${jsonReason(message) ?? message}`
    } else {
      detail = ` ${jsonType(e)}, not an Error`
    }
  } catch {
    detail = ' a value that cannot be inspected'
  }
  return decodeError(`The decode function threw${detail}`, e)
}

/** Builds, once, the function that turns a record's bytes into a value for the chosen mode. */
export function bytesDecoder(mode: DecodeMode, max = DEFAULT_MAX_INFLATED_BYTES): (bytes: Uint8Array) => unknown {
  if (mode === 'json') return (bytes) => parseJson(bytesToText(inflateIfGzip(bytes, max)))
  if (mode === 'text') return (bytes) => bytesToText(inflateIfGzip(bytes, max))
  if (mode === 'bytes') return (bytes) => inflateIfGzip(bytes, max)
  return (bytes) => {
    const inflated = inflateIfGzip(bytes, max)
    try {
      return mode(inflated)
    } catch (e) {
      throw decodeFunctionThrew(e)
    }
  }
}

/** The check of the `decode` option. */
export const DECODE_RULE: OptionRule = [
  (v) => v === 'json' || v === 'text' || v === 'bytes' || typeof v === 'function',
  "'json', 'text', 'bytes' or a function",
]

/**
 * A lazy `meta` field (Kinesis, SQS), made from its record when first read: put on `meta` as an
 * own, enumerable, read-only property and returned, so later reads (and a spread after the first
 * read) see the value itself (on a `meta` that was frozen, sealed or made non-extensible, each read
 * makes the value again). Whatever making it throws (a hostile getter too) makes the record
 * invalid, as it would have when the eager form made the field before the record function ran.
 */
export function settle<R, T>(meta: { readonly record: R }, key: string, make: (record: R) => T): T {
  let value: T
  try {
    value = make(meta.record)
  } catch (e) {
    throw e instanceof InvalidRecord ? e : decodeError(toError(e).message, e)
  }
  // A meta the record function froze, sealed or made non-extensible keeps no value: each read makes it again.
  if (Object.isExtensible(meta)) Object.defineProperty(meta, key, { value, enumerable: true })
  return value
}

/** The check of the `eagerMeta` option (Kinesis, SQS). */
export const EAGER_META_RULE: OptionRule = [(v) => typeof v === 'boolean', 'true or false']

/** The check of the `maxInflatedBytes` option. */
export const MAX_INFLATED_RULE: OptionRule = [
  (v) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= bufferConstants.MAX_LENGTH,
  `a whole number of bytes from 1 to ${bufferConstants.MAX_LENGTH} (default ${DEFAULT_MAX_INFLATED_BYTES}, Lambda's payload ceiling)`,
]

/**
 * `eventSource "aws:sqs"` when a record's eventSource names another AWS source (the usual wiring
 * mistake), else only what it is: the message never quotes an arbitrary value of the event.
 */
export function describeSource(record: unknown): string {
  if (typeof record !== 'object' || record === null) return jsonType(record)
  const source = (record as { eventSource?: unknown }).eventSource
  return typeof source === 'string' && /^aws:[a-z0-9.-]{1,40}$/.test(source)
    ? `eventSource ${JSON.stringify(source)}`
    : `eventSource is ${jsonType(source)}`
}

const DECIMAL_DIGITS = /^(?:0|[1-9]\d*)$/

// A Kinesis sequence number is a decimal string of up to 129 digits (fact 3).
/**
 * Whether `value` is a Kinesis sequence number, as the Kinesis and the DynamoDB-through-Kinesis
 * sources check every record's. The length is checked before an unbounded pattern, which costs
 * about half of a bounded `\d{0,128}` (bench/PROFILE.md, eighth pass).
 */
export function isSequenceNumber(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 129 && DECIMAL_DIGITS.test(value)
}

/**
 * The `MalformedEventError` for a record whose fields could not even be read (a getter that
 * throws): what was thrown is the cause, never the message.
 */
export function unreadable(name: string, i: number, e: unknown): MalformedEventError {
  return new MalformedEventError(`${name} could not read the record at Records[${i}]: reading its fields threw.`, { cause: e })
}
