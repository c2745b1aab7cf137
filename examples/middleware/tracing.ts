// Tracing through the middleware API: one span per batch (a middleware's `batch` part) and one per
// record, children of the batch's span. Written against the shape of OpenTelemetry's `Tracer`
// (`trace.getTracer('orders')` from `@opentelemetry/api`), so this package needs no tracing library.
import * as z from 'zod'
import { kinesisHandler, type BaseMeta, type BatchHook, type Middleware } from 'lambda-stream-handlers'

/** The part of an OpenTelemetry `Span` used here. */
export interface Span {
  setAttribute(key: string, value: string | number): unknown
  recordException(exception: Error): unknown
  setStatus(status: { code: number; message?: string }): unknown
  end(): unknown
}

/** The part of an OpenTelemetry `Tracer` used here: the span is active while `fn` runs. */
export interface SpanTracer {
  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>
}

const ERROR = 2 // SpanStatusCode.ERROR

export function traced<P, M extends BaseMeta & { readonly sequenceNumber?: string }>(tracer: SpanTracer): Middleware<P, M> {
  const batch: BatchHook = (start, run) =>
    tracer.startActiveSpan(`${start.source} batch`, async (span) => {
      try {
        const report = await run()
        span.setAttribute('batch.records', report.outcomes.length)
        span.setAttribute('batch.reported', report.batchItemFailures.length)
        return report
      } finally {
        span.end()
      }
    })
  const perRecord: Middleware<P, M> = (next) => (payload, meta) =>
    tracer.startActiveSpan('record', async (span) => {
      if (meta.sequenceNumber !== undefined) span.setAttribute('record.sequence_number', meta.sequenceNumber)
      try {
        return await next(payload, meta)
      } catch (e) {
        span.recordException(e as Error)
        span.setStatus({ code: ERROR, message: (e as Error).message })
        throw e
      } finally {
        span.end()
      }
    })
  return Object.assign(perRecord, { batch })
}

const Order = z.object({ orderId: z.string(), total: z.number() })

export function ordersHandler(tracer: SpanTracer) {
  return kinesisHandler(Order)
    .use(traced(tracer))
    .handle(async (order) => {
      if (order.total > 10_000) throw new Error('needs a manual review')
    })
}
