/** SQS numbers without rounding: Number attributes, and the digits of counts and timestamps. */
import type { SQSRecord } from 'aws-lambda'
import { base64ToBytes, decodeError } from '../decode.js'
import { trailingZerosFrom } from '../unmarshall.js'
import type { SqsAttribute } from './types.js'

const INTEGER = /^[+-]?\d+$/
// Unambiguous (each character can match one way only), so a failed match never backtracks.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i

/**
 * The longest Number attribute text decoded. SQS numbers have at most 38 digits of precision,
 * from 10^-128 to 10^+126 (SQS trims leading and trailing zeros): the longest plain spelling is
 * a sign, `0.`, 127 zeros and 38 digits, 168 characters; 200 leaves room for an exponent or
 * padding zeros in hand-made events. Longer text is refused before any regular expression or
 * `BigInt` reads it, so a hostile million-digit attribute costs nothing.
 */
const MAX_NUMBER_LENGTH = 200

// A decimal text as (significant digits, exponent of the last digit), so that two spellings of
// the same number compare equal: "1.50" and "15e-1" both give ["15", -1].
function canonical(text: string): string {
  const [mantissa = '', exp = '0'] = text.replace(/^[+-]/, '').toLowerCase().split('e')
  const dot = mantissa.indexOf('.')
  let digits = mantissa.replace('.', '')
  let e = Number(exp) - (dot === -1 ? 0 : mantissa.length - dot - 1)
  digits = digits.replace(/^0+/, '')
  const end = trailingZerosFrom(digits)
  const trimmed = digits.slice(0, end)
  e += digits.length - end
  if (trimmed === '') return '0'
  return `${text.startsWith('-') ? '-' : ''}${trimmed}e${e}`
}

/** An SQS Number attribute without rounding: see {@link SqsAttribute}. */
export function sqsNumber(text: string): number | bigint | string {
  const small = digits(text) // the common case, without the regular expressions
  if (small !== -1) return small
  if (text.length > MAX_NUMBER_LENGTH) {
    throw new Error(
      `is too long to be a number (${text.length} characters; an SQS number, 38 digits from 10^-128 to 10^+126, takes at most ${MAX_NUMBER_LENGTH})`,
    )
  }
  if (!DECIMAL.test(text)) throw new Error('is not a number')
  if (INTEGER.test(text)) {
    const n = Number(text)
    return Number.isSafeInteger(n) ? n : BigInt(text)
  }
  const n = Number(text)
  return Number.isFinite(n) && canonical(String(n)) === canonical(text) ? n : text
}

// Messages without attributes (most) share one empty, frozen, prototype-free object.
const NO_ATTRIBUTES: Record<string, SqsAttribute> = Object.freeze(Object.create(null) as Record<string, SqsAttribute>)

/** The message attributes, decoded by data type; a broken one fails the record. */
export function decodeAttributes(attributes: SQSRecord['messageAttributes'] | undefined): Record<string, SqsAttribute> {
  if (attributes === undefined || attributes === null) return NO_ATTRIBUTES
  if (typeof attributes !== 'object') throw decodeError('messageAttributes is not an object.')
  let out: Record<string, SqsAttribute> | undefined
  for (const name in attributes) {
    out ??= Object.create(null) as Record<string, SqsAttribute>
    out[name] = decodeAttribute(name, attributes[name])
  }
  return out ?? NO_ATTRIBUTES
}

function decodeAttribute(name: string, a: SQSRecord['messageAttributes'][string] | undefined): SqsAttribute {
  const dataType = a?.dataType
  if (typeof dataType !== 'string') throw decodeError(`Message attribute "${name}" has no dataType.`)
  // A custom type is the base type, a dot and a label: "Number.float", "String.json" (fact 12).
  const dot = dataType.indexOf('.')
  const type = dot === -1 ? dataType : dataType.slice(0, dot)
  if (type === 'Binary') {
    return { type, dataType, value: new Uint8Array(base64ToBytes(a?.binaryValue, `Message attribute "${name}" binaryValue`)) }
  }
  const text = a?.stringValue
  if (typeof text !== 'string') throw decodeError(`Message attribute "${name}" (${dataType}) has no stringValue.`)
  if (type === 'String') return { type, dataType, value: text }
  if (type === 'Number') {
    let value: number | bigint | string
    try {
      value = sqsNumber(text)
    } catch (e) {
      // sqsNumber's reasons never quote the text.
      throw decodeError(`Message attribute "${name}" (${dataType}) ${e instanceof Error ? e.message : 'is not a number'}.`)
    }
    return { type, dataType, value, text }
  }
  throw decodeError(`Message attribute "${name}" has the data type ${JSON.stringify(dataType)}; SQS knows String, Number and Binary.`)
}

/**
 * The value of a text of 1 to 15 decimal digits (exact in a double), or -1. A loop over the
 * characters: `Number(text)` on a string goes through V8's general parser and costs more.
 */
export function digits(text: unknown): number {
  if (typeof text !== 'string' || text.length === 0 || text.length > 15) return -1
  let n = 0
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}
