import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency'
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence'
import type { Middleware } from '../engine/builder.js'
import type { BaseMeta } from '../engine/engine.js'
import { ConfigurationError } from '../engine/errors.js'
import { replayed } from '../middleware/replayed.js'
import { checkKnownKeys, checkRules, describeValue, isFunction, type OptionRule } from '../engine/options.js'

/** Options of {@link idempotent}. */
export interface IdempotentOptions<P, M> {
  /**
   * Where records are remembered: Powertools' `DynamoDBPersistenceLayer` in production (from
   * `@aws-lambda-powertools/idempotency/dynamodb`), this entry point's `InMemoryPersistenceStore`
   * in unit tests, or any other Powertools persistence layer. Use one store per `idempotent(...)`:
   * Powertools configures a store once, with the first options it sees.
   */
  readonly persistenceStore: BasePersistenceLayer
  /**
   * The idempotency key of a record, from its typed payload and `meta`: a business key such as
   * `(order) => order.orderId`. Default: the record's delivery identity, `meta.record.messageId`
   * (SQS), `<topic>-<partition>:<offset>` (Kafka) or `meta.record.eventID` (Kinesis: shard and sequence number; DynamoDB Streams), which
   * makes a redelivered record run once. The user records of a KPL aggregate share its eventID, so
   * theirs is `` `${eventID}#${meta.subSequenceNumber}` ``: each runs once. DynamoDB changes that
   * come through a Kinesis stream use the change's own `eventID`, not the Kinesis record's.
   */
  readonly key?: (payload: P, meta: M) => string
  /** How long a completed record is remembered, in seconds. Default 3600 (Powertools'). */
  readonly expiresAfterSeconds?: number
  /** Keep completed records in memory too, saving a store read for repeats in one container. Default false. */
  readonly useLocalCache?: boolean
  /** How many records the local cache keeps. Default 1000. */
  readonly maxLocalCacheSize?: number
  /** The hash of the key stored in the table (a `node:crypto` name). Default `'md5'`. */
  readonly hashFunction?: string
  /** Changes the stored result handed back for a repeated record; see Powertools' `responseHook`. */
  readonly responseHook?: NonNullable<ConstructorParameters<typeof IdempotencyConfig>[0]['responseHook']>
  /** Prefix of the stored key. Default: the function name (`AWS_LAMBDA_FUNCTION_NAME`), as in Powertools. */
  readonly keyPrefix?: string
}

const OPTIONS = [
  'persistenceStore',
  'key',
  'expiresAfterSeconds',
  'useLocalCache',
  'maxLocalCacheSize',
  'hashFunction',
  'responseHook',
  'keyPrefix',
]

const atLeastOne = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 1
const RULES: Record<string, OptionRule> = {
  key: [isFunction, 'a function of the payload and meta'],
  expiresAfterSeconds: [atLeastOne, 'a whole number of seconds, 1 or more'],
  maxLocalCacheSize: [atLeastOne, 'a whole number, 1 or more'],
}

function check(options: unknown): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`idempotent: ${message}`)
  }
  if (typeof options !== 'object' || options === null)
    fail(`expected an options object with a \`persistenceStore\`; received ${describeValue(options)}.`)
  const o = options as Record<string, unknown>
  checkKnownKeys('idempotent', o, OPTIONS)
  const store = o.persistenceStore as Record<string, unknown> | undefined
  if (typeof store !== 'object' || store === null || !isFunction(store.saveInProgress) || !isFunction(store.configure)) {
    fail(
      `\`persistenceStore\` must be a Powertools persistence layer (such as DynamoDBPersistenceLayer); received ${describeValue(store)}.`,
    )
  }
  checkRules('idempotent', o, RULES)
}

/**
 * The delivery identity of a record, whichever source delivered it. The user records of a KPL
 * aggregate share the aggregate's eventID, so theirs adds the sub-sequence number; a
 * record that was not aggregated keeps its eventID alone, so keys stored before stay valid.
 */
function deliveryKey(_payload: unknown, meta: unknown): string {
  const m = meta as {
    record?: { messageId?: unknown; eventID?: unknown }
    subSequenceNumber?: unknown
    topicPartition?: unknown
    offset?: unknown
  }
  // A Kafka record is its partition and offset: `<topic>-<partition>:<offset>`.
  if (typeof m.topicPartition === 'string' && typeof m.offset === 'number') return `${m.topicPartition}:${m.offset}`
  const id = m.record?.messageId ?? m.record?.eventID
  if (typeof id !== 'string' || id === '') {
    throw new Error('idempotent: this record has no `messageId` or `eventID` to use as its idempotency key; pass a `key` function.')
  }
  return typeof m.subSequenceNumber === 'number' ? `${id}#${m.subSequenceNumber}` : id
}

