import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import { makeBuilder, type BatchHandler, type HandlerBuilder, type SourceDefinition } from '../engine/builder.js'
import type { BaseMeta, RecordFunction, Source } from '../engine/engine.js'
import { ConfigurationError, MalformedEventError } from '../engine/errors.js'
import { describeValue, toOptions, type CommonOptions } from '../engine/options.js'
import { InvalidRecord, validate, type InferOutput, type Schema, type SchemaOf } from '../engine/schema.js'
import { describeSource, recordsOf, unreadable } from './kinesis.js'
import { fromKinesis, kinesisRecordOf, throwIfUndecodable } from './dynamodb-kinesis.js'
import { AttributeValueError, jsonType, unmarshallImage, type UnsafeNumbers } from './unmarshall.js'

/**
 * Which images a DynamoDB stream writes into its records: `KEYS_ONLY` only the item's
 * key; `NEW_IMAGE` the item after the change; `OLD_IMAGE` the item before it;
 * `NEW_AND_OLD_IMAGES` both. INSERT has no old image and REMOVE no new one, whatever the view.
 */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'

/** What happened to the item. */
export type DynamoDBEventName = 'INSERT' | 'MODIFY' | 'REMOVE'

/** A key attribute's value: key attributes are strings, numbers or binary. */
export type KeyValue = string | number | bigint | Uint8Array

/** The item's primary key (`Keys`), unmarshalled: attribute name to value. */
export type ItemKey = { readonly [name: string]: KeyValue }

/** The names of an image's top-level attributes, as the schema's output types them (`string` when it does not). */
export type AttributeName<T> = [T extends unknown ? Extract<keyof T, string> : never] extends [never]
  ? string
  : T extends unknown
    ? Extract<keyof T, string>
    : never

/**
 * How a MODIFY changed the item's top-level attributes, comparing the validated images with deep
 * equality (maps, lists, sets, binary). An attribute whose value is `undefined` counts as absent.
 */
export interface ImageDiff<T> {
  /** In the new image, not in the old one. */
  readonly added: readonly AttributeName<T>[]
  /** In the old image, not in the new one. */
  readonly removed: readonly AttributeName<T>[]
  /** In both, with different values. */
  readonly changed: readonly AttributeName<T>[]
  /** True when any of these attributes was added, removed or changed. */
  touches(...names: AttributeName<T>[]): boolean
}

/** A change that carries only the item's key: every change of a `KEYS_ONLY` stream, and the side a view leaves out. */
export interface ChangeKeys<E extends DynamoDBEventName, K = ItemKey> {
  readonly eventName: E
  /** The item's primary key. Under `KEYS_ONLY` the schema checks it; otherwise it is {@link ItemKey}. */
  readonly keys: K
}

/** A change that carries the item as it is after the change, checked by the schema. */
export interface ChangeWithNewImage<E extends DynamoDBEventName, T> extends ChangeKeys<E> {
  readonly newImage: T
}

/** A change that carries the item as it was before the change, checked by the schema. */
export interface ChangeWithOldImage<E extends DynamoDBEventName, T> extends ChangeKeys<E> {
  readonly oldImage: T
}

/** A MODIFY on a `NEW_AND_OLD_IMAGES` stream: both images, and what changed between them. */
export interface ModifyChange<T> extends ChangeKeys<'MODIFY'> {
  readonly oldImage: T
  readonly newImage: T
  /** Which top-level attributes were added, removed or changed (computed on the first call). */
  diff(): ImageDiff<T>
}

/**
 * What the record function receives: a union discriminated by `eventName`, with the images the
 * stream view type `V` carries, typed as the schema's output `T`.
 *
 * | view | INSERT | MODIFY | REMOVE |
 * | --- | --- | --- | --- |
 * | `NEW_AND_OLD_IMAGES` | `newImage` | `oldImage`, `newImage`, `diff()` | `oldImage` |
 * | `NEW_IMAGE` | `newImage` | `newImage` | keys only |
 * | `OLD_IMAGE` | keys only | `oldImage` | `oldImage` |
 * | `KEYS_ONLY` | `keys: T` | `keys: T` | `keys: T` |
 */
