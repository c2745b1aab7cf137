import {
  IdempotencyRecordStatus,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
} from '@aws-lambda-powertools/idempotency'
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence'

// Not imported from '@aws-lambda-powertools/idempotency/types': that module's types import
// `@aws-sdk/client-dynamodb`, which a project without it cannot check (`skipLibCheck: false`).
type IdempotencyRecordStatusValue = (typeof IdempotencyRecordStatus)[keyof typeof IdempotencyRecordStatus]

/** One stored entry, as a DynamoDB item would hold it. */
interface Entry {
  readonly status: IdempotencyRecordStatusValue
  /** Seconds since the epoch, as Powertools stores it. */
  readonly expiryTimestamp: number | undefined
  /** Milliseconds since the epoch: the deadline of the invocation that holds the record in progress. */
  readonly inProgressExpiryTimestamp: number | undefined
  readonly responseData: IdempotencyRecord['responseData']
  readonly payloadHash: string | undefined
}

/**
 * A Powertools idempotency persistence layer kept in memory, for unit tests of handlers that use
 * `idempotent`. It follows the rules of Powertools' DynamoDB layer: a new entry is refused while
 * an entry with the same key exists, unless that entry has expired or is in progress past the
 * deadline of the invocation that started it. Times come from `Date.now()`, so fake timers move them.
 *
 * @example
 * ```ts
 * const persistenceStore = new InMemoryPersistenceStore()
 * const handler = ordersHandler(persistenceStore)
 * const event = kinesisEvent([{ orderId: 'o-1', total: 20 }, { orderId: 'o-1', total: 20 }, { orderId: 'o-2', total: 5 }], { schema: Order })
 * expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
 * ```
 */
export class InMemoryPersistenceStore extends BasePersistenceLayer {
  readonly #entries = new Map<string, Entry>()

  /**
   * What the store holds, for assertions: each entry's hashed key, its status (`EXPIRED` once past
   * its expiry), and the stored result.
   */
  entries(): {
    idempotencyKey: string
    status: (typeof IdempotencyRecordStatus)[keyof typeof IdempotencyRecordStatus]
    responseData: IdempotencyRecord['responseData']
  }[] {
    return [...this.#entries].map(([idempotencyKey, entry]) => ({
      idempotencyKey,
      status: this.#toRecord(idempotencyKey, entry).getStatus(),
      responseData: entry.responseData,
    }))
  }

  #toRecord(idempotencyKey: string, entry: Entry): IdempotencyRecord {
    const { status, expiryTimestamp, inProgressExpiryTimestamp, responseData, payloadHash } = entry
    return new IdempotencyRecord({
      idempotencyKey,
      status,
      ...(expiryTimestamp === undefined ? {} : { expiryTimestamp }),
      ...(inProgressExpiryTimestamp === undefined ? {} : { inProgressExpiryTimestamp }),
      ...(responseData === undefined ? {} : { responseData }),
      ...(payloadHash === undefined ? {} : { payloadHash }),
    })
  }

  /** Reads an entry; Powertools calls it. */
  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const entry = this.#entries.get(idempotencyKey)
    if (entry === undefined) throw new IdempotencyItemNotFoundError()
    return this.#toRecord(idempotencyKey, entry)
  }

  /** Stores a new in-progress entry, or refuses as DynamoDB's condition would; Powertools calls it. */
  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#entries.get(record.idempotencyKey)
    const now = Date.now()
    // The condition of Powertools' DynamoDB layer: no entry, or an expired one, or one in
    // progress whose invocation's deadline has passed.
    const free =
      existing === undefined ||
      (existing.expiryTimestamp !== undefined && existing.expiryTimestamp < now / 1000) ||
      (existing.status === IdempotencyRecordStatus.INPROGRESS &&
        existing.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp < now)
    if (!free) {
      throw new IdempotencyItemAlreadyExistsError(
        `Failed to put record for already existing idempotency key: ${record.idempotencyKey}`,
        this.#toRecord(record.idempotencyKey, existing),
      )
    }
    this.#entries.set(record.idempotencyKey, {
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      inProgressExpiryTimestamp: record.inProgressExpiryTimestamp,
      responseData: undefined,
      payloadHash: record.payloadHash,
    })
  }

  /** Stores a completed entry and its result; Powertools calls it. */
  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#entries.get(record.idempotencyKey)
    this.#entries.set(record.idempotencyKey, {
      status: record.getStatus(),
      expiryTimestamp: record.expiryTimestamp,
      inProgressExpiryTimestamp: existing?.inProgressExpiryTimestamp,
      // Stored as DynamoDB would: a copy, so later changes to the returned object do not leak in.
      responseData: record.responseData === undefined ? undefined : structuredClone(record.responseData),
      payloadHash: record.payloadHash,
    })
  }

  /** Forgets an entry (its record function failed); Powertools calls it. */
  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#entries.delete(record.idempotencyKey)
  }
}
