import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import { createHash } from 'node:crypto'
import type { InferInput, Schema } from '../engine/schema.js'
import type { AttributeName, DynamoDBEventName, StreamViewType } from '../sources/dynamodb/types.js'
import { trailingZerosFrom } from '../sources/unmarshall.js'
import { sequenceAllocator } from './sequence.js'

const RAW_IMAGE = Symbol.for('lambda-stream-handlers.attributeValues')

/** An image given as DynamoDB AttributeValues, put into the record as it is (see {@link attributeValues}). */
export interface RawImage {
  readonly [RAW_IMAGE]: Readonly<Record<string, unknown>>
}

/**
 * Marks an image as already in DynamoDB's AttributeValue form, to go into a built record
 * unchanged and unchecked: use it for a number written exactly as DynamoDB sends it, or for a
 * malformed record (a value without a type key, an `N` that is not a number).
 *
 * @example
 * ```ts
 * const event = dynamodbEvent([
 *   insert(attributeValues({ orderId: { S: 'o-2' }, total: { N: 'twelve' } })),
 * ])
 * ```
 */
export function attributeValues(image: Readonly<Record<string, unknown>>): RawImage {
  return { [RAW_IMAGE]: image }
}

/**
 * The type a builder records for an image: the literal types of the object you wrote (so that
 * `status: 'PAID'` stays `'PAID'` and matches an enum in the schema), with `readonly` arrays made
 * mutable so that they match the schema's array types. A {@link RawImage} adds nothing to it.
 */
export type ImageLiteral<T> = T extends RawImage
  ? never
  : T extends Uint8Array | ReadonlySet<unknown> | ReadonlyMap<unknown, unknown> | Date
    ? T
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: ImageLiteral<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: ImageLiteral<T[K]> }
        : T

/** One change for {@link dynamodbEvent}, made by {@link insert}, {@link modify}, {@link remove} or {@link ttlDelete}. */
export interface DynamoDBTestChange<T> {
  readonly eventName: DynamoDBEventName
  readonly newImage?: T | RawImage
  readonly oldImage?: T | RawImage
  /** A REMOVE made by Time to Live rather than by a user. */
  readonly ttl?: boolean
}

// The builders record the images as written; their types only tell dynamodbEvent what to check.
const typed = <T>(change: DynamoDBTestChange<unknown>): DynamoDBTestChange<T> => change as DynamoDBTestChange<T>

/**
 * An INSERT of `newImage` (a plain object, or {@link attributeValues}).
 *
 * @example
 * ```ts
 * const event = dynamodbEvent(
 *   [insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' }), modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }), remove(o1), ttlDelete(o2)],
 *   { schema: Order, keys: ['orderId'] },
 * )
 * ```
 */
export function insert<const T>(newImage: T | RawImage): DynamoDBTestChange<ImageLiteral<T>> {
  return typed({ eventName: 'INSERT', newImage })
}

/**
 * A MODIFY from `oldImage` to `newImage`.
 *
 * @example
 * ```ts
 * const event = dynamodbEvent(
 *   [insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' }), modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }), remove(o1), ttlDelete(o2)],
 *   { schema: Order, keys: ['orderId'] },
 * )
 * ```
 */
export function modify<const A, const B>(
  oldImage: A | RawImage,
  newImage: B | RawImage,
): DynamoDBTestChange<ImageLiteral<A> | ImageLiteral<B>> {
  return typed({ eventName: 'MODIFY', oldImage, newImage })
}

/**
 * A REMOVE of `oldImage`, made by a user.
 *
 * @example
 * ```ts
 * const event = dynamodbEvent(
 *   [insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' }), modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }), remove(o1), ttlDelete(o2)],
 *   { schema: Order, keys: ['orderId'] },
 * )
 * ```
 */
export function remove<const T>(oldImage: T | RawImage): DynamoDBTestChange<ImageLiteral<T>> {
  return typed({ eventName: 'REMOVE', oldImage })
}

/**
 * A REMOVE of `oldImage` made by Time to Live: its `userIdentity` is the DynamoDB service
 * (`dynamodb.amazonaws.com`), so the handler's `meta.ttlDelete` is true.
 *
 * @example
 * ```ts
 * const event = dynamodbEvent(
 *   [insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' }), modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }), remove(o1), ttlDelete(o2)],
 *   { schema: Order, keys: ['orderId'] },
 * )
 * ```
 */
export function ttlDelete<const T>(oldImage: T | RawImage): DynamoDBTestChange<ImageLiteral<T>> {
  return typed({ eventName: 'REMOVE', oldImage, ttl: true })
}

