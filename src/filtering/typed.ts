/**
 * Typed builders for the `FilterCriteria` a user puts in infrastructure code (CloudFormation, CDK,
 * the SDK), checked against the record's schema so that a misspelt field is a type error, and
 * against Lambda's rules when built.
 */
import type { InferInput, Schema } from '../engine/schema.js'
import { compileFilter, type FilterSource } from './filter.js'
import { InvalidFilterPatternError } from './pattern.js'

/** A numeric rule's operand: one comparison, or a range from a lower to an upper bound. */
export type NumericRange = readonly ['=' | '<' | '<=' | '>' | '>=', number] | readonly ['>' | '>=', number, '<' | '<=', number]

/** `{"exists": true}` matches a field that holds a value; `false`, one that is absent (leaf nodes only). */
export interface ExistsRule {
  readonly exists: boolean
}

/** The rules a string field takes: equality with a value the field can hold, and the string operators. */
export type StringRule<T extends string = string> =
  | T
  | null
  | ExistsRule
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly 'equals-ignore-case': string }
  | { readonly 'anything-but': string | readonly string[] }

/** The rules a number field takes. Equality compares the number's text: 300 and 300.0 differ. */
export type NumberRule =
  | number
  | null
  | ExistsRule
  | { readonly numeric: NumericRange }
  | { readonly 'anything-but': number | readonly number[] }

/** Any rule, for a field whose type is unknown. */
export type AnyRule = StringRule | NumberRule | boolean

/** The field types a pattern matches with rules rather than a nested pattern (a Date or bytes travel as strings). */
export type LeafValue = string | number | bigint | boolean | null | undefined | Date | Uint8Array
/** The element type of a (nested) array type, or the type itself: a rule on an array field matches one element. */
export type ArrayElement<T> = T extends readonly (infer E)[] ? ArrayElement<E> : T

/** The rules a field of type `T` takes (an array field takes its elements' rules: one element must match). */
export type RuleFor<T> = T extends string
  ? StringRule<T>
  : T extends number | bigint
    ? NumberRule
    : T extends boolean
      ? T | null | ExistsRule
      : T extends Date
        ? StringRule
        : T extends Uint8Array
          ? StringRule
          : null | ExistsRule

/** A non-empty array of rules, any of which may match (OR). */
export type Rules<T> = readonly [RuleFor<T>, ...RuleFor<T>[]]

/** The pattern for a field of type `T`: rules for a value, a nested pattern for an object. */
export type FieldPattern<T> = unknown extends T
  ? AnyPattern | readonly [AnyRule, ...AnyRule[]]
  :
      | ([Extract<ArrayElement<T>, LeafValue>] extends [never] ? never : Rules<Extract<ArrayElement<T>, LeafValue>>)
      | ([Exclude<ArrayElement<T>, LeafValue>] extends [never] ? never : ObjectPattern<Exclude<ArrayElement<T>, LeafValue>>)

/** A pattern over an object of type `T`: every named field must match (AND), and one branch of `$or`. */
export type ObjectPattern<T> = { readonly [K in keyof T & string]?: FieldPattern<T[K]> } & {
  readonly $or?: readonly [ObjectPattern<T>, ObjectPattern<T>, ...ObjectPattern<T>[]]
}

/** An untyped pattern. */
export interface AnyPattern {
  readonly [key: string]: AnyPattern | readonly [AnyRule, ...AnyRule[]] | readonly AnyPattern[]
}

/** A Kinesis filter pattern: Lambda filters on `data`, the record's base64 data decoded and parsed as JSON. */
export interface KinesisFilterPattern<T> {
  readonly data?: unknown extends T ? AnyPattern : ObjectPattern<T>
  readonly $or?: readonly [KinesisFilterPattern<T>, KinesisFilterPattern<T>, ...KinesisFilterPattern<T>[]]
}

/**
 * The pattern for one DynamoDB attribute of type `T`, in AttributeValue form: the type key is
 * required (`{"S": [...]}`), and `N` values are strings, so `numeric` never matches them.
 */
export type AttributePattern<T> = unknown extends T
  ? AnyPattern
  : T extends string
    ? { readonly S: Rules<T> }
    : T extends number | bigint
      ? { readonly N: Rules<string> }
      : T extends boolean
        ? { readonly BOOL: Rules<boolean> }
        : T extends null
          ? { readonly NULL: Rules<true> }
          : T extends Uint8Array
            ? { readonly B: Rules<string> }
            : T extends ReadonlySet<infer E>
              ? E extends string
                ? { readonly SS: Rules<string> }
                : E extends number | bigint
                  ? { readonly NS: Rules<string> }
                  : { readonly BS: Rules<string> }
              : T extends readonly (infer E)[]
                ? { readonly L: AttributePattern<E> }
                : T extends undefined
                  ? never
                  : { readonly M: ImagePattern<T> }

/** A pattern over a DynamoDB image (`Keys`, `NewImage`, `OldImage`) of an item of type `T`. */
export type ImagePattern<T> = unknown extends T
  ? AnyPattern
  : { readonly [K in keyof T & string]?: AttributePattern<T[K]> } & {
      readonly $or?: readonly [ImagePattern<T>, ImagePattern<T>, ...ImagePattern<T>[]]
    }

/** A DynamoDB Streams filter pattern: `eventName` and the `dynamodb` stream record. */
export interface DynamoDBFilterPattern<T> {
  readonly eventName?: Rules<'INSERT' | 'MODIFY' | 'REMOVE'>
  readonly userIdentity?: { readonly type?: Rules<string>; readonly principalId?: Rules<string> }
  readonly dynamodb?: {
    readonly Keys?: ImagePattern<T>
    readonly NewImage?: ImagePattern<T>
    readonly OldImage?: ImagePattern<T>
    /** Epoch seconds, a number: `numeric` works here. */
    readonly ApproximateCreationDateTime?: Rules<number>
    readonly SizeBytes?: Rules<number>
    readonly StreamViewType?: Rules<'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'>
  }
  readonly $or?: readonly [DynamoDBFilterPattern<T>, DynamoDBFilterPattern<T>, ...DynamoDBFilterPattern<T>[]]
}