export type DynamoDBChange<T, V extends StreamViewType = 'NEW_AND_OLD_IMAGES'> = V extends 'NEW_AND_OLD_IMAGES'
  ? ChangeWithNewImage<'INSERT', T> | ModifyChange<T> | ChangeWithOldImage<'REMOVE', T>
  : V extends 'NEW_IMAGE'
    ? ChangeWithNewImage<'INSERT', T> | ChangeWithNewImage<'MODIFY', T> | ChangeKeys<'REMOVE'>
    : V extends 'OLD_IMAGE'
      ? ChangeKeys<'INSERT'> | ChangeWithOldImage<'MODIFY', T> | ChangeWithOldImage<'REMOVE', T>
      : ChangeKeys<'INSERT', T> | ChangeKeys<'MODIFY', T> | ChangeKeys<'REMOVE', T>

/** What the DynamoDB record function receives besides the change. */
export interface DynamoDBMeta extends BaseMeta {
  /** The record as Lambda delivered it. */
  readonly record: DynamoDBRecord
  /** `dynamodb.SequenceNumber`, the record's identifier in `batchItemFailures`. Compare as `BigInt`. */
  readonly sequenceNumber: string
  /**
   * True when Time to Live deleted the item: a REMOVE whose `userIdentity` is the DynamoDB
   * service. False for a delete your code made.
   */
  readonly ttlDelete: boolean
  /**
   * When the change was made (`ApproximateCreationDateTime`: to the second from DynamoDB Streams,
   * to the millisecond through Kinesis); absent in some AWS sample events.
   */
  readonly createdAt: Date | undefined
  /**
   * The Kinesis record the change came through, when the table streams its changes into a Kinesis
   * data stream and the handler is wired to that stream; `undefined` for DynamoDB Streams.
   */
  readonly kinesisRecord: KinesisStreamRecord | undefined
}

/** Options of {@link dynamodbHandler}. */
export interface DynamoDBOptions<S extends Schema> extends CommonOptions<S, DynamoDBRecord> {
  /**
   * The stream's view type, which decides which images each change carries and how it is typed.
   * Default `'NEW_AND_OLD_IMAGES'`. A record without an image this view promises is invalid (a
   * stream with a different view type, for example); under `'KEYS_ONLY'` the schema checks the keys.
   */
  readonly streamViewType?: StreamViewType
  /** What becomes of a number a JavaScript `number` cannot hold exactly. Default `'bigint'`; see {@link UnsafeNumbers}. */
  readonly unsafeNumbers?: UnsafeNumbers
}

/** The handler {@link dynamodbHandler} builds: Lambda's DynamoDB Streams event (or a Kinesis event carrying DynamoDB changes) in, partial batch response out. */
export type DynamoDBHandler = BatchHandler<DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>

/** The view type a handler's options name, `'NEW_AND_OLD_IMAGES'` when they name none. */
export type ViewOf<O> = O extends { readonly streamViewType: infer V extends StreamViewType } ? V : 'NEW_AND_OLD_IMAGES'

type Rec = DynamoDBRecord & { dynamodb: NonNullable<DynamoDBRecord['dynamodb']> & { SequenceNumber: string } }

const SEQUENCE_NUMBER = /^\d{1,40}$/ // fact 6 (the AWS sample uses short ones such as "111")
const VIEWS: readonly string[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] satisfies StreamViewType[]
const UNSAFE: readonly string[] = ['bigint', 'string', 'fail'] satisfies UnsafeNumbers[]

function malformed(message: string): MalformedEventError {
  return new MalformedEventError(`dynamodbHandler ${message}`)
}

function isTtlDelete(record: DynamoDBRecord): boolean {
  const who = record.userIdentity as { type?: unknown; principalId?: unknown } | undefined
  return record.eventName === 'REMOVE' && who?.type === 'Service' && who.principalId === 'dynamodb.amazonaws.com' // fact 8
}

/** A key attribute (S, N or B) as text for the lane key; `undefined` for anything else. */
function keyPart(av: unknown): string | undefined {
  if (typeof av !== 'object' || av === null) return undefined
  const { S, N, B } = av as { S?: unknown; N?: unknown; B?: unknown }
  const value = S ?? N ?? B
  return typeof value === 'string' ? `${S !== undefined ? 'S' : N !== undefined ? 'N' : 'B'}${value.length}:${value}` : undefined
}

