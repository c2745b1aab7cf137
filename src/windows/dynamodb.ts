import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda'
import type { Source } from '../engine/engine.js'
import type { InferInput, InferOutput, Schema } from '../engine/schema.js'
import {
  dynamodbSource,
  type DynamoDBChange,
  type DynamoDBMeta,
  type DynamoDBOptions,
  type StreamViewType,
  type ViewOf,
} from '../sources/dynamodb/index.js'
import type { UnsafeNumbers } from '../sources/unmarshall.js'
import { windowHandler, type StateSchema, type WindowFields, type WindowHandler, type WindowOptions } from './window.js'

type Rec = Parameters<typeof dynamodbSource.id>[0]

/** Options of {@link dynamodbWindowHandler}. `reduce` receives the typed change, as `dynamodbHandler`'s function does. */
export interface DynamoDBWindowOptions<S extends Schema, St extends StateSchema, V extends StreamViewType | undefined = undefined>
  extends WindowOptions<S, St, DynamoDBRecord, DynamoDBMeta, DynamoDBChange<InferOutput<S>, ViewOf<{ readonly streamViewType: V }>>> {
  /** The stream's view type, which decides which images each change carries. Default `'NEW_AND_OLD_IMAGES'`. */
  readonly streamViewType?: V | undefined
  /** What becomes of a number a JavaScript `number` cannot hold exactly. Default `'bigint'`. */
  readonly unsafeNumbers?: UnsafeNumbers | undefined
}

/** A DynamoDB Streams event with the tumbling-window fields. */
export interface DynamoDBWindowEvent extends DynamoDBStreamEvent, WindowFields {}

// The options as the window core sees them: the change is the parser's, typed by the public signature.
type Options = WindowOptions<Schema, StateSchema, Rec, DynamoDBMeta, unknown> &
  Pick<DynamoDBOptions<Schema>, 'streamViewType' | 'unsafeNumbers'>

/**
 * Builds a Lambda handler for a DynamoDB Streams trigger with tumbling windows
 * (`TumblingWindowInSeconds` on the event source mapping): `kinesisWindowHandler`'s rules, with
 * `reduce` receiving each record as the typed change `dynamodbHandler` gives (INSERT, MODIFY,
 * REMOVE, images unmarshalled losslessly and checked by `schema`, by `streamViewType`).
 *
 * Failures fail the whole invocation (it throws): an invalid record (unless `onInvalid` skips or
 * hands it off), a `reduce` that throws, a state that is not JSON, does not match the schema or is
 * over 1 MB, an `onWindowEnd` that throws. AWS does not document how a partial failure
 * inside a window moves the state, so nothing is reported per record: the state returned
 * by the last successful invocation stands and Lambda's retry aggregates each record exactly once.
 *
 * @example
 * From `examples/windows/orders.ts`:
 * ```ts
 * import * as z from 'zod'
 * import { dynamodbWindowHandler } from 'lambda-stream-handlers'
 *
 * export const Order = z.object({ orderId: z.string(), status: z.enum(['NEW', 'PAID', 'SHIPPED']), totalCents: z.number().int() })
 * export const Tally = z.object({ created: z.number().int(), paid: z.number().int(), paidCents: z.number().int(), removed: z.number().int() })
 *
 * export const reports: string[] = []
 *
 * export const handler = dynamodbWindowHandler({
 *   schema: Order,
 *   state: Tally,
 *   initial: () => ({ created: 0, paid: 0, paidCents: 0, removed: 0 }),
 *   reduce: (tally, change) => {
 *     switch (change.eventName) {
 *       case 'INSERT':
 *         return { ...tally, created: tally.created + 1 }
 *       case 'MODIFY':
 *         if (change.oldImage.status === 'PAID' || change.newImage.status !== 'PAID') return tally
 *         return { ...tally, paid: tally.paid + 1, paidCents: tally.paidCents + change.newImage.totalCents }
 *       case 'REMOVE':
 *         return { ...tally, removed: tally.removed + 1 }
 *     }
 *   },
 *   onWindowEnd: (tally, window) => {
 *     reports.push(`${window.start.toISOString()} ${window.shardId}: ${tally.created} new, ${tally.paid} paid (${tally.paidCents} cents), ${tally.removed} removed`)
 *   },
 * })
 * ```
 */
export function dynamodbWindowHandler<S extends Schema, St extends StateSchema, V extends StreamViewType | undefined = undefined>(
  options: DynamoDBWindowOptions<S, St, V>,
): WindowHandler<DynamoDBWindowEvent, InferInput<St>> {
  return windowHandler(
    'dynamodbWindowHandler',
    dynamodbSource as unknown as Source<Rec, DynamoDBMeta, Options>,
    options as unknown as Options,
  ) as unknown as WindowHandler<DynamoDBWindowEvent, InferInput<St>>
}
