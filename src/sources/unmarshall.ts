/**
 * The library's own AttributeValue unmarshaller: DynamoDB's typed JSON (`{"N": "1"}`) to
 * plain values, lossless and strict. One function per job, no per-call options object, no path
 * bookkeeping on the happy path (the path of a malformed value is assembled while the error
 * unwinds), so it stays fast.
 */

/**
 * What becomes of a DynamoDB number that a JavaScript `number` cannot hold exactly: an integer
 * beyond ±(2^53 − 1), or a decimal with more significant digits than a double keeps.
 *
 * - `'bigint'` (default): integers become `bigint`; an over-precise decimal, which no `bigint`
 *   can hold, fails the record. Integers are by far the common case (ids, counters, nanosecond
 *   timestamps), `@aws-sdk/util-dynamodb` also gives `bigint` for them, and a schema that
 *   expects a `number` then fails the record at that attribute instead of seeing a rounded value.
 * - `'string'`: the number's text, exactly as DynamoDB sent it.
 * - `'fail'`: the record fails, naming the attribute.
 *
 * Numbers a `number` holds exactly (every integer up to 2^53 − 1, every decimal of up to 15
 * significant digits, any decimal whose digits a double gives back unchanged) are always `number`s.
 */
export type UnsafeNumbers = 'bigint' | 'string' | 'fail'

/** A value the unmarshaller produces. */
export type NativeValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | ReadonlySet<string>
  | ReadonlySet<number | bigint | string>
  | ReadonlySet<Uint8Array>
  | readonly NativeValue[]
  | { readonly [name: string]: NativeValue }

/** Options of {@link unmarshallImage}. */
export interface UnmarshallOptions {
  /** See {@link UnsafeNumbers}. Default `'bigint'`. */
  readonly unsafeNumbers?: UnsafeNumbers
}

/**
 * An AttributeValue that is not well formed: no type key, two type keys, an unknown type, a value
 * of the wrong JSON type, an `N` that is not a number, bad base64, a tree nested deeper than the
 * 32 levels DynamoDB stores, or a number a JavaScript `number` cannot hold when `unsafeNumbers`
 * says to fail. `path` names the attribute, such as
 * `items[2].price`; the message never contains the value.
 *
 * @example
 * ```ts
 * try {
 *   unmarshallImage(image)
 *   return undefined
 * } catch (e) {
 *   if (e instanceof AttributeValueError) return e.path // "total" for { total: { N: 'abc' } }
 *   throw e
 * }
 * ```
 */
export class AttributeValueError extends Error {
  override readonly name = 'AttributeValueError'
  /** The path of the attribute inside the image, such as `items[2].price`. */
  readonly path: string
  /** What is wrong, without the path. */
  readonly problem: string

  constructor(path: string, problem: string) {
    super(`${path === '' ? 'The value' : path} ${problem}`)
    this.path = path
    this.problem = problem
  }
}

/** Thrown inside the recursion; the path grows as it unwinds, then it becomes an AttributeValueError. */
class Problem {
  path = ''
  constructor(readonly problem: string) {}
  under(segment: string | number): Problem {
    const seg = typeof segment === 'number' ? `[${segment}]` : segment
    this.path = this.path === '' || this.path.startsWith('[') ? seg + this.path : `${seg}.${this.path}`
    return this
  }
}

const TYPES = 'S, N, B, SS, NS, BS, M, L, NULL or BOOL'

