/**
 * JSON as the command line reads it: where a text breaks (line and column, never its content), and
 * integers a double cannot hold kept as their exact text, so that a payload reaches the event as
 * it was written (`JSON.parse` would turn 9007199254740993 into …992).
 *
 * @module
 * @internal
 */
import { UsageError } from './args.js'

/** An integer literal beyond ±(2^53 − 1) that a double would round: its text as written. */
export class ExactInteger {
  constructor(readonly text: string) {}
}

class Break {
  constructor(
    readonly at: number,
    readonly expected: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const HEX4 = /^[0-9a-fA-F]{4}$/

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // As JSON.parse does: `__proto__` is an own property, not the prototype.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
}

type Open = { kind: 'array'; value: unknown[] } | { kind: 'object'; value: Record<string, unknown>; key: string }

/**
 * A JSON parser without recursion (any depth): numbers a double holds are numbers, longer
 * integers {@link ExactInteger}s. Throws a {@link Break} where the text stops being JSON. Slower
 * than `JSON.parse`: run only on texts that need it.
 */
function parseSlowly(text: string): unknown {
  const n = text.length
  let i = 0
  const fail = (expected: string): never => {
    throw new Break(i, i >= n ? `${expected}, but the text ends` : expected)
  }
  const ws = (): void => {
    for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  }
  const string = (): string => {
    let j = i + 1
    for (; j < n; j++) {
      const c = text.charCodeAt(j)
      if (c === 34) break
      if (c < 0x20) {
        i = j
        fail('no control character inside a string (write it escaped)')
      }
      if (c === 92) {
        const e = text.charAt(j + 1)
        const ok = e === 'u' ? HEX4.test(text.slice(j + 2, j + 6)) : ESCAPES.has(e)
        if (!ok) {
          i = j
          fail('a valid escape after a backslash')
        }
        j += e === 'u' ? 5 : 1
      }
    }
    if (j >= n) {
      i = n
      fail('the closing quote of a string')
    }
    const value = JSON.parse(text.slice(i, j + 1)) as string
    i = j + 1
    return value
  }
  const key = (): string => {
    ws()
    if (text.charCodeAt(i) !== 34) fail('a property name in double quotes')
    const k = string()
    ws()
    if (text.charCodeAt(i) !== 58) fail("':' after a property name")
    i++
    return k
  }
  const number = (): number | ExactInteger => {
    NUMBER.lastIndex = i
    const m = NUMBER.exec(text)
    if (m === null) return fail('a value')
    const literal = m[0]
    i += literal.length
    const value = Number(literal)
    if (literal.length < 16 || /[.eE]/.test(literal)) return value
    return Number.isFinite(value) && BigInt(value) === BigInt(literal) ? value : new ExactInteger(literal)
  }
  const stack: Open[] = []
  for (;;) {
    ws()
    let value: unknown
    const c = text.charCodeAt(i)
    if (c === 123 || c === 91) {
      i++
      ws()
      const closes = text.charCodeAt(i) === (c === 123 ? 125 : 93)
      const open: Open = c === 123 ? { kind: 'object', value: {}, key: '' } : { kind: 'array', value: [] }
      if (closes) {
        i++
        value = open.value
      } else {
        if (open.kind === 'object') open.key = key()
        stack.push(open)
        continue
      }
    } else if (c === 34) value = string()
    else if (c === 45 || (c >= 48 && c <= 57)) value = number()
    else if (text.startsWith('true', i)) [value, i] = [true, i + 4]
    else if (text.startsWith('false', i)) [value, i] = [false, i + 5]
    else if (text.startsWith('null', i)) [value, i] = [null, i + 4]
    else fail('a value')
    // The value goes into the innermost open container, which may then close, and so on outwards.
    for (;;) {
      const top = stack.at(-1)
      if (top === undefined) {
        ws()
        if (i < n) fail('nothing after the JSON value')
        return value
      }
      if (top.kind === 'array') top.value.push(value)
      else define(top.value, top.key, value)
      ws()
      const d = text.charCodeAt(i)
      if (d === 44) {
        i++
        if (top.kind === 'object') top.key = key()
        break
      }
      if (d !== (top.kind === 'array' ? 93 : 125)) fail(top.kind === 'array' ? "',' or ']'" : "',' or '}'")
      i++
      stack.pop()
      value = top.value
    }
  }
}

/** Line and column (1-based, in characters) of a position. */
function lineColumn(text: string, at: number): string {
  let line = 1
  let start = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++
    start = i + 1
  }
  return `line ${line}, column ${at - start + 1}`
}

/** Where `text` stops being JSON, as a sentence without its content: "expected ',' or '}' at line 3, column 7". */
function whereItBreaks(text: string): string {
  try {
    parseSlowly(text)
  } catch (e) {
    if (e instanceof Break) return `expected ${e.expected} at ${lineColumn(text, e.at)}`
    throw e
  }
  return 'JSON.parse refused it'
}

/**
 * JSON text as `JSON.parse` reads it (as Lambda's runtime reads an event); `where` names the text in
 * the error, which says where the JSON breaks, never what the text holds.
 */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${where} is not JSON: ${whereItBreaks(text)}.`)
  }
}

/** JSON text with its long integers kept exact ({@link ExactInteger}); errors as {@link parseJson}'s. */
export function parseExactJson(text: string, where: string): unknown {
  const value = parseJson(text, where)
  // Only a run of 16 digits can be an integer a double does not hold.
  return /\d{16}/.test(text) ? parseSlowly(text) : value
}

/** Whether a value read by {@link parseExactJson} holds an {@link ExactInteger}. */
export function hasExactInteger(value: unknown): boolean {
  const stack = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof ExactInteger) return true
    if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) stack.push(x)
  }
  return false
}

/** A value read by {@link parseExactJson} as compact JSON, each {@link ExactInteger} written as it was. */
export function exactJson(value: unknown): string {
  if (value instanceof ExactInteger) return value.text
  if (Array.isArray(value)) return `[${value.map((v) => exactJson(v)).join(',')}]`
  if (typeof value === 'object' && value !== null)
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${exactJson(v)}`)
      .join(',')}}`
  return JSON.stringify(value)
}

/** A value read by {@link parseExactJson} with each {@link ExactInteger} as a `bigint` (DynamoDB numbers hold 38 digits). */
export function withBigInts(value: unknown): unknown {
  if (value instanceof ExactInteger) return BigInt(value.text)
  if (Array.isArray(value)) return value.map(withBigInts)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) define(out, k, withBigInts(v))
    return out
  }
  return value
}
