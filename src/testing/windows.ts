import type { Context, KinesisStreamRecord } from 'aws-lambda'
import type { InferInput, Schema } from '../engine/schema.js'
import type { KinesisWindowEvent } from '../windows/kinesis.js'
import type { JsonObject, WindowFields, WindowResponse } from '../windows/window.js'
import type { DynamoDBWindowEvent } from '../windows/dynamodb.js'
import { dynamodbEvent, type DynamoDBEventOptions, type DynamoDBTestChange } from './dynamodb.js'
import { kinesisEvent, type KinesisEventOptions } from './kinesis.js'
import type { RawData } from './raw.js'

/** Options of {@link windowEvent}: the window fields Lambda adds to a stream event. */
export interface WindowEventOptions {
  /** The window's start. Default: the start of the current minute. */
  readonly start?: Date | string | undefined
  /** The window's end. Default: one minute after `start`. */
  readonly end?: Date | string | undefined
  /** The state so far. Default `{}`, what Lambda sends when a window opens. */
  readonly state?: JsonObject | undefined
  /** Default: the shard of the first record's `eventID` (Kinesis), else `'shardId-000000000000'`. */
  readonly shardId?: string | undefined
  /** Default: the first record's `eventSourceARN`. */
  readonly eventSourceARN?: string | undefined
  /** `isFinalInvokeForWindow`. Default false. */
  readonly final?: boolean | undefined
  /** `isWindowTerminatedEarly`. Default false. */
  readonly terminatedEarly?: boolean | undefined
}

function iso(time: Date | string): string {
  return typeof time === 'string' ? time : time.toISOString().replace('.000Z', 'Z')
}

/**
 * Adds the tumbling-window fields to a stream event built by any event builder, as Lambda does
 * when the mapping has `TumblingWindowInSeconds`. `Records` may be empty.
 *
 * @example
 * ```ts
 * const event = windowEvent(kinesisEvent([{ cents: 5 }], { schema: Sale }), { state: { totals: [['pk-0', 10]] } })
 * ```
 */
export function windowEvent<E extends { Records: readonly unknown[] }>(event: E, options: WindowEventOptions = {}): E & WindowFields {
  const first = event.Records[0] as { eventID?: unknown; eventSourceARN?: unknown } | undefined
  const fromRecord = typeof first?.eventID === 'string' && first.eventID.startsWith('shardId-') ? first.eventID.split(':')[0] : undefined
  const start = options.start ?? new Date(Math.floor(Date.now() / 60_000) * 60_000)
  const end = options.end ?? new Date(new Date(start).getTime() + 60_000)
  const arn = options.eventSourceARN ?? (typeof first?.eventSourceARN === 'string' ? first.eventSourceARN : undefined)
  return {
    ...event,
    window: { start: iso(start), end: iso(end) },
    state: options.state ?? {},
    shardId: options.shardId ?? fromRecord ?? 'shardId-000000000000',
    ...(arn === undefined ? {} : { eventSourceARN: arn }),
    isFinalInvokeForWindow: options.final ?? false,
    isWindowTerminatedEarly: options.terminatedEarly ?? false,
  }
}

/**
 * Builds a Kinesis tumbling-window event: `kinesisEvent`'s records plus the window fields.
 *
 * @example
 * ```ts
 * const event = kinesisWindowEvent([{ cents: 7 }], { schema: Sale, partitionKey: 'store-3', state: { totals: [['store-3', 3]] }, final: true, terminatedEarly: true })
 * ```
 */
export function kinesisWindowEvent<
  S extends Schema = Schema,
  const P extends InferInput<S> | RawData | Uint8Array = InferInput<S> | RawData | Uint8Array,
>(
  payloads: readonly P[] & readonly (InferInput<S> | RawData | Uint8Array)[],
  options: KinesisEventOptions<S, P> & WindowEventOptions = {},
): KinesisWindowEvent {
  return windowEvent(kinesisEvent(payloads, options), options)
}

/**
 * Builds a DynamoDB Streams tumbling-window event: `dynamodbEvent`'s records plus the window fields.
 *
 * @example
 * ```ts
 * const good = dynamodbWindowEvent([remove({ orderId: 'o-1', status: 'PAID', totalCents: 900 })], { schema: Order, keys: ['orderId'], final: true })
 * ```
 */
export function dynamodbWindowEvent<S extends Schema = Schema>(
  changes: readonly DynamoDBTestChange<NoInfer<InferInput<S>>>[],
  options: DynamoDBEventOptions<S> & WindowEventOptions = {},
): DynamoDBWindowEvent {
  return windowEvent(dynamodbEvent(changes, options), options)
}

/** Options of {@link runWindow}. */
export interface RunWindowOptions extends Omit<WindowEventOptions, 'state' | 'final'> {
  /** The state the first invocation receives. Default `{}` (a window that opens). */
  readonly state?: JsonObject | undefined
  /**
   * How many times a failed invocation is retried with the same batch and the same state, as
   * Lambda does. Default 0: the first failure ends the run.
   */
  readonly retries?: number | undefined
  /** The Lambda context each invocation gets. */
  readonly context?: (() => Context) | undefined
}