/**
 * An SQS filter pattern: Lambda filters SQS messages on `body`. `body` is a JSON pattern
 * when the schema describes an object (the body is then parsed as JSON) and rules on the text when
 * it describes a string; a body of the other format is dropped.
 */
export interface SQSFilterPattern<T> {
  readonly body?: unknown extends T ? AnyPattern | readonly [AnyRule, ...AnyRule[]] : [T] extends [string] ? Rules<T> : ObjectPattern<T>
  readonly $or?: readonly [SQSFilterPattern<T>, SQSFilterPattern<T>, ...SQSFilterPattern<T>[]]
}

/**
 * A Kafka filter pattern: Lambda filters Kafka records on `value` only. `value` is a JSON pattern
 * when the schema describes an object (the value is then parsed as JSON) and rules on the text when
 * it describes a string; a value of the other format is dropped.
 */
export interface KafkaFilterPattern<T> {
  readonly value?: unknown extends T ? AnyPattern | readonly [AnyRule, ...AnyRule[]] : [T] extends [string] ? Rules<T> : ObjectPattern<T>
  readonly $or?: readonly [KafkaFilterPattern<T>, KafkaFilterPattern<T>, ...KafkaFilterPattern<T>[]]
}

/** `FilterCriteria` as CloudFormation, the SDK and the CLI take it. */
export interface BuiltFilterCriteria {
  Filters: { Pattern: string }[]
}

/** A pattern object as JSON text, or an {@link InvalidFilterPatternError} saying why it cannot be one. */
function patternText(pattern: object, i: number): string {
  let text: string | undefined
  try {
    text = JSON.stringify(pattern)
  } catch (e) {
    const why = e instanceof RangeError ? 'it is nested too deeply' : e instanceof Error ? e.message : 'it threw'
    throw new InvalidFilterPatternError(`Invalid filter pattern definition. Filters[${i}]: the pattern cannot be written as JSON: ${why}.`)
  }
  if (typeof text !== 'string')
    throw new InvalidFilterPatternError(
      `Invalid filter pattern definition. Filters[${i}]: the pattern must be an object; received ${typeof pattern}.`,
    )
  return text
}

function build(source: FilterSource, patterns: readonly object[]): BuiltFilterCriteria {
  const criteria = { Filters: patterns.map((p, i) => ({ Pattern: patternText(p, i) })) }
  compileFilter(criteria, source) // refuses what Lambda refuses, here rather than at deploy time
  return criteria
}

/**
 * Builds the `FilterCriteria` of a Kinesis event source mapping from patterns typed by the
 * schema's input: a misspelt field or a value the field cannot hold is a type error, and a pattern
 * Lambda would refuse throws {@link InvalidFilterPatternError}. Several patterns are ORed.
 *
 * @example
 * ```ts
 * export const criteria = kinesisFilter(Order, { data: { currency: ['EUR'], total: [{ numeric: ['>=', 100] }] } })
 * // { Filters: [{ Pattern: '{"data":{"currency":["EUR"],"total":[{"numeric":[">=",100]}]}}' }] }
 * ```
 */
export function kinesisFilter<S extends Schema>(
  schema: S,
  ...patterns: readonly [KinesisFilterPattern<InferInput<S>>, ...KinesisFilterPattern<InferInput<S>>[]]
): BuiltFilterCriteria {
  void schema // only its type is used
  return build('kinesis', patterns)
}

/**
 * Builds the `FilterCriteria` of a DynamoDB Streams event source mapping, with images typed by the
 * item schema's input in AttributeValue form (`{ status: { S: ['open'] } }`).
 *
 * @example
 * ```ts
 * export const inserts = dynamodbFilter(Item, { eventName: ['INSERT'], dynamodb: { NewImage: { status: { S: ['open'] } } } })
 * ```
 */
export function dynamodbFilter<S extends Schema>(
  schema: S,
  ...patterns: readonly [DynamoDBFilterPattern<InferInput<S>>, ...DynamoDBFilterPattern<InferInput<S>>[]]
): BuiltFilterCriteria {
  void schema
  return build('dynamodb', patterns)
}

/**
 * Builds the `FilterCriteria` of an SQS event source mapping, with `body` typed by the message
 * schema's input.
 *
 * @example
 * ```ts
 * export const urgent = sqsFilter(Message, { body: { priority: [{ numeric: ['>', 5] }] } })
 * ```
 */
export function sqsFilter<S extends Schema>(
  schema: S,
  ...patterns: readonly [SQSFilterPattern<InferInput<S>>, ...SQSFilterPattern<InferInput<S>>[]]
): BuiltFilterCriteria {
  void schema
  return build('sqs', patterns)
}

/**
 * Builds the `FilterCriteria` of an Amazon MSK or self-managed Kafka event source mapping, with
 * `value` typed by the schema's input. Kafka mappings filter on `value` only.
 *
 * @example
 * ```ts
 * export const bigOrders = kafkaFilter(Order, { value: { total: [{ numeric: ['>=', 100] }] } })
 * ```
 */
export function kafkaFilter<S extends Schema>(
  schema: S,
  ...patterns: readonly [KafkaFilterPattern<InferInput<S>>, ...KafkaFilterPattern<InferInput<S>>[]]
): BuiltFilterCriteria {
  void schema
  return build('kafka', patterns)
}
