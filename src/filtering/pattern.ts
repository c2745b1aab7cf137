/**
 * Lambda's filter patterns (EventBridge syntax), compiled once into
 * predicates. A pattern Lambda would refuse when the event source mapping is created is refused
 * here, when it is compiled, never when a record is matched.
 */
import { ConfigurationError } from '../engine/errors.js'
import { JsonNumber } from './json.js'

/**
 * A filter pattern Lambda would refuse (`InvalidParameterValueException`, "Invalid filter pattern
 * definition."), or one that uses an operator Lambda does not document. Thrown
 * when the criteria are compiled, so a bad filter fails where it is written, not on a record. It is
 * a {@link ConfigurationError}.
 *
 * @example
 * ```ts
 * expect(() => compileFilter({ Filters: [{ Pattern: '{"body": {"status": "open"}}' }] }, 'sqs')).toThrow(
 *   'Invalid filter pattern definition. Filters[0] at body.status: a rule value must be an array, such as ["a", "b"]; received "open".',
 * )
 * ```
 */
export class InvalidFilterPatternError extends ConfigurationError {
  override readonly name = 'InvalidFilterPatternError'
  /** True when the pattern is refused because Lambda does not document the operator, not because AWS refuses it. */
  readonly unconfirmed: boolean

  constructor(message: string, unconfirmed = false) {
    super(message)
    this.unconfirmed = unconfirmed
  }
}

/** Reads a field of the value being matched; `undefined` when it is absent. */
export type FieldGetter = (key: string) => unknown
/** A compiled object pattern: every field matches (AND), and one branch of `$or` when present. */
export type ObjectTest = (get: FieldGetter) => boolean
/** A compiled rule list: one of the rules matches (OR). `value` is one value, `undefined` when absent. */
type ValueTest = (value: unknown) => boolean

/** How the fields of one object pattern are matched; a source may take over some top-level fields. */
export interface Field {
  readonly key: string
  readonly test: (get: FieldGetter) => boolean
}

/** What compiling a pattern found out, for the source rules around it. */
export interface CompileContext {
  /** The filter being compiled, for messages: `Filters[0]`. */
  readonly where: string
  /** Set when some rule compares numbers by equality (their text then matters: 300 is not 300.0). */
  numberEquality: boolean
}

const OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists'] // fact 72
const UNCONFIRMED = ['wildcard', 'cidr'] // EventBridge operators absent from Lambda's table (fact 73)

export function hasOwn(value: object, key: string): boolean {
  return Object.hasOwn(value, key)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonNumber)
}

/** Own properties only: a record's `constructor` or `__proto__` never comes from a prototype. */
export function ownGetter(value: unknown): FieldGetter {
  if (!isPlainObject(value)) return () => undefined
  return (key) => (hasOwn(value, key) ? value[key] : undefined)
}

export function invalid(context: CompileContext, path: string, reason: string): InvalidFilterPatternError {
  const at = path === '' ? '' : ` at ${path}`
  return new InvalidFilterPatternError(`Invalid filter pattern definition. ${context.where}${at}: ${reason}`)
}

function unconfirmed(context: CompileContext, path: string, what: string): InvalidFilterPatternError {
  return new InvalidFilterPatternError(
    `Unsupported filter pattern. ${context.where} at ${path}: ${what} is EventBridge syntax that Lambda's event filtering does not document ` +
      '(whether Lambda supports it is unconfirmed), so it is refused rather than guessed. Use prefix, suffix, equals-ignore-case, anything-but with values, numeric or exists.',
    true,
  )
}

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : value instanceof JsonNumber
        ? `the number ${value.text}`
        : typeof value === 'object'
          ? 'an object'
          : JSON.stringify(value)

function isNumber(value: unknown): value is number | JsonNumber {
  return typeof value === 'number' || value instanceof JsonNumber
}
const numberValue = (value: number | JsonNumber): number => (typeof value === 'number' ? value : value.value)
// A number from the event object (not from parsed data) has no text of its own: its shortest form stands for it.
const numberText = (value: number | JsonNumber): string => (typeof value === 'number' ? String(value) : value.text)

