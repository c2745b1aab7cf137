/**
 * Tumbling windows, for any stream source. A window wraps the engine:
 *
 *   event ─► check the window fields ─► state in (validated, or `initial()` when Lambda sends `{}`)
 *         ─► the engine runs the batch in order, each record's `reduce` folding into the state
 *         ─► any failure: throw (the state returned last time stands)
 *         ─► state out (encoded by a zod codec or checked by the schema, JSON-checked, at most 1 MB)
 *         ─► on the final invocation, `onWindowEnd` ─► `{ state, batchItemFailures: [] }`
 *
 * A source gives its definition, the one its plain handler reads.
 */
import type { Context } from 'aws-lambda'
import { createProcessor, type Reporting, type Source } from '../engine/engine.js'
import { ConfigurationError, MalformedEventError } from '../engine/errors.js'
import { quietLogger, type RecordLogger } from '../engine/logger.js'
import { tagHandler } from '../engine/handler-info.js'
import { checkOptions, describeValue, type CommonOptions, type OptionRule } from '../engine/options.js'
import { isReported, toError } from '../engine/outcome.js'
import { formatPath, InvalidRecord, isSchema, validate, type InferOutput, type Schema } from '../engine/schema.js'
import { WindowEndError, WindowRecordError, WindowStateError } from './errors.js'

/** A JSON value, as the window state travels between invocations. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject

/**
 * A JSON object. A property may be `undefined` in TypeScript (an optional field): JSON leaves it
 * out, as the schema's optional field expects.
 */
export interface JsonObject {
  readonly [key: string]: JsonValue | undefined
}

/**
 * A schema for the window state. Its input is the JSON object Lambda carries (any JSON
 * object); its output is what `reduce` and `onWindowEnd` see, and may differ through a codec
 * (`z.codec`, for a `Date`, a `Map`, a `bigint`).
 */
export type StateSchema = Schema<JsonObject, unknown>

/** The fields Lambda adds to a stream event when the mapping has `TumblingWindowInSeconds`. */
export interface WindowFields {
  /** The window's bounds, ISO-8601 UTC strings such as `"2020-12-09T07:04:00Z"`. */
  window: { start: string; end: string }
  /** The state the previous invocation of this window returned; `{}` when the window opens. */
  state?: { [key: string]: unknown }
  shardId: string
  eventSourceARN?: string
  /** True on the window's last invocation: the moment to act on the aggregate. */
  isFinalInvokeForWindow: boolean
  /** True when Lambda closed the window early, for example because the state passed 1 MB. */
  isWindowTerminatedEarly: boolean
}

/** What a window handler returns: the state to carry on and an always empty failure list. */
export interface WindowResponse<State> {
  /** The state, in its JSON form; Lambda hands it to the next invocation of the window. */
  state: State
  /** Always empty: a failure fails the whole invocation instead (see {@link WindowRecordError}). */
  batchItemFailures: { itemIdentifier: string }[]
}

/** A window handler: Lambda's windowed stream event in, `{ state, batchItemFailures }` out. */
export type WindowHandler<E, State> = (event: E, context?: Context) => Promise<WindowResponse<State>>

/** What `onWindowEnd` learns about the window besides its state. */
export interface WindowInfo {
  readonly start: Date
  readonly end: Date
  readonly shardId: string
  /** The stream's ARN, when the event carries it. */
  readonly eventSourceARN: string | undefined
  /** The event's `isWindowTerminatedEarly`: Lambda ended the window before its time. */
  readonly terminatedEarly: boolean
  /** The Lambda context, when the handler was given one. */
  readonly context: Context | undefined
  readonly logger: RecordLogger
}

/**
 * The options every window handler takes. `S` is the record schema, `St` the state schema, `Rec`
 * the source's raw record, `M` its record meta and `P` what `reduce` receives for a record (the
 * schema's output, or for DynamoDB the typed change built around it).
 */
