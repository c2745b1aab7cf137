// The timeline page in a real headless Chromium, opened from a file as a user would: it loads
// nothing from the network, logs no error, draws a lane per shard and a bar per invocation with
// the outcome's class, and shows a failing record's reason on hover and on keyboard focus.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderTimeline, type MappingReport } from 'lambda-stream-handlers/local'
import { launch } from './chromium.js'
import { fifoGroupBlocked, poisonWithBisect, poisonWithoutBisect, tenThousand, windowAggregation } from './scenarios.js'

let browser: Awaited<ReturnType<typeof launch>>
const dir = mkdtempSync(join(tmpdir(), 'lsh-timeline-'))

beforeAll(async () => {
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
  rmSync(dir, { recursive: true, force: true })
})

interface Opened {
  readonly page: Page
  readonly errors: string[]
  readonly requests: string[]
  readonly file: string
}

/** Writes the page to a file and opens it, keeping console errors, page errors and requests. */
async function open(report: MappingReport, name: string, options: Parameters<typeof renderTimeline>[1] = {}): Promise<Opened> {
  const file = join(dir, `${name}.html`)
  writeFileSync(file, renderTimeline(report, options))
  const page = await browser.context.newPage()
  const errors: string[] = []
  const requests: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('request', (r) => requests.push(r.url()))
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' })
  return { page, errors, requests, file }
}

const OUTCOME = { success: 'ok', partial: 'partial', error: 'error', 'malformed-response': 'error', timeout: 'timeout' } as const

/** How many bars of each outcome the report calls for. */
function expectedBars(report: MappingReport): Record<string, number> {
  const counts: Record<string, number> = { ok: 0, partial: 0, error: 0, timeout: 0 }
  for (const i of report.invocations) counts[OUTCOME[i.result]] = (counts[OUTCOME[i.result]] as number) + 1
  return counts
}

// The page's side, as text: this project's TypeScript has no DOM types.
async function barsOnPage(page: Page): Promise<Record<string, number>> {
  return page.evaluate(`(() => {
    const n = (c) => document.querySelectorAll('#timeline .bar.' + c).length
    return { ok: n('ok'), partial: n('partial'), error: n('error'), timeout: n('timeout') }
  })()`)
}

/** Checks a screenshot is a picture, not a blank page: decoded by the browser itself on a canvas. */
async function checkNotBlank(page: Page, png: Buffer): Promise<void> {
  const src = `data:image/png;base64,${png.toString('base64')}`
  const stats: { colours: number; inked: number; width: number } = await page.evaluate(`(async () => {
    const img = new Image()
    img.src = ${JSON.stringify(src)}
    await img.decode()
    const canvas = document.createElement('canvas')
    canvas.width = img.width
    canvas.height = img.height
    const ctx = canvas.getContext('2d')
    ctx.drawImage(img, 0, 0)
    const { data } = ctx.getImageData(0, 0, img.width, img.height)
    const colours = new Set()
    let inked = 0
    for (let p = 0; p < data.length; p += 4) {
      colours.add((data[p] << 16) | (data[p + 1] << 8) | data[p + 2])
      if (data[p] + data[p + 1] + data[p + 2] < 600) inked++
    }
    return { colours: colours.size, inked: inked / (data.length / 4), width: img.width }
  })()`)
  expect(stats.width).toBeGreaterThan(500)
  expect(stats.colours).toBeGreaterThan(20)
  expect(stats.inked).toBeGreaterThan(0.02)
}

async function checkPage(report: MappingReport, opened: Opened): Promise<void> {
  const { page, errors, requests } = opened
  expect(errors).toEqual([])
  expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([])
  const lanes = new Set(report.outcomes.map((o) => o.shardId)).size
  expect(await page.locator('#timeline .lane').count()).toBe(lanes)
  expect(await barsOnPage(page)).toEqual(expectedBars(report))
  // A text summary for screen readers, and every bar reachable by keyboard with a label.
  expect(await page.locator('#summary li').count()).toBeGreaterThan(1)
  const unlabelled: number = await page.evaluate(
    `[...document.querySelectorAll('#timeline .bar')].filter((b) => b.getAttribute('tabindex') !== '0' || !b.getAttribute('aria-label')).length`,
  )
  expect(unlabelled).toBe(0)
}

