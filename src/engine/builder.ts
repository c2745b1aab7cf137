import type { Context } from 'aws-lambda'
import { createProcessor, toLambdaHandler, type BatchReport, type RecordFunction, type Source } from './engine.js'
import { quietLogger } from './logger.js'
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
export type Middleware<P, M, Add extends object = object> = (next: RecordFunction<P, M & Add>) => RecordFunction<P, M>

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
      // Middleware spreads `meta` ({ ...meta, extra }), which copies no getter: it gets the eager form.
      const { lazyMeta } = source
      const lazy = lazyMeta !== undefined && middleware.length === 0 && (options as { eagerMeta?: boolean }).eagerMeta !== true
      const read = { ...source, records: (event: unknown) => source.records(event, options), meta: lazy ? lazyMeta : source.meta }
      const processBatch = createProcessor(read, source.parser(options) as (record: Rec, meta: M) => P, wrapped, settings)
      const handler = toLambdaHandler(processBatch, settings) as unknown as BatchHandler<E, R>
      handler.process = processBatch as BatchHandler<E, R>['process']
      return handler
    },
  }
}
