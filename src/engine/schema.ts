import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { RecordFailure } from './outcome.js'

/** Any Standard Schema validator: zod 4, valibot, arktype, ... */
export type Schema<Input = unknown, Output = Input> = StandardSchemaV1<Input, Output>
/** The type a schema produces: what the record function receives. */
export type InferOutput<S extends Schema> = StandardSchemaV1.InferOutput<S>
/** The type a schema accepts: what the test kit's event builders take. */
export type InferInput<S extends Schema> = StandardSchemaV1.InferInput<S>

/**
 * The schema inside a handler's first argument, which is either a schema or `{ schema, ...options }`.
 * Inferring the whole argument (rather than the schema alone) keeps option callbacks typed: a zod 4
 * schema has a `decode` method that would otherwise clash with the `decode` option.
 */
export type SchemaOf<O> = O extends Schema ? O : O extends { readonly schema: infer S extends Schema } ? S : never

/**
 * Thrown inside a source's `payload` step to mark the record invalid; the engine turns it into an
 * outcome. `detail` holds the validator's or decoder's own words when they may quote the payload:
 * logged only under the `logPayloads` option, never put into the reason.
 */
export class InvalidRecord extends Error {
  constructor(
    readonly failure: RecordFailure,
    readonly detail?: string,
  ) {
    const limit = stackTraces(0)
    super(failure.message)
    stackTraces(limit)
  }
}

/**
 * Sets `Error.stackTraceLimit`, returning what it was. The errors made for a bad record say in
 * their message what is wrong, and a stack of the library's own frames costs ~4.5 µs to capture
 * (bench/PROFILE.md, eighth pass), which a batch of bad records would pay per record: they are
 * made without one. Where the limit cannot be set (a frozen `Error`), nothing changes.
 */
export function stackTraces(limit: number | undefined): number | undefined {
  try {
    const was = Error.stackTraceLimit
    Error.stackTraceLimit = limit as number // undefined when it was so: V8 then captures no stack, as when it is absent
    return was
  } catch {
    return undefined
  }
}

export function isSchema(value: unknown): value is Schema {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function'
  )
}

/** What stands for a key the data gave (a `z.record` or `z.map` key) in a reason's path: such a key is data. */
export const DATA_KEY = '<key>'

/** The most characters of one key a path shows; a longer key is cut, saying how long it was. */
const KEY_CHARS = 64

function bounded(key: string): string {
  return key.length <= KEY_CHARS ? key : `${key.slice(0, KEY_CHARS)}…(${key.length} characters)`
}

/**
 * `items[0].price` from a Standard Schema issue path. Where `fromData[i]` is true, segment `i` is
 * a key the data gave and shows as `<key>`; every key is cut after 64 characters.
 */
export function formatPath(path: StandardSchemaV1.Issue['path'], fromData: readonly boolean[] = []): string | undefined {
  if (path === undefined || path.length === 0) return undefined
  let out = ''
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as (typeof path)[number]
    const key = typeof segment === 'object' ? segment.key : segment
    if (fromData[i] === true) out += out === '' ? DATA_KEY : `.${DATA_KEY}`
    else if (typeof key === 'number') out += `[${key}]`
    else if (typeof key === 'symbol') out += `[${bounded(key.toString())}]`
    else out += out === '' ? bounded(key) : `.${bounded(key)}`
  }
  return out
}

interface ZodDef {
  readonly type?: string
  readonly shape?: Readonly<Record<string, unknown>>
  readonly catchall?: unknown
  readonly valueType?: unknown
  readonly element?: unknown
  readonly items?: readonly unknown[]
  readonly rest?: unknown
  readonly options?: readonly unknown[]
  readonly innerType?: unknown
  readonly in?: unknown
  readonly getter?: () => unknown
}

function defOf(schema: unknown): ZodDef | undefined {
  try {
    return (schema as { _zod?: { def?: ZodDef } } | null | undefined)?._zod?.def
  } catch {
    return undefined
  }
}

/** A zod schema without its wrappers (optional, nullable, default, catch, readonly, pipe, lazy...). */
function unwrapped(schema: unknown): ZodDef | undefined {
  let def = defOf(schema)
  for (let n = 0; def !== undefined && n < 64; n++) {
    const inner = def.innerType ?? def.in ?? (def.type === 'lazy' ? def.getter?.() : undefined)
    if (inner === undefined) break
    def = defOf(inner)
  }
  return def
}

