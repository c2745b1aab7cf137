import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import type { InferInput, Schema } from '../engine/schema.js'
import type { DecodeMode } from '../sources/decode.js'
import { kinesisSource, type KinesisMeta } from '../sources/kinesis/index.js'
import { windowHandler, type StateSchema, type WindowFields, type WindowHandler, type WindowOptions } from './window.js'

/** Options of {@link kinesisWindowHandler}. */
export interface KinesisWindowOptions<S extends Schema, St extends StateSchema>
  extends WindowOptions<S, St, KinesisStreamRecord, KinesisMeta> {
  /** How the record's base64 `data` becomes the value the schema checks. Default `'json'`. */
  readonly decode?: DecodeMode | undefined
  /** The most bytes a gzip record may inflate to, as for `kinesisHandler`. Default 6,291,456. */
  readonly maxInflatedBytes?: number | undefined
  /** The most user records one KPL aggregate may hold, as for `kinesisHandler`. Default 10,000. */
  readonly maxUserRecords?: number | undefined
}

/** A Kinesis event with the tumbling-window fields. */
export interface KinesisWindowEvent extends KinesisStreamEvent, WindowFields {}

/**
 * Builds a Lambda handler for a Kinesis trigger with tumbling windows (`TumblingWindowInSeconds`
 * on the event source mapping). Each record is decoded and checked as by `kinesisHandler`, then
 * folded into the window's state by `reduce`, in order. The state travels between invocations as
 * JSON: the incoming state is validated by the `state` schema (`{}`, sent when a window opens,
 * becomes `initial()`), and every response is `{ state, batchItemFailures: [] }`. On the
 * window's final invocation `onWindowEnd` receives the whole aggregate, the window's start and
 * end as `Date`s, the shard id and whether Lambda ended the window early.
 *
 * Failures fail the whole invocation (it throws): an invalid record (unless `onInvalid` skips or
 * hands it off), a `reduce` that throws, a state that is not JSON, does not match the schema or is
 * over 1 MB, an `onWindowEnd` that throws. AWS does not document how a partial failure
 * inside a window moves the state, so nothing is reported per record: the state returned
 * by the last successful invocation stands and Lambda's retry aggregates each record exactly once.
 *
 * @example
 * From `examples/windows/totals.ts`:
 * ```ts
 * import * as z from 'zod'
 * import { kinesisWindowHandler } from 'lambda-stream-handlers'
 *
 * export const Sale = z.object({ cents: z.number().int().nonnegative() })
 * // Totals by partition key in a Map, so that any key, `__proto__` or `constructor` too, is just a
 * // key; as JSON the Map is a list of [key, cents] entries.
 * export const Totals = z.codec(z.object({ totals: z.array(z.tuple([z.string(), z.number().int()])) }), z.map(z.string(), z.number().int()), {
 *   decode: (json) => new Map(json.totals),
 *   encode: (totals) => ({ totals: [...totals] }),
 * })
 *
 * export const handler = kinesisWindowHandler({
 *   schema: Sale,
 *   state: Totals,
 *   initial: () => new Map(),
 *   reduce: (totals, sale, meta) => totals.set(meta.partitionKey, (totals.get(meta.partitionKey) ?? 0) + sale.cents),
 *   onWindowEnd: async (totals, window) => {
 *     await publish(window.shardId, window.start, totals, window.terminatedEarly)
 *   },
 * })
 * ```
 */
export function kinesisWindowHandler<S extends Schema, St extends StateSchema>(
  options: KinesisWindowOptions<S, St>,
): WindowHandler<KinesisWindowEvent, InferInput<St>> {
  return windowHandler(
    'kinesisWindowHandler',
    kinesisSource,
    options as unknown as KinesisWindowOptions<Schema, StateSchema>,
  ) as unknown as WindowHandler<KinesisWindowEvent, InferInput<St>>
}