export interface WindowOptions<S extends Schema, St extends StateSchema, Rec, M, P = InferOutput<S>>
  extends Pick<CommonOptions<S, Rec>, 'schema' | 'onInvalid' | 'deadlineMarginMs' | 'logger' | 'logPayloads'> {
  /** The schema of the state Lambda carries between invocations; the incoming state is validated by it. */
  readonly state: St
  /** The state when a window opens (Lambda then sends `{}`). */
  readonly initial: () => InferOutput<St>
  /**
   * Folds one record into the state and returns the new state (it may change `state` in place and
   * return it). Runs once per record, in order. It may be async. Keep it free of side effects: a
   * failed invocation is retried, and side effects belong in `onWindowEnd`.
   */
  readonly reduce: (state: InferOutput<St>, payload: P, meta: M) => InferOutput<St> | Promise<InferOutput<St>>
  /**
   * Runs once the window's final invocation has reduced its records, with the whole aggregate.
   * If it throws, the invocation fails and Lambda retries it, so it can run more than once: make
   * it idempotent (the window's start and the shard id make a good key).
   */
  readonly onWindowEnd: (state: InferOutput<St>, window: WindowInfo) => unknown
}

/** Lambda keeps at most 1 MB of state per shard; AWS's Lambda limits count MB as 2^20 bytes. */
export const MAX_STATE_BYTES = 1024 * 1024

/**
 * Window state nested deeper than this many levels of objects and arrays is refused, in and out:
 * a schema or `JSON.stringify` would run out of stack on it long before 1 MB.
 */
export const MAX_STATE_DEPTH = 256

const WINDOW_KEYS = ['schema', 'state', 'initial', 'reduce', 'onWindowEnd', 'onInvalid', 'deadlineMarginMs', 'logger', 'logPayloads']
const ENGINE_ONLY = ['ordering', 'concurrency', 'allFailed']

function checkWindowOptions(name: string, options: unknown, rules: Readonly<Record<string, OptionRule>>): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`${name}: ${message}`)
  }
  if (typeof options !== 'object' || options === null) {
    fail(`expected an options object { schema, state, initial, reduce, onWindowEnd }; received ${describeValue(options)}.`)
  }
  const o = options as Record<string, unknown>
  for (const key of ENGINE_ONLY) {
    if (key in o) {
      fail(
        `\`${key}\` does not apply to a window: records are reduced one at a time, in order, and any failure fails the whole invocation.`,
      )
    }
  }
  checkOptions(name, o, rules, 'in-order', WINDOW_KEYS)
  if (!isSchema(o.state)) {
    fail(
      `\`state\` must be a Standard Schema validator for the window state (for example z.record(z.string(), z.number())); received ${describeValue(o.state)}.`,
    )
  }
  for (const key of ['initial', 'reduce', 'onWindowEnd']) {
    if (typeof o[key] !== 'function') fail(`\`${key}\` must be a function; received ${describeValue(o[key])}.`)
  }
}

interface WindowEvent {
  readonly start: Date
  readonly end: Date
  readonly state: Record<string, unknown> | undefined
  readonly shardId: string
  readonly eventSourceARN: string | undefined
  readonly final: boolean
  readonly terminatedEarly: boolean
}

/** Reads the window fields of an event, or throws `MalformedEventError` naming the first bad one. */
function readWindowEvent(name: string, event: unknown): WindowEvent {
  try {
    return readWindowFields(name, event)
  } catch (e) {
    if (e instanceof MalformedEventError) throw e
    throw new MalformedEventError(`${name} could not read the tumbling-window fields of the event: reading them threw.`, { cause: e })
  }
}

function readWindowFields(name: string, event: unknown): WindowEvent {
  const fail = (what: string): never => {
    throw new MalformedEventError(
      `${name} expected a tumbling-window event (${what}); is TumblingWindowInSeconds set on the event source mapping?`,
    )
  }
  if (typeof event !== 'object' || event === null) return fail(`received ${describeValue(event)}`)
  const e = event as Partial<Record<keyof WindowFields, unknown>>
  const w = e.window as { start?: unknown; end?: unknown } | undefined
  if (typeof w !== 'object' || w === null) return fail(`\`window\` is ${describeValue(w)}`)
  const date = (field: 'start' | 'end'): Date => {
    const value = w[field]
    const d = typeof value === 'string' ? new Date(value) : undefined
    return d === undefined || Number.isNaN(d.getTime()) ? fail(`\`window.${field}\` is not an ISO-8601 time: ${describeValue(value)}`) : d
  }
  const start = date('start')
  const end = date('end')
  // The DefinitelyTyped event marks `state` optional; a missing state is read as an empty one.
  const state = e.state ?? undefined
  // A revoked Proxy throws even on Array.isArray: it goes on, and reading it fails as a WindowStateError.
  const isArray = (): boolean => {
    try {
      return Array.isArray(state)
    } catch {
      return false
    }
  }
  if (state !== undefined && (typeof state !== 'object' || isArray())) fail(`\`state\` must be an object; it is ${describeValue(state)}`)
  if (typeof e.shardId !== 'string') fail(`\`shardId\` is ${describeValue(e.shardId)}`)
  for (const flag of ['isFinalInvokeForWindow', 'isWindowTerminatedEarly'] as const) {
    if (typeof e[flag] !== 'boolean') fail(`\`${flag}\` must be true or false; it is ${describeValue(e[flag])}`)
  }
  return {
    start,
    end,
    state: state as Record<string, unknown> | undefined,
    shardId: e.shardId as string,
    eventSourceARN: typeof e.eventSourceARN === 'string' ? e.eventSourceARN : undefined,
    final: e.isFinalInvokeForWindow as boolean,
    terminatedEarly: e.isWindowTerminatedEarly as boolean,
  }
}