/**
 * Which segments of an issue's path are keys the data gave rather than the schema: a record's, a
 * map's, an object's catch-all key. zod 4 schemas are read along the path; valibot marks such
 * segments itself (`type: 'record'` or `'map'`). Other validators' keys are kept, cut after 64
 * characters.
 */
function dataKeys(schema: Schema, path: StandardSchemaV1.Issue['path']): boolean[] {
  const fromData: boolean[] = []
  let current: unknown = schema
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' ? segment.key : segment
    const marked = (segment as { type?: unknown }).type
    if (marked === 'record' || marked === 'map') {
      fromData.push(true)
      continue
    }
    const def = current === undefined ? undefined : unwrapped(current)
    const type = def?.type
    if (type === 'object' || type === 'union') {
      // A union: the first of its object options that declares the key.
      const objects = type === 'object' ? [def as ZodDef] : (def?.options ?? []).map(unwrapped)
      const owner = objects.find(
        (o) => o?.type === 'object' && typeof key === 'string' && o.shape !== undefined && Object.hasOwn(o.shape, key),
      )
      fromData.push(owner === undefined)
      current = owner === undefined ? (objects[0]?.catchall ?? undefined) : owner.shape?.[key as string]
    } else if (type === 'record' || type === 'map') {
      fromData.push(true)
      current = def?.valueType
    } else if (type === 'array' || type === 'tuple') {
      fromData.push(false)
      current = type === 'array' ? def?.element : (def?.items?.[key as number] ?? def?.rest)
    } else {
      // Not a zod schema here (another validator, or a part of zod not read): a key is kept.
      fromData.push(defOf(schema) !== undefined && typeof key !== 'number')
      current = undefined
    }
  }
  return fromData
}

/**
 * A validator's message without the parts that quote the payload. zod 4's messages name the
 * expected type, not the value, except for unknown keys (`Unrecognized key: "<key>"`), whose names
 * come from the data; valibot (`... but received "<value>"`) and arktype (`... (was "<value>")`)
 * quote the value, which is cut.
 */
function withoutPayload(issue: StandardSchemaV1.Issue): string {
  const { code, keys } = issue as { code?: unknown; keys?: unknown }
  if (code === 'unrecognized_keys') {
    const count = Array.isArray(keys) ? keys.length : 0
    return count > 1 ? `${count} keys that the schema does not know` : 'a key that the schema does not know'
  }
  const message = typeof issue.message === 'string' ? issue.message : 'invalid'
  const at = message.search(/,? but received |\s\(was /)
  return at === -1 ? message : message.slice(0, at)
}

function failureOf(issues: readonly StandardSchemaV1.Issue[], what: string, schema: Schema): InvalidRecord {
  const first = issues[0]
  // The reason shows no key the data gave; the detail (logged only under `logPayloads`) does.
  const path = first === undefined ? undefined : formatPath(first.path, dataKeys(schema, first.path))
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : ''
  const message = `${what} does not match the schema${path === undefined ? '' : ` at ${path}`}: ${first === undefined ? 'invalid' : withoutPayload(first)}${more}`
  const detail = issues.map((issue) => `${formatPath(issue.path) ?? '(root)'}: ${String(issue.message)}`).join('; ')
  return new InvalidRecord(path === undefined ? { kind: 'validation', message } : { kind: 'validation', path, message }, detail)
}

/**
 * Validates `value`, returning the schema's output or throwing {@link InvalidRecord}. Stays
 * synchronous when the validator is, so the common path costs no extra promise.
 */
export function validate<S extends Schema>(schema: S, value: unknown, what = 'The record'): InferOutput<S> | Promise<InferOutput<S>> {
  const result = schema['~standard'].validate(value)
  return result instanceof Promise ? result.then((r) => outputOf(r, what, schema)) : outputOf(result, what, schema)
}

function outputOf<O>(result: StandardSchemaV1.Result<O>, what: string, schema: Schema): O {
  if (result.issues) throw failureOf(result.issues, what, schema)
  return result.value
}