export const dynamodbSource: Source<Rec, DynamoDBMeta> = {
  name: 'dynamodbHandler',
  records(event) {
    const records = recordsOf(event, 'dynamodbHandler')
    let i = 0
    try {
      // Changes a table streams into a Kinesis data stream arrive as a Kinesis event.
      if ((records[0] as { eventSource?: unknown } | null)?.eventSource === 'aws:kinesis') return fromKinesis(records, 'dynamodbHandler') as Rec[]
      for (; i < records.length; i++) {
        const r = records[i] as DynamoDBRecord | null
        if (r?.eventSource !== 'aws:dynamodb') {
          throw malformed(`received a record that is not from DynamoDB Streams at Records[${i}] (${describeSource(r)}); is the handler wired to the right event source?`)
        }
        // Without a sequence number the record cannot be reported, so the batch cannot be processed safely.
        const seq = (r.dynamodb as { SequenceNumber?: unknown } | undefined)?.SequenceNumber
        if (typeof seq !== 'string' || !SEQUENCE_NUMBER.test(seq)) {
          throw malformed(`received a record without a valid dynamodb.SequenceNumber at Records[${i}].`)
        }
      }
    } catch (e) {
      throw e instanceof MalformedEventError ? e : unreadable('dynamodbHandler', i, e)
    }
    return records as Rec[]
  },
  id: (record) => record.dynamodb.SequenceNumber, // fact 44
  // The item's key: its attributes in name order, so the same item always gives the same text. A
  // record whose Keys are not key attributes (it fails when parsed) runs on a lane of its own.
  key(record) {
    const own = `#${record.dynamodb.SequenceNumber}`
    try {
      const keys = record.dynamodb.Keys as Record<string, unknown> | undefined
      if (typeof keys !== 'object' || keys === null) return own
      let text = ''
      for (const name of Object.keys(keys).sort()) {
        const part = keyPart(keys[name])
        if (part === undefined) return own
        text += `${name.length}:${name}=${part};`
      }
      return text
    } catch {
      return own
    }
  },
  meta: (record, base) => {
    const created = record.dynamodb.ApproximateCreationDateTime
    if (created !== undefined && (typeof created !== 'number' || !Number.isFinite(created))) {
      throw invalid('decode', `dynamodb.ApproximateCreationDateTime is ${jsonType(created)}, not a time in epoch seconds.`)
    }
    return {
      record,
      sequenceNumber: record.dynamodb.SequenceNumber,
      ttlDelete: isTtlDelete(record),
      // Epoch seconds (fact 6).
      createdAt: created === undefined ? undefined : new Date(Math.round(created * 1000)),
      kinesisRecord: kinesisRecordOf(record),
      context: base.context,
      logger: base.logger,
    }
  },
  plan: () => ({ ordering: 'in-order', stops: 'batch' }),
}

function invalid(kind: 'decode' | 'validation', message: string, path?: string): InvalidRecord {
  return new InvalidRecord(path === undefined ? { kind, message } : { kind, message, path })
}

/**
 * How deep {@link sameValue} goes: unmarshalled images stop at 32 levels, so only a schema's
 * output (a transform that nests, or a cycle) gets here, and it gets an error rather than a stack overflow.
 */
const MAX_COMPARE_DEPTH = 256

