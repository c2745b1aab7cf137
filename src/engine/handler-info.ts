import type { Ordering } from './options.js'

/**
 * What a handler built by this library knows about the mapping it expects, kept on the handler
 * under a symbol (not enumerable), so that `checkMapping` can hold a deployed mapping against it.
 */
export interface HandlerInfo {
  /** The source it reads: `'kinesis'`, `'dynamodb'`, `'sqs'` (the builder's name without `Handler`). */
  readonly source: string
  /** The ordering the handler was given; absent when it takes its source's default. */
  readonly ordering?: Ordering
  /** Whether it answers with `batchItemFailures`, which Lambda reads only under `ReportBatchItemFailures`. */
  readonly reportsPartialFailures: boolean
  /** A tumbling-window handler: it needs window events and answers with `state`. */
  readonly window: boolean
  /** DynamoDB: the stream view type it reads. */
  readonly streamViewType?: string
}

const INFO = Symbol.for('lambda-stream-handlers.handler-info')

/** Keeps `info` on `handler`, not enumerable. */
export function tagHandler<F extends object>(handler: F, info: HandlerInfo): F {
  Object.defineProperty(handler, INFO, { value: Object.freeze({ ...info }), enumerable: false })
  return handler
}

/** What `handler` knows of its mapping, when a builder of this library made it. */
export function handlerInfo(handler: unknown): HandlerInfo | undefined {
  if (typeof handler !== 'function') return undefined
  const info = (handler as unknown as Record<symbol, unknown>)[INFO]
  return typeof info === 'object' && info !== null ? (info as HandlerInfo) : undefined
}