/**
 * Makes the record function idempotent with `@aws-lambda-powertools/idempotency`: a record whose
 * key completed before is not run again (its stored result is returned instead), so a
 * redelivered batch does not repeat side effects.
 *
 * - The key is the record's delivery identity by default (with the sub-sequence number for a user
 *   record of a KPL aggregate), or `key(payload, meta)`.
 * - The Lambda context is registered on every record, so a record left in progress by an
 *   invocation that timed out unlocks at that invocation's deadline, not after `expiresAfterSeconds`.
 * - Two records with the same key in one batch run once: the second waits for the first and gets
 *   its stored result, instead of failing as "already in progress".
 * - A record whose function throws leaves no entry, so its retry runs it again.
 * - What the record function returns is the stored result: keep it JSON-like (DynamoDB stores it).
 *
 * A record that another invocation is processing at the same time fails with Powertools'
 * `IdempotencyAlreadyInProgressError` and is reported for retry; the retry gets the stored result.
 *
 * @example
 * ```ts
 * export function ordersHandler(persistenceStore: BasePersistenceLayer): KinesisHandler {
 *   return kinesisHandler(Order)
 *     .use(idempotent({ persistenceStore, key: (order) => order.orderId, expiresAfterSeconds: 24 * 3600 }))
 *     .handle(async (order) => {
 *       // The result is stored: a repeat of this order gets it back without charging again.
 *       return charge(order.orderId, order.total)
 *     })
 * }
 * ```
 */
export function idempotent<P, M extends BaseMeta>(options: IdempotentOptions<P, M>): Middleware<P, M> {
  check(options)
  const { persistenceStore, key, keyPrefix, expiresAfterSeconds, useLocalCache, maxLocalCacheSize, hashFunction, responseHook } = options
  const config = new IdempotencyConfig({
    ...(expiresAfterSeconds === undefined ? {} : { expiresAfterSeconds }),
    ...(useLocalCache === undefined ? {} : { useLocalCache }),
    ...(maxLocalCacheSize === undefined ? {} : { maxLocalCacheSize }),
    ...(hashFunction === undefined ? {} : { hashFunction }),
    ...(responseHook === undefined ? {} : { responseHook }),
  })
  const keyOf = key ?? deliveryKey
  // Records now in flight, by invocation (its Lambda context) and key: a duplicate inside one batch
  // waits for the first to settle. Scoped to the invocation, never to the warm container: a record
  // abandoned at the deadline may never settle, and a later delivery must not wait on it.
  const inFlightBy = new WeakMap<object, Map<string, Promise<unknown>>>()
  const withoutContext = new Map<string, Promise<unknown>>() // invocations given no context (tests, tools)
  const inFlightOf = (context: object | undefined): Map<string, Promise<unknown>> => {
    if (context === undefined) return withoutContext
    let map = inFlightBy.get(context)
    if (map === undefined) inFlightBy.set(context, (map = new Map()))
    return map
  }

  return (next) => {
    // The key is the hashed argument; payload and meta travel beside it, unhashed.
    const run = makeIdempotent(
      (_key: string, call: { payload: P; meta: M; ran?: true }) => {
        call.ran = true
        return next(call.payload, call.meta)
      },
      {
        persistenceStore,
        config,
        ...(keyPrefix === undefined ? {} : { keyPrefix }),
      },
    )
    return async function idempotentRecord(payload, meta) {
      const k = keyOf(payload, meta)
      if (typeof k !== 'string' || k === '') {
        throw new Error(
          `idempotent: \`key\` returned ${k === '' ? 'an empty string' : `a ${typeof k}`}; it must return a non-empty string.`,
        )
      }
      // Powertools sets an in-progress entry's expiry from the remaining time of the registered context.
      if (meta.context !== undefined) config.registerLambdaContext(meta.context)
      const inFlight = inFlightOf(meta.context)
      const earlier = inFlight.get(k)
      const settled = earlier === undefined ? undefined : earlier.then(ignore, ignore)
      const call: { payload: P; meta: M; ran?: true } = { payload, meta }
      const mine: Promise<unknown> = settled === undefined ? Promise.resolve(run(k, call)) : settled.then(() => run(k, call))
      inFlight.set(k, mine)
      try {
        const result = await mine
        // A stored result handed back: a `metrics` middleware outside this one counts it.
        if (call.ran !== true) replayed(meta.context)
        return result
      } finally {
        if (inFlight.get(k) === mine) inFlight.delete(k)
      }
    }
  }
}

function ignore(): void {}