/** Deep equality for unmarshalled and schema-validated values. */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b || (a !== a && b !== b)) return true
  if (depth > MAX_COMPARE_DEPTH) {
    throw new Error(`change.diff() compares values nested more than ${MAX_COMPARE_DEPTH} levels deep (does the schema's output hold a cycle?).`)
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array
    if (a.length !== y.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return false
    return true
  }
  if (Array.isArray(a)) {
    const y = b as unknown[]
    return a.length === y.length && a.every((x, i) => sameValue(x, y[i], depth + 1))
  }
  if (a instanceof Set) {
    const y = b as Set<unknown>
    if (a.size !== y.size) return false
    for (const x of a) {
      if (y.has(x)) continue
      if (typeof x !== 'object' || x === null) return false
      let found = false
      for (const z of y) if (sameValue(x, z, depth + 1)) found = true
      if (!found) return false
    }
    return true
  }
  if (a instanceof Map) {
    const y = b as Map<unknown, unknown>
    if (a.size !== y.size) return false
    for (const [k, v] of a) if (!y.has(k) || !sameValue(v, y.get(k), depth + 1)) return false
    return true
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime()
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false
  return true
}

function diffImages<T>(oldImage: T, newImage: T): ImageDiff<T> {
  const before = (typeof oldImage === 'object' && oldImage !== null ? oldImage : {}) as Record<string, unknown>
  const after = (typeof newImage === 'object' && newImage !== null ? newImage : {}) as Record<string, unknown>
  const added: string[] = []
  const removed: string[] = []
  const changed: string[] = []
  for (const name of Object.keys(after)) {
    if (after[name] === undefined) continue
    if (before[name] === undefined || !Object.prototype.hasOwnProperty.call(before, name)) added.push(name)
    else if (!sameValue(before[name], after[name])) changed.push(name)
  }
  for (const name of Object.keys(before)) {
    if (before[name] !== undefined && (after[name] === undefined || !Object.prototype.hasOwnProperty.call(after, name))) removed.push(name)
  }
  const touched = new Set<string>([...added, ...removed, ...changed])
  const diff: ImageDiff<Record<string, unknown>> = { added, removed, changed, touches: (...names) => names.some((n) => touched.has(n)) }
  return diff as unknown as ImageDiff<T>
}

/** Checks the view type and the number mode, and builds the record parser once. */
export function dynamodbParser<S extends Schema>(options: DynamoDBOptions<S>, name = 'dynamodbHandler'): (record: Rec) => unknown {
  const view = options.streamViewType ?? 'NEW_AND_OLD_IMAGES'
  if (!VIEWS.includes(view)) {
    throw new ConfigurationError(`${name}: \`streamViewType\` must be 'KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE' or 'NEW_AND_OLD_IMAGES'; received ${describeValue(view)}.`)
  }
  const unsafeNumbers = options.unsafeNumbers ?? 'bigint'
  if (!UNSAFE.includes(unsafeNumbers)) {
    throw new ConfigurationError(`${name}: \`unsafeNumbers\` must be 'bigint', 'string' or 'fail'; received ${describeValue(unsafeNumbers)}.`)
  }
  const numbers = { unsafeNumbers }
  const { schema } = options
  const keysOnly = view === 'KEYS_ONLY'
  const wantsNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES'
  const wantsOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES'

  function image(record: Rec, field: 'Keys' | 'NewImage' | 'OldImage'): Record<string, unknown> {
    const value = record.dynamodb[field]
    if (value === undefined) {
      const has = record.dynamodb.StreamViewType
      throw invalid(
        'decode',
        field === 'Keys'
          ? `The ${record.eventName} record has no dynamodb.Keys.`
          : `The ${record.eventName} record has no ${field}, which streamViewType '${view}' promises` +
              `${typeof has === 'string' && VIEWS.includes(has) ? ` (the record's StreamViewType is ${JSON.stringify(has)})` : ''}; set the handler's streamViewType to the stream's view type.`,
        field,
      )
    }
    try {
      return unmarshallImage(value, numbers)
    } catch (e) {
      if (!(e instanceof AttributeValueError)) throw e
      const path = e.path === '' ? field : `${field}.${e.path}`
      throw invalid('decode', `${path} ${e.problem}`, path)
    }
  }

  // A validation failure's path, prefixed with the image's name.
  function prefixed(e: unknown, field: 'Keys' | 'NewImage' | 'OldImage'): never {
    if (e instanceof InvalidRecord) {
      const f = e.failure
      throw invalid('validation', f.message, f.path === undefined ? field : `${field}.${f.path}`)
    }
    throw e
  }

  // Validates one image.
  function check(value: unknown, field: 'Keys' | 'NewImage' | 'OldImage'): unknown {
    try {
      const result = validate(schema, value, field === 'Keys' ? 'The item key' : `The ${field}`)
      return result instanceof Promise ? result.catch((e: unknown) => prefixed(e, field)) : result
    } catch (e) {
      return prefixed(e, field)
    }
  }

  // The change the record function receives; a MODIFY with both images computes its diff once, when asked.
  function change(eventName: string, keys: unknown, n: unknown, o: unknown): unknown {
    if (n !== undefined && o !== undefined) {
      let diff: ImageDiff<unknown> | undefined
      return { eventName, keys, oldImage: o, newImage: n, diff: () => (diff ??= diffImages<unknown>(o, n)) }
    }
    if (n !== undefined) return { eventName, keys, newImage: n }
    if (o !== undefined) return { eventName, keys, oldImage: o }
    return { eventName, keys }
  }

  return function parseChange(record) {
    throwIfUndecodable(record)
    const eventName: unknown = record.eventName
    if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
      throw invalid('decode', `The record's eventName is not INSERT, MODIFY or REMOVE (it is ${typeof eventName === 'string' ? `a string of ${eventName.length} characters` : jsonType(eventName)}).`)
    }
    const keys = image(record, 'Keys')
    if (keysOnly) {
      const checked = check(keys, 'Keys')
      return checked instanceof Promise ? checked.then((k) => ({ eventName, keys: k })) : { eventName, keys: checked }
    }
    const newImage = wantsNew && eventName !== 'REMOVE' ? check(image(record, 'NewImage'), 'NewImage') : undefined
    const oldImage = wantsOld && eventName !== 'INSERT' ? check(image(record, 'OldImage'), 'OldImage') : undefined
    if (newImage instanceof Promise || oldImage instanceof Promise) return Promise.all([newImage, oldImage]).then(([n, o]) => change(eventName, keys, n, o))
    return change(eventName, keys, newImage, oldImage)
  }
}

const definition: SourceDefinition<Rec, DynamoDBMeta, unknown, DynamoDBOptions<Schema>> = {
  source: dynamodbSource,
  extraOptions: ['streamViewType', 'unsafeNumbers'],
  defaultOrdering: 'in-order',
  parser: (options) => dynamodbParser(options),
}

/** The record function's first argument for a handler built from `O`. */
export type ChangeOf<O> = DynamoDBChange<InferOutput<SchemaOf<O>>, ViewOf<O>>

/**
 * Builds a Lambda handler for a DynamoDB Streams trigger. Each record becomes a typed change, a
 * union discriminated by `eventName` whose images (unmarshalled losslessly, then checked by
 * `schema`) follow the stream's view type (`streamViewType`, default `'NEW_AND_OLD_IMAGES'`).
 * A MODIFY with both images has `diff()`; `meta.ttlDelete` tells a Time to Live delete apart.
 * The handler returns `{ batchItemFailures }` keyed by `dynamodb.SequenceNumber`.
 * It also reads the Kinesis event of a table that streams its changes into a Kinesis data stream,
 * giving the same changes and reporting them by the Kinesis sequence number.
 *
 * As for Kinesis, records run in order by default and the first failure stops the batch (Lambda
 * retries from it anyway); `ordering: 'per-key'` runs different items concurrently, keeping each item's order. When
 * every record fails, the handler throws, so bisect and retries apply.
 *
 * Three forms: `dynamodbHandler(schema, fn)`, `dynamodbHandler({ schema, ...options }, fn)`, and
 * the builder `dynamodbHandler(schema).use(middleware).handle(fn)`.
 *
 * @example
 * ```ts
 * import * as z from 'zod'
 * import { dynamodbHandler } from 'lambda-stream-handlers'
 *
 * const Order = z.object({ orderId: z.string(), status: z.enum(['NEW', 'PAID', 'SHIPPED']), total: z.number() })
 *
 * export const handler = dynamodbHandler(Order, async (change, meta) => {
 *   // change: INSERT { newImage } | MODIFY { oldImage, newImage, diff() } | REMOVE { oldImage }, images checked by zod
 *   if (change.eventName === 'MODIFY' && change.diff().touches('status')) {
 *     meta.logger.info(`order ${change.newImage.orderId}: ${change.oldImage.status} -> ${change.newImage.status}`)
 *   }
 * })
 * ```
 */
// The options form comes first and infers the schema and the view only, so that a misspelt option
// is an excess property ("Did you mean ...?") and the record function stays typed when an option is wrong.
export function dynamodbHandler<S extends Schema, V extends StreamViewType = 'NEW_AND_OLD_IMAGES'>(
  options: DynamoDBOptions<S> & { readonly streamViewType?: V },
): HandlerBuilder<DynamoDBChange<InferOutput<S>, V>, DynamoDBMeta, DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>
export function dynamodbHandler<S extends Schema>(schema: S): HandlerBuilder<ChangeOf<S>, DynamoDBMeta, DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>
export function dynamodbHandler<S extends Schema, V extends StreamViewType = 'NEW_AND_OLD_IMAGES'>(
  options: DynamoDBOptions<S> & { readonly streamViewType?: V },
  fn: RecordFunction<DynamoDBChange<InferOutput<S>, V>, DynamoDBMeta>,
): DynamoDBHandler
export function dynamodbHandler<S extends Schema>(schema: S, fn: RecordFunction<ChangeOf<S>, DynamoDBMeta>): DynamoDBHandler
export function dynamodbHandler(
  schemaOrOptions: Schema | DynamoDBOptions<Schema>,
  fn?: RecordFunction<never, DynamoDBMeta>,
): unknown {
  const builder = makeBuilder<Rec, DynamoDBMeta, unknown, DynamoDBOptions<Schema>, DynamoDBStreamEvent | KinesisStreamEvent, DynamoDBBatchResponse>(definition, toOptions(schemaOrOptions))
  // The overloads type the change from the schema and the view; here it is the parser's unknown.
  return fn === undefined ? builder : builder.handle(fn as RecordFunction<unknown, DynamoDBMeta>)
}