/** A value with no fields below it: what `exists` and the value rules look at. */
function isLeaf(value: unknown): boolean {
  return value !== undefined && (value === null || typeof value !== 'object' || value instanceof JsonNumber)
}

/** Equality on one literal: strings, booleans and null exactly; numbers by their text. */
function equals(literal: unknown, context: CompileContext): ValueTest {
  if (isNumber(literal)) {
    context.numberEquality = true
    const text = numberText(literal)
    return (v) => isNumber(v) && numberText(v) === text
  }
  return (v) => v === literal
}

const NUMERIC_OPS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
}

function numeric(spec: unknown, context: CompileContext, path: string): ValueTest {
  const bad = (reason: string): never => {
    throw invalid(context, path, `numeric ${reason}`)
  }
  if (!Array.isArray(spec) || spec.length === 0) bad(`takes a non-empty array such as [">", 0, "<=", 5]; received ${describe(spec)}.`)
  const terms = spec as unknown[]
  if (terms.length !== 2 && terms.length !== 4)
    bad(`takes one comparison or a range of two ([">", 0, "<=", 5]); received ${terms.length} elements.`)
  const checks: { op: (a: number, b: number) => boolean; bound: number }[] = []
  for (let i = 0; i < terms.length; i += 2) {
    const op = terms[i]
    const bound = terms[i + 1]
    if (typeof op !== 'string' || !hasOwn(NUMERIC_OPS, op)) bad(`operator must be one of =, <, <=, >, >=; received ${describe(op)}.`)
    if (!isNumber(bound)) bad(`value after ${String(op)} must be a number; received ${describe(bound)}.`)
    checks.push({ op: NUMERIC_OPS[op as string] as (a: number, b: number) => boolean, bound: numberValue(bound as number | JsonNumber) })
  }
  if (terms.length === 4) {
    if (!(terms[0] === '>' || terms[0] === '>=') || !(terms[2] === '<' || terms[2] === '<='))
      bad('range must be a lower bound (> or >=) then an upper bound (< or <=).')
    if ((checks[0] as { bound: number }).bound >= (checks[1] as { bound: number }).bound)
      bad('range must have its lower bound below its upper bound.')
  }
  return (v) => {
    if (!isNumber(v)) return false // strings never match numeric, DynamoDB N values included (fact 79)
    const n = numberValue(v)
    for (const c of checks) if (!c.op(n, c.bound)) return false
    return true
  }
}

function stringOperand(name: string, operand: unknown, context: CompileContext, path: string): string {
  if (isPlainObject(operand))
    throw unconfirmed(context, path, `{"${name}": {...}} (a nested matcher such as equals-ignore-case inside ${name})`)
  if (typeof operand !== 'string') throw invalid(context, path, `${name} takes a string; received ${describe(operand)}.`)
  return operand
}

function anythingBut(operand: unknown, context: CompileContext, path: string): ValueTest {
  if (isPlainObject(operand)) {
    const inner = Object.keys(operand).join(', ')
    throw unconfirmed(context, path, `anything-but with a matcher ({"anything-but": {"${inner}": ...}})`)
  }
  const values = Array.isArray(operand) ? operand : [operand]
  if (values.length === 0)
    throw invalid(context, path, 'anything-but takes a string, a number or a non-empty array of them; received an empty array.')
  const tests = values.map((v) => {
    if (typeof v !== 'string' && !isNumber(v))
      throw invalid(context, path, `anything-but takes strings or numbers; received ${describe(v)}.`)
    return equals(v, context)
  })
  // The field must be there and be a value (fact 74: a missing field matches only exists: false).
  return (v) => isLeaf(v) && !tests.some((t) => t(v))
}

