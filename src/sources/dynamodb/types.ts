import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda'
import type { BaseMeta } from '../../engine/engine.js'
import type { CommonOptions } from '../../engine/options.js'
import type { Schema } from '../../engine/schema.js'
import type { UnsafeNumbers } from '../unmarshall.js'

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
  /** The record's `eventID`, unique to the change (through Kinesis, the change record's own); `undefined` when the record has none, as in some AWS sample events. */
  readonly eventID: string | undefined
  /** What happened to the item: the change's `eventName`, as on the change itself. */
  readonly eventName: DynamoDBEventName
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
   * Default `'NEW_AND_OLD_IMAGES'`. A record whose own `StreamViewType` cannot give an image this
   * view promises is invalid, whatever its event (an INSERT too), and so is a record without such
   * an image; under `'KEYS_ONLY'` the schema checks the keys.
   */
  readonly streamViewType?: StreamViewType | undefined
  /** What becomes of a number a JavaScript `number` cannot hold exactly. Default `'bigint'`; see {@link UnsafeNumbers}. */
  readonly unsafeNumbers?: UnsafeNumbers | undefined
}

/** The view type a handler's options name, `'NEW_AND_OLD_IMAGES'` when they name none. */
export type ViewOf<O> = O extends { readonly streamViewType: infer V extends StreamViewType } ? V : 'NEW_AND_OLD_IMAGES'

/** A DynamoDB record once the event's check has found its sequence number. */
export type Rec = DynamoDBRecord & { dynamodb: NonNullable<DynamoDBRecord['dynamodb']> & { SequenceNumber: string } }

/** Every {@link StreamViewType}, for the option rule and the reasons that name a record's own view. */
export const VIEWS: readonly string[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] satisfies StreamViewType[]
