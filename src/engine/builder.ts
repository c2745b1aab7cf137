import type { Context } from 'aws-lambda'
import { createProcessor, toLambdaHandler, type BatchReport, type RecordFunction, type Source } from './engine.js'
import { quietLogger } from './logger.js'
import { tagHandler } from './handler-info.js'
import { checkOptions, type CommonOptions } from './options.js'
import type { Schema } from './schema.js'

/**
 * A middleware wraps the record function: it receives the next function (which expects `meta`
 * grown by `Add`) and returns the function the engine calls. What it throws fails that record.
 * `.use()` applies middleware in the order written, the first outermost.
 *
 * @example
 * ```ts
 * export const timed =
 *   <P, M extends BaseMeta>(): Middleware<P, M, { startedAt: number }> =>
 *   (next) =>
 *   async (payload, meta) => {
 *     const startedAt = performance.now()
 *     try {
 *       // What `next` throws fails the record; returning its result lets outer middleware see it.
 *       return await next(payload, { ...meta, startedAt })
 *     } finally {
 *       meta.logger.info('record timed', { ms: performance.now() - startedAt })
 *     }
 *   }
 * ```
 */
export type Middleware<P, M, Add extends object = object> = ((next: RecordFunction<P, M & Add>) => RecordFunction<P, M>) & {
  /** Runs around each whole batch, for what one record cannot see (counts, the batch's duration). */
  readonly batch?: BatchHook
}

/** What a {@link BatchHook} is told about the batch it runs around. */
export interface BatchStart {
  /** The handler's source, such as `'kinesisHandler'`. */
  readonly source: string
  readonly event: unknown
  readonly context: Context | undefined
  /** When each record reached its stream or queue (epoch ms, `undefined` where it does not say); throws on a malformed event. */
  arrivals(): (number | undefined)[]
}

/**
 * A middleware's batch-level part: it runs around each batch (`run` processes it) and returns its
 * report. It sees every outcome before the handler answers Lambda or throws `AllRecordsFailedError`.
 */
export type BatchHook = <Id>(batch: BatchStart, run: () => Promise<BatchReport<Id>>) => Promise<BatchReport<Id>>

/** The identifier type of a partial batch response `R`: a string, or Kafka's `{ partition, offset }`. */
export type ItemIdentifierOf<R> = R extends { readonly batchItemFailures: readonly { readonly itemIdentifier: infer I }[] } ? I : string

/**
 * A Lambda handler for a batch event. Call it as Lambda does; `process` returns every record's
 * outcome instead of throwing when all failed, for tests and tools.
 */
export interface BatchHandler<E, R> {
  (event: E, context?: Context): Promise<R>
  /** Runs the batch and returns each record's outcome and the response, without throwing when all records failed. */
  process(event: E, context?: Context): Promise<BatchReport<ItemIdentifierOf<R>>>
}

/** The builder form: `.use()` middleware, then `.handle()` the record function. */
export interface HandlerBuilder<P, M, E, R> {
  /** Adds a middleware around the record function; the first `.use()` is the outermost. */
  use<Add extends object = object>(middleware: Middleware<P, M, Add>): HandlerBuilder<P, M & Add, E, R>
  /** Finishes the handler with the record function. */
  handle(fn: RecordFunction<P, M>): BatchHandler<E, R>
}

/**
 * The builder shared by every source. Options are checked and the parser (schema included) is
 * built here, once, when the handler is defined.
 */
export function makeBuilder<Rec, M, P, O extends CommonOptions<Schema, Rec>, E, R, Id = string>(
  source: Source<Rec, M, O, Id>,
  options: O,
  middleware: readonly Middleware<P, M, object>[] = [],
): HandlerBuilder<P, M, E, R> {
  if (middleware.length === 0) checkOptions(source.name, options, source.options, source.plan([]).ordering)
  const mustBeFunction = (value: unknown, method: string, what: string): void => {
    if (typeof value !== 'function') throw new TypeError(`${source.name}(...).${method}() takes ${what}; received ${typeof value}.`)
  }
  return {
    use<Add extends object>(mw: Middleware<P, M, Add>): HandlerBuilder<P, M & Add, E, R> {
      mustBeFunction(mw, 'use', 'a middleware function')
      // The chain is typed step by step by `use`'s signature; stored, the steps share one shape.
      return makeBuilder(source, options, [...middleware, mw as unknown as Middleware<P, M, object>]) as unknown as HandlerBuilder<
        P,
        M & Add,
        E,
        R
      >
    },
    handle(fn: RecordFunction<P, M>): BatchHandler<E, R> {
      mustBeFunction(fn, 'handle', 'the record function')
      const wrapped = middleware.reduceRight<RecordFunction<P, M>>((next, mw) => mw(next as RecordFunction<P, M & object>), fn)
      const settings = {
        ordering: options.ordering,
        concurrency: options.concurrency ?? 10,
        onInvalid: options.onInvalid ?? 'fail',
        allFailed: options.allFailed ?? 'throw',
        deadlineMarginMs: options.deadlineMarginMs ?? 1000,
        logger: options.logger ?? quietLogger,
        logPayloads: options.logPayloads ?? false,
      } as const
      // Middleware spreads `meta` ({ ...meta, extra }), which copies no getter: it gets the eager form
      // (unless every middleware handed the record function back unwrapped, as a batch-only one does).
      const { lazyMeta } = source
      const read =
        lazyMeta !== undefined && wrapped === fn && (options as { eagerMeta?: boolean }).eagerMeta !== true
          ? { ...source, meta: lazyMeta }
          : source
      const hooks = middleware.map((mw) => mw.batch).filter((hook) => typeof hook === 'function')
      // With batch hooks, the records the processor read are kept by event, so that a hook asking
      // for their arrival times after the batch does not read and check them again.
      const readRecords = new WeakMap<object, readonly Rec[]>()
      const records = (event: unknown): readonly Rec[] => {
        const list = source.records(event, options)
        if (typeof event === 'object' && event !== null) readRecords.set(event, list)
        return list
      }
      const recordsRead = (event: unknown): readonly Rec[] =>
        (typeof event === 'object' && event !== null ? readRecords.get(event) : undefined) ?? source.records(event, options)
      let processBatch = createProcessor(
        hooks.length === 0 ? { ...read, records: (event: unknown) => source.records(event, options) } : { ...read, records },
        source.parser(options) as (record: Rec, meta: M) => P,
        wrapped,
        settings,
      )
      const arrivalMs = source.stream?.arrivalMs ?? source.arrivalMs
      for (const hook of hooks.reverse()) {
        const inner = processBatch
        processBatch = (event, context) =>
          hook({ source: source.name, event, context, arrivals: () => recordsRead(event).map((r) => arrivalMs?.(r)) }, () =>
            inner(event, context),
          )
      }
      const handler = toLambdaHandler(processBatch, settings) as unknown as BatchHandler<E, R>
      handler.process = processBatch as BatchHandler<E, R>['process']
      const { streamViewType } = options as { streamViewType?: string }
      return tagHandler(handler, {
        source: source.name.replace(/Handler$/, ''),
        ...(options.ordering === undefined ? {} : { ordering: options.ordering }),
        reportsPartialFailures: true,
        window: false,
        ...(streamViewType === undefined && source.name !== 'dynamodbHandler'
          ? {}
          : { streamViewType: streamViewType ?? 'NEW_AND_OLD_IMAGES' }),
      })
    },
  }
}