/** What a value is, for a message that must not quote it: `null`, `an array`, `an object`, `a string`, ... */
export function jsonType(value: unknown): string {
  if (value === null || value === undefined) return String(value)
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

// DynamoDB's number syntax: optional sign, digits with an optional point, optional exponent.
// Unambiguous (each character can match one way only), so a failed match never backtracks.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

/**
 * Where the trailing zeros of `digits` start, looking no further left than `from`: a loop, since
 * `/0+$/` backtracks quadratically on a long run of zeros that does not end the text.
 */
export function trailingZerosFrom(digits: string, from = 0): number {
  let end = digits.length
  while (end > from && digits.charCodeAt(end - 1) === 48) end--
  return end
}

/**
 * The longest `N` text read. DynamoDB numbers have 38 significant digits and magnitudes from
 * 1E-130 to under 1E+126: the longest plain spelling is a sign, `0.`, 129 zeros and 38 digits,
 * 170 characters; 200 leaves room for an exponent or padding zeros in hand-made events. Longer
 * text is refused before any regular expression reads it, so a hostile million-digit `N` costs
 * nothing.
 */
const MAX_NUMBER_LENGTH = 200

/**
 * A decimal string as `[negative, significant digits, exponent]` where the value is
 * `0.d1d2d3... × 10^exponent`; zero is `[negative, '', 0]`.
 */
function normalise(text: string): [boolean, string, number] {
  let i = 0
  const negative = text[0] === '-'
  if (text[0] === '-' || text[0] === '+') i = 1
  const e = text.search(/[eE]/)
  const mantissa = e === -1 ? text.slice(i) : text.slice(i, e)
  const exp = e === -1 ? 0 : Number(text.slice(e + 1))
  const point = mantissa.indexOf('.')
  const intDigits = point === -1 ? mantissa.length : point
  let digits = point === -1 ? mantissa : mantissa.slice(0, point) + mantissa.slice(point + 1)
  let lead = 0
  while (lead < digits.length && digits.charCodeAt(lead) === 48) lead++
  digits = digits.slice(lead, trailingZerosFrom(digits, lead))
  return digits === '' ? [negative, '', 0] : [negative, digits, intDigits - lead + exp]
}

function bigNumber(text: string, unsafe: UnsafeNumbers): bigint | string {
  if (unsafe === 'string') return text
  const [negative, digits, exponent] = normalise(text)
  const integer = exponent >= digits.length
  if (unsafe === 'bigint' && integer) {
    const value = BigInt(digits + '0'.repeat(exponent - digits.length))
    return negative ? -value : value
  }
  const what = integer
    ? 'is an integer beyond ±(2^53 − 1), which a JavaScript number cannot hold exactly'
    : `has ${digits.length} significant digits, more than a JavaScript number keeps${unsafe === 'bigint' ? ', and is not an integer, so it cannot be a bigint' : ''}`
  const fix =
    unsafe === 'bigint' ? "set `unsafeNumbers: 'string'` to receive its text" : "set `unsafeNumbers: 'bigint'` or `'string'` to receive it"
  throw new Problem(`is a number that ${what}; ${fix}.`)
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

/**
 * The value of a plain decimal (`-?digits(.digits)?`) of at most 15 characters, or NaN when the
 * text is not one. At most 15 digits fit a double exactly as an integer, and dividing it by an
 * exact power of ten rounds once, correctly: the same double `Number(text)` gives, in one pass
 * that also checks the syntax (a regular expression plus `Number` costs several times more).
 */
function shortPlain(text: string): number {
  const n = text.length
  if (n > 15 || n === 0) return NaN
  const negative = text.charCodeAt(0) === 45
  let i = negative ? 1 : 0
  const start = i
  let digits = 0
  let point = -1
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) digits = digits * 10 + (c - 48)
    else if (c === 46 && point === -1) point = i
    else return NaN
  }
  if (point === -1) {
    if (n === start) return NaN
  } else if (point === start || point === n - 1) return NaN
  const value = point === -1 ? digits : digits / (POW10[n - 1 - point] as number)
  return negative ? -value : value
}

