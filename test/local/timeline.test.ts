// renderTimeline without a browser: what the page holds (test/browser checks how it renders).
import type { KinesisStreamEvent } from 'aws-lambda'
import { expect, it } from 'vitest'
import { renderTimeline, simulate } from 'lambda-stream-handlers/local'

const puts = [
  { data: { orderId: 'o-1', secret: 'card-4242' }, at: 0 },
  { data: { orderId: 'o-2', secret: 'card-4343' }, at: 10 },
]

/** A handler whose error message tries to end the page's script and open its own. */
function hostile(event: KinesisStreamEvent): never {
  throw new Error(`</script><script>alert(1)</script> ${event.Records.length}`)
}

it('keeps payloads out unless logPayloads, and no text of the report becomes markup', async () => {
  const report = await simulate(hostile, { source: 'kinesis', records: puts, MaximumRetryAttempts: 0 })
  const html = renderTimeline(report)
  expect(html.startsWith('<!doctype html>')).toBe(true)
  expect(html).not.toContain('card-4242')
  expect(html).not.toContain('<script>alert(1)')
  expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)')
  // Nothing is fetched: no URL other than the SVG namespace-free markup, no external script or style.
  expect(html).not.toMatch(/\b(src|href)=["']https?:/)
  expect(renderTimeline(report, { logPayloads: true })).toContain('card-4242')
})

it('uses the reasons the handler logged, by record, when given', async () => {
  const report = await simulate(hostile, { source: 'kinesis', records: puts, MaximumRetryAttempts: 0 })
  const id = report.outcomes[0]?.id as string
  const html = renderTimeline(report, { reasons: new Map([[id, 'the card was declined']]), title: 'Orders & refunds' })
  expect(html).toContain('the card was declined')
  expect(html).toContain('<title>Orders &amp; refunds</title>')
})

it('draws an empty report without failing', async () => {
  const report = await simulate(() => ({}), { source: 'kinesis', records: [] })
  const html = renderTimeline(report)
  expect(html).toContain('0 records')
  expect(html).toContain('No invocation.')
})