function pathTo(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
}

function kindOf(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor
  const cname = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'an object with a prototype'
  return /^[AEIOU]/.test(cname) ? `an ${cname}` : `a ${cname}`
}

/**
 * Where a value stops being JSON, as a sentence about the first place that does not survive
 * `JSON.stringify` unchanged; `undefined` when it survives. Object properties set to `undefined`
 * are left out, as JSON does (the round trip through the schema then decides whether that is fine).
 */
export function jsonProblem(value: unknown, path = 'state', ancestors: object[] = []): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON turns into null`
    case 'bigint':
      return `${path} is a bigint, which JSON cannot hold; store it as a string, or give the state schema a codec (z.codec) that does`
    case 'undefined':
      return `${path} is undefined, which JSON turns into null or leaves out`
    case 'function':
    case 'symbol':
      return `${path} is a ${typeof value}, which JSON leaves out`
  }
  if (value === null) return undefined
  const object = value as object
  if (ancestors.includes(object)) return `${path} refers back to itself, which JSON cannot hold`
  // A codec may nest deeper than the state it encodes: stop before the stack does.
  if (ancestors.length >= MAX_STATE_DEPTH) return `the state is nested more than ${MAX_STATE_DEPTH} levels deep`
  ancestors.push(object)
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        if (!(i in object)) return `${path}[${i}] is an empty slot, which JSON turns into null`
        const problem = jsonProblem(object[i], `${path}[${i}]`, ancestors)
        if (problem !== undefined) return problem
      }
      return undefined
    }
    const proto = Object.getPrototypeOf(object) as unknown
    if (proto !== Object.prototype && proto !== null) {
      const becomes = object instanceof Date ? 'a string' : '{}'
      return `${path} is ${kindOf(object)}, which JSON turns into ${becomes}; keep the state plain JSON, or give the state schema a codec (z.codec) that encodes it`
    }
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function')
      return `${path} has a toJSON method, so JSON would not store it as it is`
    for (const [key, v] of Object.entries(object)) {
      if (v === undefined) continue
      const problem = jsonProblem(v, pathTo(path, key), ancestors)
      if (problem !== undefined) return problem
    }
    return undefined
  } finally {
    ancestors.pop()
  }
}

/** A place in a state being surveyed: the value, how deep it is, and how it was reached. */
interface Place {
  readonly value: object
  readonly depth: number
  readonly parent: Place | undefined
  /** The key or index in the parent; `undefined` under a Map or a Set, where a path cannot follow. */
  readonly key: string | number | undefined
}

const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

function pathOf(place: Place): string {
  const keys: (string | number)[] = []
  for (let p: Place | undefined = place; p?.parent !== undefined; p = p.parent) keys.push(p.key ?? '?')
  const path = keys.reverse().reduce<string>((at, k) => (typeof k === 'number' ? `${at}[${k}]` : pathTo(at, k)), 'state')
  return path.length > 120 ? `${path.slice(0, 117)}...` : path
}

/** The keys of a place's value to follow, from the root, or `undefined` when a Map or a Set is on the way. */
function keysOf(place: Place): (string | number)[] | undefined {
  const keys: (string | number)[] = []
  for (let p: Place | undefined = place; p?.parent !== undefined; p = p.parent) {
    if (p.key === undefined) return undefined
    keys.push(p.key)
  }
  return keys.reverse()
}

/**
 * Walks a state without recursion, through plain objects, arrays, Maps and Sets. Returns a sentence
 * when the state is nested more than {@link MAX_STATE_DEPTH} levels deep or refers back to itself
 * (a schema or JSON would overflow the stack on it), and the places of the objects with an own
 * `__proto__` key (and of the Maps with that key), which zod and `Object.assign` drop. Throws what
 * a getter or a Proxy throws.
 */
function survey(state: object): { problem?: string; protoKeys: Place[] } {
  const protoKeys: Place[] = []
  const seen = new Map<object, number>() // how deep each object was reached, to go again only deeper
  const stack: Place[] = [{ value: state, depth: 1, parent: undefined, key: undefined }]
  const push = (place: Place, value: unknown, key: string | number | undefined): void => {
    if (typeof value === 'object' && value !== null) stack.push({ value, depth: place.depth + 1, parent: place, key })
  }
  for (let place = stack.pop(); place !== undefined; place = stack.pop()) {
    const { value } = place
    const before = seen.get(value)
    if (before !== undefined) {
      for (let p = place.parent; p !== undefined; p = p.parent)
        if (p.value === value) return { problem: `${pathOf(place)} refers back to itself, which JSON cannot hold`, protoKeys }
      if (before >= place.depth) continue // the same object twice, side by side: already surveyed that deep
    }
    seen.set(value, place.depth)
    if (place.depth > MAX_STATE_DEPTH) return { problem: `is nested more than ${MAX_STATE_DEPTH} levels deep`, protoKeys }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) push(place, value[i], i)
    } else if (value instanceof Map) {
      if (value.has('__proto__')) protoKeys.push(place)
      for (const v of value.values()) push(place, v, undefined)
    } else if (value instanceof Set) {
      for (const v of value) push(place, v, undefined)
    } else if (isPlain(value)) {
      for (const key of Object.keys(value)) {
        if (key === '__proto__') protoKeys.push(place)
        push(place, (value as Record<string, unknown>)[key], key)
      }
    }
  }
  return { protoKeys }
}

/**
 * Whether the other side of a state has lost the `__proto__` key that `from` (a plain object or a
 * Map) had, at the same `keys` in `root`: true when they lead to an object or a Map without it
 * and with no key `from` did not have (the same keys, less some: a record or a stripping object
 * dropped it); false when it is there; `undefined` when a codec changed the shape there.
 */
function lostProto(root: unknown, keys: readonly (string | number)[], from: object): boolean | undefined {
  let at: unknown = root
  for (const k of keys) {
    if (typeof at !== 'object' || at === null || !(Array.isArray(at) || isPlain(at)) || !Object.hasOwn(at, k)) return undefined
    at = (at as Record<string | number, unknown>)[k]
  }
  if (typeof at !== 'object' || at === null) return undefined
  const kept = at instanceof Map ? [...at.keys()] : isPlain(at) ? Object.keys(at) : undefined
  if (kept === undefined) return undefined
  if (kept.includes('__proto__')) return false
  const had = new Set<unknown>(from instanceof Map ? from.keys() : Object.keys(from))
  return kept.every((k) => had.has(k)) ? true : undefined
}

const PROTO_ADVICE =
  "(zod drops `__proto__` keys from objects and records). Keep keys that come from data, such as partition keys, in a Map whose JSON form is a list of entries, as the README's tumbling-window example does"

/** The message of anything thrown, even by an error whose `message` cannot be read. */
function messageOf(e: unknown): string {
  try {
    return toError(e).message
  } catch {
    return 'an error whose message cannot be read'
  }
}

/** The first issue of a validation result or a thrown schema error (zod's `ZodError` has `issues`), as "at path: message". */
function describeIssues(e: unknown): string {
  const issues = (e as { issues?: { path?: PropertyKey[]; message?: string }[] } | null)?.issues
  const first = Array.isArray(issues) ? issues[0] : undefined
  if (first === undefined) return toError(e).message
  const path = formatPath(first.path as never)
  return `${path === undefined ? '' : `at ${path}: `}${first.message ?? 'invalid'}`
}

/**
 * zod 4 schemas can encode (`schema.encode`, which runs codecs backwards and checks both sides),
 * so a state with a `Date` or a `Map` behind a `z.codec` goes back to its JSON form, checked.
 * Other validators have no standard way to encode: their state must be JSON as it is, and is
 * checked by validating it. `undefined` when the schema cannot encode.
 */
function stateEncoder(name: string, schema: StateSchema): ((state: unknown) => unknown) | undefined {
  const s = schema as StateSchema & { encode?: unknown }
  if (s['~standard'].vendor !== 'zod' || typeof s.encode !== 'function') return undefined
  const encode = s.encode.bind(s) as (state: unknown) => unknown
  return (state) => {
    try {
      return encode(state)
    } catch (e) {
      if (toError(e).message.includes('unidirectional transform')) {
        throw new WindowStateError(
          `${name}: the state schema has a one-way transform, so the state cannot be turned back into JSON for Lambda. Use z.codec(...) with an encode function, or keep the state plain JSON.`,
          { cause: e },
        )
      }
      if (!Array.isArray((e as { issues?: unknown } | null)?.issues)) throw e
      throw stateMismatch(name, describeIssues(e), e)
    }
  }
}

function stateMismatch(name: string, issue: string, cause: unknown): WindowStateError {
  return new WindowStateError(
    `${name}: the state after this batch does not match the \`state\` schema (${issue}), so the next invocation could not read it; the invocation fails, so the state returned last time stands.`,
    { cause },
  )
}