/** An `N` string to a number, never rounded. */
function toNumber(text: unknown, unsafe: UnsafeNumbers): number | bigint | string {
  if (typeof text !== 'string') throw new Problem(`has an N that is ${jsonType(text)}; N must be a string of decimal digits.`)
  const short = shortPlain(text)
  if (!Number.isNaN(short)) return short
  if (text.length > MAX_NUMBER_LENGTH) {
    throw new Problem(
      `has an N of ${text.length} characters, too long for a number DynamoDB stores (38 significant digits, magnitudes from 1E-130 to under 1E+126).`,
    )
  }
  if (!NUMBER.test(text)) throw new Problem('has an N that is not a decimal number.')
  const [negative, digits, exponent] = normalise(text)
  if (digits === '') return negative ? -0 : 0
  // DynamoDB stores 38 significant digits, magnitudes from 1E-130 to under 1E+126 (0.1e-129 to 0.99...e126).
  if (digits.length > 38 || exponent > 126 || exponent < -129) {
    throw new Problem('has an N outside what DynamoDB stores (38 significant digits, magnitudes from 1E-130 to under 1E+126).')
  }
  const n = +text
  if (exponent >= digits.length) return Number.isSafeInteger(n) ? n : bigNumber(text, unsafe) // an integer
  if (digits.length <= 15) return n
  // More digits than a double surely keeps: a number only if its shortest form gives them all back.
  const [, back, backExponent] = normalise(String(n))
  return back === digits && backExponent === exponent ? n : bigNumber(text, unsafe)
}

function toBytes(text: unknown, what: string): Uint8Array {
  if (typeof text !== 'string') throw new Problem(`has ${what} that is ${jsonType(text)}; binary travels as a base64 string.`)
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const length = (text.length / 4) * 3 - padding
  // An exact, unpooled buffer: a view into Node's shared pool would expose other data via `.buffer`.
  const buffer = Buffer.allocUnsafeSlow(Math.max(0, length))
  // Node's decoder also takes base64url's `-` and `_`, which DynamoDB never sends.
  if (text.length % 4 !== 0 || buffer.write(text, 'base64') !== length || text.indexOf('-') !== -1 || text.indexOf('_') !== -1) {
    throw new Problem(`has ${what} that is not valid base64.`)
  }
  return new Uint8Array(buffer.buffer, 0, length)
}

function list(value: unknown, type: string): unknown[] {
  if (!Array.isArray(value)) throw new Problem(`has ${type} that is ${jsonType(value)}; ${type} must be an array.`)
  return value
}

function stringSet(value: unknown): Set<string> {
  const items = list(value, 'SS')
  for (let i = 0; i < items.length; i++) {
    if (typeof items[i] !== 'string') throw new Problem(`has SS[${i}] that is ${jsonType(items[i])}; SS holds strings.`)
  }
  return new Set(items as string[])
}

function numberSet(value: unknown, unsafe: UnsafeNumbers): Set<number | bigint | string> {
  const items = list(value, 'NS')
  const out = new Set<number | bigint | string>()
  for (let i = 0; i < items.length; i++) {
    try {
      out.add(toNumber(items[i], unsafe))
    } catch (e) {
      throw e instanceof Problem
        ? new Problem(e.problem.replace(/^has an N/, `has NS[${i}]`).replace(/^is a number/, `has NS[${i}], a number`))
        : e
    }
  }
  return out
}

function binarySet(value: unknown): Set<Uint8Array> {
  const items = list(value, 'BS')
  const out = new Set<Uint8Array>()
  for (let i = 0; i < items.length; i++) out.add(toBytes(items[i], `BS[${i}]`))
  return out
}

function map(m: unknown, unsafe: UnsafeNumbers, depth: number): Record<string, NativeValue> {
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    throw new Problem(`has M that is ${jsonType(m)}; M must be an object of AttributeValues.`)
  const out: Record<string, NativeValue> = {}
  for (const name in m) {
    let value: NativeValue
    try {
      value = convert((m as Record<string, unknown>)[name], unsafe, depth)
    } catch (e) {
      throw e instanceof Problem ? e.under(name) : e
    }
    // An own property, even for `__proto__`: plain assignment would replace the object's prototype.
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
    else out[name] = value
  }
  return out
}

function notOneType(av: unknown): Problem {
  if (typeof av !== 'object' || av === null || Array.isArray(av))
    return new Problem(`is ${jsonType(av)}, not an AttributeValue (an object with one of ${TYPES}).`)
  const [first, second] = Object.keys(av)
  return first === undefined
    ? new Problem(`has no type key; an AttributeValue has exactly one of ${TYPES}.`)
    : new Problem(`has two type keys (${typeKey(first)} and ${typeKey(second ?? '')}); an AttributeValue has exactly one.`)
}

