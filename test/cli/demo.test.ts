import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { Order, orderStream } from '../../src/cli/demo-orders.js'
import { runCli } from '../helpers.js'

const root = new URL('../../', import.meta.url).pathname

// The demo end to end, as `npm run demo` runs it: kinesalite and dynalite in the child process,
// the orders handler through runLocal. The child must exit by itself: a server, client or timer
// left open would keep it alive past the timeout.
it('demo: every record ends as the stream made it, duplicates are suppressed, nothing is charged twice', async () => {
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'demo', '--records', '300', '--json'],
      { cwd: root, timeout: 90_000 },
      (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr })
      },
    )
  })
  expect(out.code, out.stderr).toBe(0)
  const s = JSON.parse(out.stdout)
  const { mix } = orderStream(300)
  expect(mix).toEqual({ records: 300, duplicates: 13, malformed: 4, review: 3 })
  expect(s.mix).toEqual(mix)
  expect(Object.values(s.shards).reduce((a: number, b) => a + (b as number), 0)).toBe(300)
  expect(Object.keys(s.shards)).toHaveLength(2)
  // The malformed and refused records are discarded, each alone (bisect isolates it), each for its own reason.
  expect(s.discarded).toBe(mix.malformed + mix.review)
  expect(s.succeeded).toBe(300 - s.discarded)
  expect(s.discardedWhy).toEqual({
    'not JSON': 1,
    'failed the schema at `total`': 1,
    'failed the schema at `currency`': 1,
    'failed the schema at `orderId`': 1,
    'the handler threw: order o-… needs a manual review (total above 10,000)': 3,
  })
  expect(s.discardedBehindFailure).toBe(0)
  expect(s.failureRecords).toBe(s.discarded)
  // Each discarded record was retried MaximumRetryAttempts (2) times on its own before it went.
  expect(s.triggers.retry).toBeGreaterThanOrEqual(2 * s.discarded)
  expect(s.triggers.bisect).toBeGreaterThan(0)
  expect(s.failedInvocations).toBeGreaterThan(0)
  expect(s.redelivered).toBeGreaterThan(0)
  // Every producer duplicate was delivered, and idempotency handed back the stored result.
  expect(s.duplicatesSuppressed).toBe(mix.duplicates)
  expect(s.charged).toBe(300 - mix.duplicates - mix.malformed - mix.review)
  expect(s.chargedTwice).toBe(0)
  expect(s.pending).toBe(0)
  // The order-totals consumer: every record that passes the schema lands in exactly one window, once.
  const { puts } = orderStream(300)
  const valid = puts.flatMap((p) => {
    try {
      const r = Order.safeParse(JSON.parse(Buffer.from(p.data).toString()))
      return r.success ? [r.data] : []
    } catch {
      return []
    }
  })
  const cents = (c: 'EUR' | 'USD'): number => valid.filter((o) => o.currency === c).reduce((n, o) => n + Math.round(o.total * 100), 0)
  expect(valid).toHaveLength(300 - mix.malformed)
  expect(s.windowRecords).toEqual({ succeeded: 300 })
  expect(s.windows.length).toBeGreaterThanOrEqual(2)
  const sum = (k: 'orders' | 'EUR' | 'USD'): number => s.windows.reduce((n: number, w: Record<string, number>) => n + w[k]!, 0)
  expect(sum('orders')).toBe(valid.length)
  expect(sum('EUR')).toBe(cents('EUR'))
  expect(sum('USD')).toBe(cents('USD'))
  expect(new Set(s.windows.map((w: { shardId: string; start: string }) => `${w.shardId} ${w.start}`)).size).toBe(s.windows.length)
  // The story and the progress go to stderr with --json; the summary is there in words.
  expect(out.stderr).toMatch(/kinesalite on http:\/\/127\.0\.0\.1:\d+: stream "orders", 2 shards/)
  expect(out.stderr).toMatch(/300\/300 records settled/)
  expect(out.stderr).toContain(`duplicates suppressed  ${mix.duplicates} `)
  expect(out.stderr).toMatch(new RegExp(`window totals +${s.windows.length} windows of 1 s over both shards; ${valid.length} order events`))
  expect(out.stderr).toContain('servers stopped')
  // The run as a timeline page, written where the demo says.
  expect(readFileSync(/timeline: (\S+)/.exec(out.stderr)?.[1] as string, 'utf8')).toContain('id="timeline"')
  // Each number is explained: charges ahead of settled records, the cost of the bad records, the window totals against the charges, the time zone.
  expect(out.stderr).toContain('an order is charged as soon as its record runs, so charges run ahead of settled records')
  expect(out.stderr).toContain(
    `why so many: each of the ${mix.malformed + mix.review} bad records (${mix.malformed} malformed, ${mix.review} refused) stops its batch.`,
  )
  expect(out.stderr).toContain("onInvalid at its default, 'fail', so a malformed record stops it as a poison one does")
  expect(out.stderr).toContain(`alone (${s.triggers.bisect} halves)`)
  expect(out.stderr).toContain(`(${s.redelivered} records delivered more than once;`)
  expect(out.stderr).toContain(
    `${valid.length} events − ${mix.duplicates} sent twice (no idempotency in this consumer) − ${mix.review} refused by the orders handler = ${s.charged}, the orders charged`,
  )
  expect(valid.length - mix.duplicates - mix.review).toBe(s.charged)
  expect(out.stderr).toContain('start (UTC)')
  expect(out.stderr).toMatch(/^ {4}\d\d:\d\d:\d\dZ {4}shardId-/m)
}, 100_000)

it('demo: a bad --records is one line and a non-zero exit', async () => {
  const out = await runCli(['demo', '--records', 'lots'])
  expect(out.code).toBe(1)
  expect(out.stderr).toBe('lambda-stream-handlers: --records must be a whole number from 1 to 20000; received lots.\n')
}, 30_000)