describe('renderTimeline in Chromium', () => {
  it('a poison record with bisect: halves linked to the batch they split, the reason on hover, a screenshot', async () => {
    const report = await poisonWithBisect()
    const opened = await open(report, 'poison-bisect')
    await checkPage(report, opened)
    const { page } = opened
    // The story: three batches; the poison one errors, is bisected down to the poison record, which is retried and discarded.
    expect(await barsOnPage(page)).toEqual({ ok: 5, partial: 0, error: 6, timeout: 0 })
    expect(await page.locator('#timeline .bar.bisect').count()).toBe(6)
    expect(await page.locator('#timeline .link.bisect').count()).toBe(6)
    expect(await page.locator('#timeline .link.retry').count()).toBe(2)
    expect(await page.locator('#timeline .mark.discarded').count()).toBe(1)
    // Hovering the last failing bar (the poison record alone) shows its record and why it failed.
    const last = page.locator('#timeline .bar.error').last()
    await last.hover()
    const tip = page.locator('#tip')
    await expect.poll(() => tip.isVisible()).toBe(true)
    const text = (await tip.textContent()) as string
    expect(text).toContain('order o-12 needs a manual review')
    expect(text).toContain('failed with the batch')
    expect(text).toContain('In the end: 1 discarded')
    expect(text).not.toContain('"total"') // no payload unless logPayloads
    const png = await page.screenshot({ fullPage: true })
    await checkNotBlank(page, png)
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync('docs', { recursive: true })
      writeFileSync('docs/timeline.png', png)
    }
    await page.close()
  })

  it('keyboard: Tab reaches a bar and shows its details; Escape hides them', async () => {
    const report = await poisonWithBisect()
    const { page } = await open(report, 'keyboard')
    await page.locator('#timeline .bar').first().focus()
    await expect.poll(() => page.locator('#tip').isVisible()).toBe(true)
    expect(await page.locator('#tip').textContent()).toContain('Invocation 1')
    await page.keyboard.press('Tab')
    expect(await page.locator('#tip').textContent()).toContain('Invocation 2')
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('#tip').isVisible()).toBe(false)
    await page.close()
  })

  it('a poison record without bisect: the batch is retried, then discarded whole', async () => {
    const report = await poisonWithoutBisect()
    const opened = await open(report, 'poison-no-bisect')
    await checkPage(report, opened)
    expect(await barsOnPage(opened.page)).toEqual({ ok: 2, partial: 0, error: 3, timeout: 0 })
    expect(await opened.page.locator('#timeline .link.retry').count()).toBe(2)
    const mark = (await opened.page.locator('#timeline .mark.discarded').getAttribute('aria-label')) as string
    expect(mark).toContain('Discarded (retries exhausted): 10 records')
    await opened.page.close()
  })

  it('payloads appear only under logPayloads', async () => {
    const report = await poisonWithoutBisect()
    const { page } = await open(report, 'payloads', { logPayloads: true })
    await page.locator('#timeline .bar.error').first().hover()
    expect(await page.locator('#tip').textContent()).toContain('"total":99999')
    await page.close()
  })

  it('a FIFO group blocked by a failure: partial failures on the queue lane, redeliveries linked', async () => {
    const report = await fifoGroupBlocked()
    const opened = await open(report, 'fifo')
    await checkPage(report, opened)
    expect(await barsOnPage(opened.page)).toEqual({ ok: 7, partial: 2, error: 0, timeout: 0 })
    await opened.page.locator('#timeline .bar.partial').first().hover()
    expect(await opened.page.locator('#tip').textContent()).toContain('reported for retry')
    await opened.page.close()
  })

  it('a window aggregation: window bounds marked, the final invocations outlined', async () => {
    const report = await windowAggregation()
    const opened = await open(report, 'windows')
    await checkPage(report, opened)
    expect(await opened.page.locator('#timeline .lane').count()).toBe(2)
    expect(await opened.page.locator('#timeline line.window').count()).toBeGreaterThan(4)
    expect(await opened.page.locator('#timeline .bar.window-end').count()).toBe(
      report.invocations.filter((i) => i.trigger === 'window-end').length,
    )
    await opened.page.locator('#timeline .bar.error').first().hover()
    expect(await opened.page.locator('#tip').textContent()).toContain('the currency service timed out')
    await opened.page.close()
  })

  it('10,000 records over 4 shards: four lanes, every invocation drawn, small and quick to paint', async () => {
    const report = await tenThousand()
    const opened = await open(report, 'ten-thousand')
    await checkPage(report, opened)
    expect(await opened.page.locator('#timeline .lane').count()).toBe(4)
    const paint: number = await opened.page.evaluate(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`)
    const bytes = statSync(opened.file).size
    console.log(
      `10,000 records over 4 shards: ${report.invocations.length} invocations, ${(bytes / 1024).toFixed(0)} KB, first contentful paint ${paint.toFixed(0)} ms`,
    )
    expect(paint).toBeGreaterThan(0)
    expect(paint).toBeLessThan(3000)
    expect(bytes).toBeLessThan(1_500_000)
    await opened.page.close()
  })
})