// A key is named only when it is a type key: any other is data, which a message never quotes.
const typeKey = (key: string): string => (TYPES.split(/, | or /).includes(key) ? key : 'an unknown key')

/**
 * DynamoDB stores at most 32 levels, a top-level attribute being level 1 (so at most 31 maps or
 * lists around a value). A deeper tree is no item DynamoDB could have written: refusing it
 * keeps the recursion short whatever the event holds.
 */
export const MAX_DEPTH = 32

function convert(av: unknown, unsafe: UnsafeNumbers, depth: number): NativeValue {
  if (depth > MAX_DEPTH)
    throw new Problem(`is nested ${depth} levels deep; DynamoDB stores at most ${MAX_DEPTH} (a top-level attribute is level 1).`)
  let type: string | undefined
  let value: unknown
  let keys = 0
  // One pass over the keys; reading the value inside the for-in lets V8 use its enumeration cache.
  if (typeof av === 'object' && av !== null) {
    for (const key in av) {
      if (keys++ === 0) {
        type = key
        value = (av as Record<string, unknown>)[key]
      }
    }
  }
  if (keys !== 1 || Array.isArray(av)) throw notOneType(av)
  switch (type) {
    case 'S':
      if (typeof value !== 'string') throw new Problem(`has S that is ${jsonType(value)}; S must be a string.`)
      return value
    case 'N':
      return toNumber(value, unsafe)
    case 'BOOL':
      if (typeof value !== 'boolean') throw new Problem(`has BOOL that is ${jsonType(value)}; BOOL must be true or false.`)
      return value
    case 'NULL':
      if (value !== true) throw new Problem('has NULL that is not true; NULL is always true.')
      return null
    case 'M':
      return map(value, unsafe, depth + 1)
    case 'L': {
      const items = list(value, 'L')
      const out = new Array<NativeValue>(items.length)
      for (let i = 0; i < items.length; i++) {
        try {
          out[i] = convert(items[i], unsafe, depth + 1)
        } catch (e) {
          throw e instanceof Problem ? e.under(i) : e
        }
      }
      return out
    }
    case 'B':
      return toBytes(value, 'B')
    case 'SS':
      return stringSet(value)
    case 'NS':
      return numberSet(value, unsafe)
    case 'BS':
      return binarySet(value)
    default:
      throw new Problem(`has an unknown type key; expected one of ${TYPES}.`)
  }
}

/**
 * Turns an image from a DynamoDB stream record (`NewImage`, `OldImage` or `Keys`: attribute names
 * to AttributeValues, as Lambda delivers them) into a plain object. `S` becomes a string, `N` a
 * `number` (or, when a `number` cannot hold it exactly, see {@link UnsafeNumbers}), `B` a
 * `Uint8Array`, `SS`/`NS`/`BS` `Set`s, `M` an object, `L` an array, `NULL` `null`, `BOOL` a boolean.
 * Every attribute becomes an own property, `__proto__` included; no prototype changes.
 *
 * Throws {@link AttributeValueError}, naming the attribute's path, for anything malformed.
 *
 * @example
 * ```ts
 * export const item = unmarshallImage({ id: { S: 'a-1' }, views: { N: '9007199254740993' }, tags: { SS: ['x'] } })
 * // { id: 'a-1', views: 9007199254740993n, tags: Set { 'x' } }
 * ```
 */
export function unmarshallImage(image: unknown, options: UnmarshallOptions = {}): Record<string, NativeValue> {
  if (typeof image !== 'object' || image === null || Array.isArray(image)) {
    throw new AttributeValueError('', `is ${jsonType(image)}, not an image (an object of attribute names to AttributeValues).`)
  }
  try {
    return map(image, options.unsafeNumbers ?? 'bigint', 1)
  } catch (e) {
    throw e instanceof Problem ? new AttributeValueError(e.path, e.problem) : e
  }
}