/** A window reports nothing per record: a reported record fails the whole invocation, and the last good state stands. */
const FAILS_INVOCATION: Reporting = {
  one: '; the invocation fails, so the last good state stands',
  many: '; the invocation fails, so the last good state stands',
  summary: (reported) => (reported === 0 ? 'the invocation succeeds' : 'the invocation fails, so the last good state stands'),
}

function isEmptyObject(value: Record<string, unknown>): boolean {
  for (const _ in value) return false
  return true
}

/**
 * Builds a window handler named `name` for one source, from the same definition its plain handler
 * reads. The record parser is built and the options are checked here, once; each invocation
 * builds a small engine processor around its own state.
 */
export function windowHandler<Rec, M, O extends WindowOptions<Schema, StateSchema, Rec, M, unknown>>(
  name: string,
  source: Source<Rec, M, O>,
  options: O,
): WindowHandler<unknown, JsonObject> {
  checkWindowOptions(name, options, source.options)
  const parse = source.parser(options)
  const read = { ...source, records: (event: unknown) => source.records(event, options) }
  const { state: stateSchema, initial, reduce, onWindowEnd } = options
  const encode = stateEncoder(name, stateSchema)
  const settings = {
    ordering: 'in-order',
    concurrency: 1,
    onInvalid: options.onInvalid ?? 'fail',
    allFailed: 'report',
    deadlineMarginMs: options.deadlineMarginMs ?? 1000,
    logger: options.logger ?? quietLogger,
    reporting: FAILS_INVOCATION,
    logPayloads: options.logPayloads ?? false,
  } as const
  const logger = options.logger ?? quietLogger

  async function incomingState(state: Record<string, unknown> | undefined): Promise<unknown> {
    const fail = (problem: string, cause?: unknown): never => {
      throw new WindowStateError(
        `${name}: the incoming window state ${problem}. It is the state the previous invocation returned; the window cannot go on with it.`,
        { cause },
      )
    }
    let output: unknown
    let protoKeys: Place[]
    try {
      if (state === undefined || isEmptyObject(state)) return initial() // Lambda opens a window with {}
      const surveyed = survey(state)
      if (surveyed.problem !== undefined) fail(surveyed.problem)
      protoKeys = surveyed.protoKeys
      output = await validate(stateSchema, state, 'The incoming window state')
    } catch (e) {
      if (e instanceof WindowStateError) throw e
      if (e instanceof RangeError) return fail('is nested too deeply for the state schema to read', e)
      if (!(e instanceof InvalidRecord)) return fail(`cannot be read: ${messageOf(e)}`, e)
      throw new WindowStateError(
        `${name}: ${e.failure.message}. It is the state the previous invocation returned: did the state schema change ` +
          'while a window was open? The window cannot go on until the schema accepts it.',
        { cause: e },
      )
    }
    // A key the schema dropped would be lost without a trace: `undefined` (the shape changed) counts as lost too.
    for (const place of protoKeys) {
      const keys = keysOf(place)
      if (keys === undefined || lostProto(output, keys, place.value) !== false)
        fail(`has a \`__proto__\` key at ${pathOf(place)}, which the state schema dropped ${PROTO_ADVICE}`)
    }
    return output
  }

  /** The state's JSON form, checked so that the next invocation can read it. */
  async function outgoingState(state: unknown): Promise<JsonObject> {
    try {
      return await toJsonState(state)
    } catch (e) {
      if (e instanceof WindowStateError) throw e
      // A codec may nest its JSON form deeper than the state: the schema's own check then overflows.
      const problem = e instanceof RangeError ? 'is nested too deeply for the state schema to encode' : `cannot be read: ${messageOf(e)}`
      throw new WindowStateError(`${name}: the window state ${problem}. The invocation fails, so the state returned last time stands.`, {
        cause: e,
      })
    }
  }

  async function toJsonState(state: unknown): Promise<JsonObject> {
    const fail = (problem: string): never => {
      throw new WindowStateError(`${name}: the window state ${problem}. The invocation fails, so the state returned last time stands.`)
    }
    if (state === undefined)
      throw new WindowStateError(`${name}: the window state is undefined: \`initial\` and \`reduce\` must return the state.`)
    const surveyed = typeof state === 'object' && state !== null ? survey(state) : { protoKeys: [] }
    if (surveyed.problem !== undefined) fail(surveyed.problem)
    const json = encode === undefined ? state : encode(state)
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new WindowStateError(
        `${name}: the window state must be a JSON object (Lambda carries an object); it is ${describeValue(json)}.`,
      )
    }
    if (json !== state) {
      for (const place of surveyed.protoKeys) {
        const keys = keysOf(place)
        if (keys !== undefined && lostProto(json, keys, place.value) === true)
          fail(`has a \`__proto__\` key at ${pathOf(place)}, which the state schema dropped when encoding it ${PROTO_ADVICE}`)
      }
    }
    const problem = jsonProblem(json)
    if (problem !== undefined) throw new WindowStateError(`${name}: the window state cannot travel to Lambda as JSON: ${problem}.`)
    const bytes = Buffer.byteLength(JSON.stringify(json), 'utf8')
    if (bytes > MAX_STATE_BYTES) {
      throw new WindowStateError(
        `${name}: the window state is ${bytes.toLocaleString('en-US')} bytes as JSON; Lambda keeps at most 1 MB ` +
          `(${MAX_STATE_BYTES.toLocaleString('en-US')} bytes) per shard. Keep a smaller aggregate, or a shorter window.`,
        { bytes },
      )
    }
    // zod's encode has checked both sides already; other validators check the JSON form here.
    if (encode === undefined) {
      const result = await stateSchema['~standard'].validate(json)
      if (result.issues !== undefined) throw stateMismatch(name, describeIssues(result), result.issues)
    }
    return json as JsonObject
  }

  const { streamViewType } = options as { streamViewType?: string }
  return tagHandler(windowedHandler, {
    source: source.name.replace(/Handler$/, ''),
    ordering: 'in-order',
    reportsPartialFailures: true,
    window: true,
    ...(streamViewType === undefined && source.name !== 'dynamodbHandler'
      ? {}
      : { streamViewType: streamViewType ?? 'NEW_AND_OLD_IMAGES' }),
  })

  async function windowedHandler(event: Parameters<WindowHandler<unknown, JsonObject>>[0], context?: Context) {
    const w = readWindowEvent(name, event)
    let state = await incomingState(w.state)
    const advance = (next: unknown): void => {
      if (next === undefined) throw new Error('`reduce` returned undefined; it must return the new state.')
      state = next
    }
    // Stays synchronous when reduce is, as the engine does for the record function.
    const step = (payload: unknown, meta: M): void | Promise<void> => {
      // reduce logs through the user's logger as it is, not through the engine's rewording.
      const next = reduce(state as never, payload as never, { ...meta, logger })
      return typeof (next as { then?: unknown } | null)?.then === 'function' ? Promise.resolve(next).then(advance) : advance(next)
    }
    const report = await createProcessor(read, parse, step, settings)(event, context)
    const failed = report.outcomes.find(isReported)
    if (failed !== undefined) {
      const error = new WindowRecordError(name, report.outcomes, failed)
      logger.error(error.message, { shardId: w.shardId, records: report.outcomes.length })
      throw error
    }
    // Checked before onWindowEnd, so a state Lambda would refuse fails before any side effect.
    const json = await outgoingState(state)
    if (w.final) {
      const info: WindowInfo = {
        start: w.start,
        end: w.end,
        shardId: w.shardId,
        eventSourceARN: w.eventSourceARN,
        terminatedEarly: w.terminatedEarly,
        context,
        logger,
      }
      try {
        await onWindowEnd(state as never, info)
      } catch (e) {
        const error = new WindowEndError(
          `${name}: onWindowEnd threw: ${toError(e).message}. The final invocation fails and Lambda retries it from the same state, so onWindowEnd runs again.`,
          { cause: e },
        )
        logger.error(error.message, { shardId: w.shardId, window: w.start.toISOString() })
        throw error
      }
    }
    return { state: json, batchItemFailures: [] }
  }
}
