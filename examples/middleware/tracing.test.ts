import { AsyncLocalStorage } from 'node:async_hooks'
import { expect, it } from 'vitest'
import { kinesisEvent, lambdaContext } from 'lambda-stream-handlers/testing'
import { ordersHandler, type Span, type SpanTracer } from './tracing.js'

/** A tracer that keeps its spans and their parents, as OpenTelemetry's active context does. */
function memoryTracer() {
  const spans: { name: string; parent: string | undefined; attributes: Record<string, unknown>; error?: string; ended: boolean }[] = []
  const active = new AsyncLocalStorage<string>()
  const tracer: SpanTracer = {
    startActiveSpan(name, fn) {
      const kept: (typeof spans)[number] = { name, parent: active.getStore(), attributes: {}, ended: false }
      spans.push(kept)
      const span: Span = {
        setAttribute: (k, v) => (kept.attributes[k] = v),
        recordException: (e) => (kept.error = e.message),
        setStatus: () => {},
        end: () => (kept.ended = true),
      }
      return active.run(name, () => fn(span)) as ReturnType<typeof fn>
    },
  }
  return { tracer, spans }
}

it('makes a span per batch and one per record inside it; the failing record has its error', async () => {
  const { tracer, spans } = memoryTracer()
  const handler = ordersHandler(tracer)
  const event = kinesisEvent([
    { orderId: 'o-1', total: 5 },
    { orderId: 'o-2', total: 20_000 },
  ])
  await handler.process(event, lambdaContext())
  expect(spans.map((s) => [s.name, s.parent, s.ended])).toEqual([
    ['kinesisHandler batch', undefined, true],
    ['record', 'kinesisHandler batch', true],
    ['record', 'kinesisHandler batch', true],
  ])
  expect(spans[0]?.attributes).toEqual({ 'batch.records': 2, 'batch.reported': 1 })
  expect(spans[2]?.error).toBe('needs a manual review')
})