/** One invocation of a {@link runWindow}: the event sent and what came back. */
export type WindowInvocation<State> =
  | { readonly event: WindowFields & { Records: readonly unknown[] }; readonly response: WindowResponse<State> }
  | { readonly event: WindowFields & { Records: readonly unknown[] }; readonly error: unknown }

/** What {@link runWindow} saw. */
export interface WindowRun<State> {
  /** The state the final invocation returned. */
  readonly state: State
  /** Every invocation, retries included, in order. */
  readonly invocations: readonly WindowInvocation<State>[]
}

/**
 * Drives one window through several invocations, as Lambda does: each batch becomes one
 * invocation of the same window, each response's `state` goes into the next event, and the last
 * batch is the final invocation (`isFinalInvokeForWindow`). A failed invocation is retried with
 * the same batch and state up to `retries` times; after that the error is thrown.
 *
 * @example
 * ```ts
 * const run = await runWindow(
 *   handler,
 *   [
 *     kinesisEvent([{ cents: 100 }, { cents: 250 }], { schema: Sale, partitionKey: (_s, i) => ['store-1', 'store-2'][i]! }),
 *     kinesisEvent([{ cents: 5 }], { schema: Sale, partitionKey: 'store-1' }),
 *     { Records: [] }, // a final invocation may carry no records
 *   ],
 *   { start: '2026-06-01T12:00:00Z', end: '2026-06-01T12:05:00Z', shardId: 'shardId-000000000001', context: () => lambdaContext() },
 * )
 * ```
 */
export async function runWindow<E extends WindowFields & { Records: readonly unknown[] }, State>(
  handler: (event: E, context?: Context) => Promise<WindowResponse<State>>,
  batches: readonly Omit<E, keyof WindowFields>[],
  options: RunWindowOptions = {},
): Promise<WindowRun<State>> {
  if (batches.length === 0) throw new TypeError('runWindow needs at least one batch: the last one is the final invocation.')
  const retries = options.retries ?? 0
  const start = options.start ?? new Date(Math.floor(Date.now() / 60_000) * 60_000)
  // One window, one shard: every invocation carries the same fields, an empty batch included.
  const withRecords = batches.find((b) => (b as { Records: readonly unknown[] }).Records.length > 0) as
    | { Records: readonly unknown[] }
    | undefined
  const sample = windowEvent(withRecords ?? { Records: [] }, options)
  const fields = {
    ...options,
    start,
    shardId: sample.shardId,
    ...(sample.eventSourceARN === undefined ? {} : { eventSourceARN: sample.eventSourceARN }),
  }
  const invocations: WindowInvocation<State>[] = []
  let state: JsonObject = options.state ?? {}
  let last: WindowResponse<State> | undefined
  for (let i = 0; i < batches.length; i++) {
    const batch = batches[i] as Omit<E, keyof WindowFields> & { Records: readonly unknown[] }
    const event = windowEvent(batch, { ...fields, state, final: i === batches.length - 1 }) as unknown as E
    for (let attempt = 0; ; attempt++) {
      try {
        last = await handler(event, options.context?.())
        invocations.push({ event, response: last })
        // What Lambda hands the next invocation: the response as JSON (fact 61).
        state = JSON.parse(JSON.stringify(last.state)) as JsonObject
        break
      } catch (error) {
        invocations.push({ event, error })
        if (attempt >= retries) throw error
      }
    }
  }
  return { state: (last as WindowResponse<State>).state, invocations }
}

/**
 * "Example KinesisTimeWindowEvent", AWS Lambda Developer Guide, "Implementing stateful Kinesis
 * Data Streams processing in Lambda" (services-kinesis-windows.html), verbatim. Its data is text.
 */
function kinesisWindowSample(): KinesisWindowEvent {
  const record: KinesisStreamRecord = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: '1',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
      approximateArrivalTimestamp: 1607497475.0,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-kinesis-role',
    awsRegion: 'us-east-1',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream',
  }
  return {
    Records: [record],
    window: { start: '2020-12-09T07:04:00Z', end: '2020-12-09T07:06:00Z' },
    state: { '1': 282, '2': 715 },
    shardId: 'shardId-000000000006',
    eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/lambda-stream',
    isFinalInvokeForWindow: false,
    isWindowTerminatedEarly: false,
  }
}

/**
 * Tumbling-window sample events copied verbatim from the AWS documentation. Each returns a fresh
 * copy, so a test may change it.
 *
 * @example
 * ```ts
 * await expect(handler({ ...sampleWindowEvents.kinesis(), state: {} })).rejects.toThrow(WindowRecordError)
 * ```
 */
export const sampleWindowEvents = {
  /** "Example KinesisTimeWindowEvent" (services-kinesis-windows.html). Its data is text, not JSON. */
  kinesis: kinesisWindowSample,
}