/** Options of {@link dynamodbEvent}. */
export interface DynamoDBEventOptions<S extends Schema = Schema> {
  /** Types the images by the schema's input. The builder does not validate: a test may want a bad record. */
  readonly schema?: S | undefined
  /** The table's key attributes, copied from the image into `Keys`. Default `['id']`. */
  readonly keys?: readonly AttributeName<InferInput<S>>[] | undefined
  /** Which images the records carry, as the stream would write them. Default `'NEW_AND_OLD_IMAGES'`. */
  readonly streamViewType?: StreamViewType | undefined
  /** Default `'test-table'`. */
  readonly tableName?: string | undefined
  readonly region?: string | undefined
  readonly accountId?: string | undefined
  /**
   * The first record's sequence number; later ones increase, and each `eventID` follows from its
   * sequence number. Give it to build the same event twice (a redelivery) or to compare ids with
   * fixed values. Default: after the last one any earlier call used, so each event's ids are new.
   */
  readonly firstSequenceNumber?: string | bigint | undefined
  /** When the changes were made (`ApproximateCreationDateTime`, in whole seconds). Default: now. */
  readonly createdAt?: Date | undefined
}

type AV = AttributeValue

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** A plain value to an AttributeValue, as the AWS SDK's `marshall` would, with binary as base64 (the Lambda event's form). */
function marshall(value: unknown, path: string, depth: number): AV {
  // DynamoDB stores 32 levels (a top-level attribute is level 1); deeper, or a cycle, is refused here.
  if (depth > 32)
    throw new TypeError(
      `${path} is nested more than 32 levels deep, which DynamoDB does not store; use attributeValues() to build one anyway.`,
    )
  switch (typeof value) {
    case 'string':
      return { S: value }
    case 'boolean':
      return { BOOL: value }
    case 'bigint':
      return { N: value.toString() }
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}, which DynamoDB cannot store.`)
      return { N: String(value) }
  }
  if (value === null) return { NULL: true }
  if (value instanceof Uint8Array) return { B: Buffer.from(value).toString('base64') }
  if (Array.isArray(value)) return { L: value.map((v, i) => marshall(v, `${path}[${i}]`, depth + 1)) }
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)]
    if (items.length === 0)
      throw new TypeError(`${path} is an empty Set, which DynamoDB does not store; use attributeValues() to build one anyway.`)
    if (items.every((v) => typeof v === 'string')) return { SS: items as string[] }
    if (items.every((v) => typeof v === 'number' || typeof v === 'bigint')) return { NS: items.map((v) => String(v)) }
    if (items.every((v) => v instanceof Uint8Array)) return { BS: items.map((v) => Buffer.from(v as Uint8Array).toString('base64')) }
    throw new TypeError(`${path} is a Set that mixes types; a DynamoDB set holds only strings, only numbers or only binary.`)
  }
  if (isPlainObject(value)) return { M: marshallMap(value, path, depth + 1) }
  throw new TypeError(
    `${path} is ${value === undefined ? 'undefined' : `a ${(value as object).constructor?.name ?? typeof value}`}, which has no DynamoDB type.`,
  )
}

function marshallMap(map: Record<string, unknown>, path: string, depth = 1): Record<string, AV> {
  const out: Record<string, AV> = {}
  for (const [name, value] of Object.entries(map)) {
    if (value === undefined) continue
    Object.defineProperty(out, name, {
      value: marshall(value, path === '' ? name : `${path}.${name}`, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function toImage(image: unknown, which: string): Record<string, unknown> {
  if (typeof image === 'object' && image !== null && RAW_IMAGE in image) return (image as RawImage)[RAW_IMAGE]
  if (!isPlainObject(image)) throw new TypeError(`The ${which} must be a plain object (or attributeValues(...)); received ${typeof image}.`)
  return marshallMap(image, '')
}

// Item sizes as DynamoDB counts them; the AWS sample event's SizeBytes (26, 59, 38) come out exactly.
const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8')
function numberSize(text: string): number {
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
  return Math.ceil(Math.max(trailingZerosFrom(digits), 1) / 2) + 1
}
function valueSize(av: unknown, depth = 0): number {
  const a = av as Record<string, unknown>
  if (depth > 32) return 1 // a raw image deeper than DynamoDB stores, built to test its refusal
  if (typeof a.S === 'string') return utf8Length(a.S)
  if (typeof a.N === 'string') return numberSize(a.N)
  if (typeof a.B === 'string') return Buffer.from(a.B, 'base64').length
  if (Array.isArray(a.SS)) return (a.SS as string[]).reduce((n, s) => n + utf8Length(String(s)), 0)
  if (Array.isArray(a.NS)) return (a.NS as string[]).reduce((n, s) => n + numberSize(String(s)), 0)
  if (Array.isArray(a.BS)) return (a.BS as string[]).reduce((n, s) => n + Buffer.from(String(s), 'base64').length, 0)
  if (Array.isArray(a.L)) return 3 + (a.L as unknown[]).reduce<number>((n, v) => n + 1 + valueSize(v, depth + 1), 0)
  if (typeof a.M === 'object' && a.M !== null) return 3 + imageSize(a.M as Record<string, unknown>, 1, depth + 1)
  return 1
}
function imageSize(image: Record<string, unknown> | undefined, perElement = 0, depth = 0): number {
  if (image === undefined) return 0
  let n = 0
  for (const [name, av] of Object.entries(image)) n += utf8Length(name) + valueSize(av, depth) + perElement
  return n
}

const FIRST_SEQUENCE = 4421584500000000017450439091n // the shape of a real one: 28 digits
const nextSequence = sequenceAllocator(FIRST_SEQUENCE, 100n)
const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' } // fact 8

/**
 * Builds a DynamoDB Streams event as Lambda delivers it: `Keys` and images marshalled into
 * AttributeValues (binary as base64), increasing `SequenceNumber`s, `SizeBytes` as DynamoDB counts
 * them, `StreamViewType`, `ApproximateCreationDateTime` in seconds, `eventID`, the stream ARN, and
 * the Time to Live `userIdentity` for {@link ttlDelete}. The images the view type does not carry
 * are left out, as the stream would. Each call gives new sequence numbers and `eventID`s (so
 * idempotency keyed on `eventID` sees two events as two), unless `firstSequenceNumber` is set.
 *
 * @example
 * ```ts
 * const event = dynamodbEvent(
 *   [insert(o1), insert(o2), modify(o1, { ...o1, status: 'PAID' }), modify(o2, { ...o2, updatedAt: '2026-11-22T02:00:00Z' }), remove(o1), ttlDelete(o2)],
 *   { schema: Order, keys: ['orderId'] },
 * )
 * ```
 */
export function dynamodbEvent<S extends Schema = Schema>(
  changes: readonly DynamoDBTestChange<NoInfer<InferInput<S>>>[],
  options: DynamoDBEventOptions<S> = {},
): DynamoDBStreamEvent {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const table = options.tableName ?? 'test-table'
  const view = options.streamViewType ?? 'NEW_AND_OLD_IMAGES'
  const keyNames: readonly string[] = options.keys ?? ['id']
  const first = options.firstSequenceNumber === undefined ? nextSequence(changes.length) : BigInt(options.firstSequenceNumber)
  const createdAt = Math.floor((options.createdAt ?? new Date()).getTime() / 1000)
  const records = changes.map((change, i): DynamoDBRecord => {
    const newImage = change.newImage === undefined ? undefined : toImage(change.newImage, 'new image')
    const oldImage = change.oldImage === undefined ? undefined : toImage(change.oldImage, 'old image')
    const source = (newImage ?? oldImage ?? {}) as Record<string, unknown>
    const raw = (change.newImage ?? change.oldImage) as object | undefined
    const Keys: Record<string, unknown> = {}
    for (const name of keyNames) {
      if (source[name] !== undefined) Keys[name] = source[name]
      else if (raw === undefined || !(RAW_IMAGE in raw)) {
        throw new TypeError(
          `The ${change.eventName} image has no key attribute ${JSON.stringify(name)}; pass \`keys\` naming the table's key attributes.`,
        )
      }
    }
    const withNew = newImage !== undefined && (view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES')
    const withOld = oldImage !== undefined && (view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES')
    const sequenceNumber = String(first + BigInt(i) * 100n)
    const dynamodb = {
      ApproximateCreationDateTime: createdAt,
      Keys,
      ...(withNew ? { NewImage: newImage } : {}),
      ...(withOld ? { OldImage: oldImage } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: Math.max(1, imageSize(Keys) + (withNew ? imageSize(newImage) : 0) + (withOld ? imageSize(oldImage) : 0)),
      StreamViewType: view,
    }
    return {
      eventID: createHash('md5').update(sequenceNumber).digest('hex'),
      eventName: change.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: dynamodb as DynamoDBRecord['dynamodb'],
      eventSourceARN: `arn:aws:dynamodb:${region}:${accountId}:table/${table}/stream/2026-01-01T00:00:00.000`,
      ...(change.ttl === true ? { userIdentity: { ...TTL_IDENTITY } } : {}),
    }
  })
  return { Records: records }
}