function rule(r: unknown, context: CompileContext, path: string): ValueTest {
  if (r === null || typeof r === 'string' || typeof r === 'boolean' || isNumber(r)) return equals(r, context)
  if (Array.isArray(r)) throw invalid(context, path, 'a rule inside a rule array cannot be an array.')
  if (!isPlainObject(r))
    throw invalid(context, path, `a rule must be a string, number, true, false, null or an operator object; received ${describe(r)}.`)
  const keys = Object.keys(r)
  if (keys.length !== 1)
    throw invalid(context, path, `an operator object holds exactly one operator; received ${keys.length === 0 ? 'none' : keys.join(', ')}.`)
  const name = keys[0] as string
  const operand = r[name]
  if (UNCONFIRMED.includes(name)) throw unconfirmed(context, path, `the ${name} operator`)
  if (!OPERATORS.includes(name))
    throw invalid(context, path, `unknown operator ${JSON.stringify(name)}; Lambda supports ${OPERATORS.join(', ')}.`)
  switch (name) {
    case 'prefix': {
      const p = stringOperand(name, operand, context, path)
      return (v) => typeof v === 'string' && v.startsWith(p)
    }
    case 'suffix': {
      const s = stringOperand(name, operand, context, path)
      return (v) => typeof v === 'string' && v.endsWith(s)
    }
    case 'equals-ignore-case': {
      const lower = stringOperand(name, operand, context, path).toLowerCase()
      return (v) => typeof v === 'string' && v.toLowerCase() === lower
    }
    case 'anything-but':
      return anythingBut(operand, context, path)
    case 'numeric':
      return numeric(operand, context, path)
    default: {
      if (typeof operand !== 'boolean') throw invalid(context, path, `exists takes true or false; received ${describe(operand)}.`)
      // Leaf nodes only (fact 80): a field holding an object does not "exist" for this rule.
      return operand ? isLeaf : (v) => !isLeaf(v)
    }
  }
}

/** A rule array: OR across its rules; an array in the event matches when one of its elements does. */
export function compileRules(rules: unknown, context: CompileContext, path: string): ValueTest {
  if (!Array.isArray(rules)) throw invalid(context, path, `a rule value must be an array, such as ["a", "b"]; received ${describe(rules)}.`)
  if (rules.length === 0) throw invalid(context, path, 'a rule array cannot be empty.')
  const tests = rules.map((r) => rule(r, context, path))
  const one: ValueTest = tests.length === 1 ? (tests[0] as ValueTest) : (v) => tests.some((t) => t(v))
  return function matchValue(v: unknown): boolean {
    if (!Array.isArray(v)) return one(v)
    if (v.length === 0) return one(undefined)
    return v.some((e) => matchValue(e))
  }
}

/** A nested object pattern applied to a field: arrays match when one element does. */
export function nested(test: ObjectTest): (value: unknown) => boolean {
  return function matchNested(value: unknown): boolean {
    if (Array.isArray(value)) return value.length === 0 ? test(ownGetter(undefined)) : value.some((e) => matchNested(e))
    return test(ownGetter(value))
  }
}

/**
 * Compiles an object pattern. `special` lets a source take over a top-level field (Kinesis `data`,
 * SQS `body`); it returns `undefined` to leave a field to the generic rules.
 */
export function compileObject(
  pattern: unknown,
  context: CompileContext,
  path: string,
  special?: (key: string, value: unknown, path: string) => Field | undefined,
): ObjectTest {
  if (!isPlainObject(pattern)) throw invalid(context, path, `a pattern must be a JSON object; received ${describe(pattern)}.`)
  const fields: Field[] = []
  let ors: ObjectTest[] = []
  for (const key of Object.keys(pattern)) {
    const value = pattern[key]
    const at = path === '' ? key : `${path}.${key}`
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw invalid(context, at, '$or takes an array of at least two patterns.')
      ors = value.map((p: unknown, i) => compileObject(p, context, `${at}[${i}]`, special))
      continue
    }
    const own = special?.(key, value, at)
    if (own !== undefined) {
      fields.push(own)
    } else if (isPlainObject(value)) {
      const inner = nested(compileObject(value, context, at))
      fields.push({ key, test: (get) => inner(get(key)) })
    } else {
      const test = compileRules(value, context, at)
      fields.push({ key, test: (get) => test(get(key)) })
    }
  }
  return (get) => {
    for (const f of fields) if (!f.test(get)) return false
    return ors.length === 0 || ors.some((o) => o(get))
  }
}
