/**
 * A simulation report drawn as one self-contained HTML page: a lane per shard or queue with each
 * invocation as a bar on a time axis, the links from a retry or a bisected half to the batch it
 * came from, the marks of checkpoints, window bounds, discarded, expired and dead-lettered
 * records, and above them a summary and two small charts. The drawing is SVG written here, so the
 * page paints before its one small script (the tooltips) runs; it loads nothing from the network.
 */
import type { InvocationReport, MappingReport } from './report.js'

/** Options of {@link renderTimeline}. */
export interface TimelineOptions {
  /** The page's title. Default `'Event source mapping timeline'`. */
  readonly title?: string
  /**
   * Why each record failed, by record identifier, as the handler logged it (the CLI passes what it
   * read from the handler's log lines). Without it, a record's reason is what the report says: the
   * invocation's error, a timeout, or that it was reported in `batchItemFailures`.
   */
  readonly reasons?: ReadonlyMap<string, string>
  /** Show each record's payload (the first 200 characters) in the tooltips. Default false: a page is often shared. */
  readonly logPayloads?: boolean
}

type Outcome = 'ok' | 'partial' | 'error' | 'timeout'

const OUTCOME: Record<InvocationReport['result'], Outcome> = {
  success: 'ok',
  partial: 'partial',
  error: 'error',
  'malformed-response': 'error',
  timeout: 'timeout',
}

const LABEL: Record<Outcome, string> = { ok: 'succeeded', partial: 'partial failure', error: 'error', timeout: 'timeout' }

/** One bar's tooltip: everything about it, as JSON the page's script reads. */
interface BarData {
  /** Invocation index. */
  readonly i: number
  readonly shard: string
  readonly trigger: InvocationReport['trigger']
  readonly attempt: number
  readonly result: InvocationReport['result']
  readonly at: string
  readonly ms: number
  readonly n: number
  readonly parent?: number
  readonly error?: string
  readonly window?: string
  /** Records that did not succeed in this invocation: identifier, what happened, why (and the payload under logPayloads). */
  readonly notOk: readonly (readonly [string, string, string] | readonly [string, string, string, string])[]
  /** How many records succeeded in it, and the first and last identifiers. */
  readonly ok: number
  readonly first?: string
  readonly last?: string
  /** The records' final fates, where not `succeeded`. */
  readonly fates: Readonly<Record<string, number>>
}

const esc = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** A record's fields in a Lambda event: its identifier, when it arrived, and (only under logPayloads) its payload. */
interface EventRecord {
  readonly id?: string
  readonly arrivalMs?: number
  readonly payload?: string
}

function eventRecords(event: unknown): EventRecord[] {
  const records = (event as { Records?: unknown } | null)?.Records
  if (!Array.isArray(records)) return []
  return records.map((r: Record<string, unknown>): EventRecord => {
    const kinesis = r.kinesis as { sequenceNumber?: string; approximateArrivalTimestamp?: number; data?: string } | undefined
    if (kinesis !== undefined) {
      const arrival = kinesis.approximateArrivalTimestamp
      return {
        ...(kinesis.sequenceNumber === undefined ? {} : { id: kinesis.sequenceNumber }),
        ...(typeof arrival === 'number' ? { arrivalMs: arrival * 1000 } : {}),
        ...(typeof kinesis.data === 'string' ? { payload: Buffer.from(kinesis.data, 'base64').toString('utf8') } : {}),
      }
    }
    const dynamodb = r.dynamodb as
      | { SequenceNumber?: string; ApproximateCreationDateTime?: number; NewImage?: unknown; Keys?: unknown }
      | undefined
    if (dynamodb !== undefined) {
      const arrival = dynamodb.ApproximateCreationDateTime
      return {
        ...(dynamodb.SequenceNumber === undefined ? {} : { id: dynamodb.SequenceNumber }),
        ...(typeof arrival === 'number' ? { arrivalMs: arrival * 1000 } : {}),
        payload: JSON.stringify(dynamodb.NewImage ?? dynamodb.Keys ?? null),
      }
    }
    const sent = Number((r.attributes as { SentTimestamp?: string } | undefined)?.SentTimestamp)
    return {
      ...(typeof r.messageId === 'string' ? { id: r.messageId } : {}),
      ...(Number.isFinite(sent) ? { arrivalMs: sent } : {}),
      ...(typeof r.body === 'string' ? { payload: r.body } : {}),
    }
  })
}

/** The identifiers an invocation's response reported in `batchItemFailures`. */
function reportedIds(response: unknown): Set<string> {
  const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  const ids = new Set<string>()
  if (Array.isArray(failures)) for (const f of failures) if (typeof f?.itemIdentifier === 'string') ids.add(f.itemIdentifier)
  return ids
}

/** Packs bars into rows so that none overlaps another in pixels; returns each bar's row. */
function packRows(spans: readonly (readonly [number, number])[], maxRows: number): number[] {
  const ends: number[] = []
  return spans.map(([x0, x1]) => {
    let row = ends.findIndex((end) => end <= x0)
    if (row === -1) row = ends.length < maxRows ? ends.length : ends.indexOf(Math.min(...ends))
    ends[row] = x1 + 1
    return row
  })
}

const W = 1100 // the drawing's width in SVG units; it scales to the window
const LEFT = 170 // the lane labels
const ROW = 16
const MAX_ROWS = 8

/**
 * Turns a simulation report (from `simulate`, or a local run's) into one self-contained HTML page,
 * with no network access: open it from disk. Per shard or queue, a time axis with each invocation
 * as a bar coloured and patterned by its outcome (succeeded, partial failure, error, timeout);
 * retries and bisected halves linked to the batch they came from; checkpoints, tumbling-window
 * bounds, discarded, expired and dead-lettered records marked. Hovering or focusing a bar (Tab)
 * shows its records, what happened to them and why; payloads only under `logPayloads`. Above: a
 * text summary, the iterator age over time and the invocations per minute.
 *
 * @example
 * ```ts
 * const report = await simulate(handler, { source: 'kinesis', records, BatchSize: 10, MaximumBatchingWindowInSeconds: 1, BisectBatchOnFunctionError: true, MaximumRetryAttempts: 2 })
 * writeFileSync('timeline.html', renderTimeline(report))
 * ```
 */
export function renderTimeline(report: MappingReport, options: TimelineOptions = {}): string {
  const { reasons = new Map<string, string>(), logPayloads = false } = options
  const title = options.title ?? 'Event source mapping timeline'
  const invocations = report.invocations
  const fateOf = new Map(report.outcomes.map((o) => [o.id, o]))

  // Lanes: the shards (or queues) in the report's order, then any only the invocations name.
  const laneIds: string[] = []
  const seenLane = new Set<string>()
  for (const id of [
    ...report.shards.map((s) => s.shardId),
    ...report.outcomes.map((o) => o.shardId),
    ...invocations.map((i) => i.shardId),
  ]) {
    if (!seenLane.has(id)) {
      seenLane.add(id)
      laneIds.push(id)
    }
  }

  const starts = invocations.map((i) => Date.parse(i.at))
  const ends = invocations.map((i, k) => (starts[k] as number) + Math.max(0, i.durationMs))
  const failTimes = report.failureDestination.map((f) => Date.parse(f.timestamp)).filter(Number.isFinite)
  const t0 = Math.min(...starts, ...failTimes, Date.parse(report.endedAt))
  const t1 = Math.max(...ends, ...failTimes, Date.parse(report.endedAt), t0 + 1)
  const x = (t: number): number => LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - 10)

  // The batch each retry, bisected half or remainder came from: the last invocation that carried its first record.
  const lastCarrier = new Map<string, number>()
  const parents = invocations.map((inv) => {
    const first = inv.records[0]
    const parent = first === undefined ? undefined : lastCarrier.get(`${inv.shardId}\u0000${first}`)
    for (const id of inv.records) lastCarrier.set(`${inv.shardId}\u0000${id}`, inv.index)
    return inv.trigger === 'batch' || inv.trigger === 'window-end' ? undefined : parent
  })

  const bars: BarData[] = []
  const ages: { t: number; age: number; shard: string }[] = []
  const windows = new Map<string, Set<string>>() // shard -> window bounds
  invocations.forEach((inv, k) => {
    const records = eventRecords(inv.event)
    const arrivals = records.map((r) => r.arrivalMs).filter((a): a is number => a !== undefined)
    // IteratorAge: how old the batch's last record was when the function received it.
    if (arrivals.length > 0)
      ages.push({ t: starts[k] as number, age: Math.max(0, (starts[k] as number) - Math.max(...arrivals)), shard: inv.shardId })
    const window = (inv.event as { window?: { start?: unknown; end?: unknown } } | null)?.window
    const windowText = typeof window?.start === 'string' && typeof window.end === 'string' ? `${window.start} – ${window.end}` : undefined
    if (windowText !== undefined) {
      const set = windows.get(inv.shardId) ?? new Set<string>()
      set.add(`${window?.start as string}|${window?.end as string}`)
      windows.set(inv.shardId, set)
    }
    const payloadOf = new Map(logPayloads ? records.map((r) => [r.id, r.payload]) : [])
    const reported = reportedIds(inv.response)
    const whole = inv.result !== 'success' && inv.result !== 'partial'
    const notOk: BarData['notOk'][number][] = []
    let ok = 0
    const fates: Record<string, number> = {}
    for (const id of inv.records) {
      const fate = fateOf.get(id)?.fate
      if (fate !== undefined && fate !== 'succeeded') fates[fate] = (fates[fate] ?? 0) + 1
      let what: string | undefined
      let why: string | undefined
      if (whole) {
        what = inv.result === 'timeout' ? 'timed out with the batch' : 'failed with the batch'
        why =
          reasons.get(id) ??
          (inv.result === 'timeout'
            ? 'the function timed out'
            : inv.error === undefined
              ? 'the response was not a partial batch response Lambda can read'
              : `${inv.error.name}: ${inv.error.message}`)
      } else if (reported.has(id)) {
        what = inv.ignoredBatchItemFailures === undefined ? 'reported for retry' : 'reported, but ignored (ReportBatchItemFailures is off)'
        why = reasons.get(id) ?? "reported in batchItemFailures; the handler's logger gave no reason"
      }
      if (what === undefined) ok++
      else {
        const payload = payloadOf.get(id)
        notOk.push(payload === undefined ? [id, what, why as string] : [id, what, why as string, payload.slice(0, 200)])
      }
    }
    const parent = parents[k]
    bars.push({
      i: inv.index,
      shard: inv.shardId,
      trigger: inv.trigger,
      attempt: inv.attempt,
      result: inv.result,
      at: inv.at,
      ms: inv.durationMs,
      n: inv.records.length,
      ...(parent === undefined ? {} : { parent }),
      ...(inv.error === undefined ? {} : { error: `${inv.error.name}: ${inv.error.message}` }),
      ...(windowText === undefined ? {} : { window: windowText }),
      notOk: notOk.slice(0, 200),
      ok,
      ...(inv.records[0] === undefined ? {} : { first: inv.records[0], last: inv.records[inv.records.length - 1] as string }),
      fates,
    })
  })

  // Lanes and bars, in pixels.
  const spans = invocations.map((_, k) => {
    const a = x(starts[k] as number)
    return [a, Math.max(a + 3, x(ends[k] as number))] as const
  })
  const byLane = new Map<string, number[]>(laneIds.map((id) => [id, []]))
  invocations.forEach((inv, k) => {
    byLane.get(inv.shardId)?.push(k)
  })
  const rowOf = new Array<number>(invocations.length).fill(0)
  const laneTop = new Map<string, number>()
  const laneHeight = new Map<string, number>()
  let y = 30
  for (const id of laneIds) {
    const ks = byLane.get(id) as number[]
    const rows = packRows(
      ks.map((k) => spans[k] as readonly [number, number]),
      MAX_ROWS,
    )
    ks.forEach((k, j) => {
      rowOf[k] = rows[j] as number
    })
    const height = Math.max(1, ...rows.map((r) => r + 1)) * ROW + 34
    laneTop.set(id, y)
    laneHeight.set(id, height)
    y += height
  }
  const height = y + 10
  const barY = (k: number): number =>
    (laneTop.get((invocations[k] as InvocationReport).shardId) as number) + 20 + (rowOf[k] as number) * ROW

  const svg: string[] = []
  // The time axis.
  const ticks = 8
  for (let j = 0; j <= ticks; j++) {
    const t = t0 + ((t1 - t0) * j) / ticks
    const tx = x(t)
    svg.push(`<line class="grid" x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="22" y2="${height - 6}"/>`)
    svg.push(`<text class="tick" x="${tx.toFixed(1)}" y="16" text-anchor="middle">${esc(new Date(t).toISOString().slice(11, 23))}</text>`)
  }
  for (const id of laneIds) {
    const top = laneTop.get(id) as number
    const h = laneHeight.get(id) as number
    const shard = report.shards.find((s) => s.shardId === id)
    const count = byLane.get(id)?.length ?? 0
    const records = report.outcomes.filter((o) => o.shardId === id).length
    svg.push(
      `<g class="lane" data-lane="${esc(id)}" role="group" aria-label="${esc(`${id}: ${plural(count, 'invocation')}, ${plural(records, 'record')}`)}">`,
    )
    svg.push(`<rect class="lane-bg" x="0" y="${top}" width="${W}" height="${h - 4}"/>`)
    svg.push(`<text class="lane-name" x="6" y="${top + 16}">${esc(id.length > 24 ? `…${id.slice(-23)}` : id)}</text>`)
    svg.push(`<text class="lane-info" x="6" y="${top + 30}">${esc(`${plural(count, 'invocation')} · ${plural(records, 'record')}`)}</text>`)
    if (shard !== undefined)
      svg.push(
        `<text class="lane-info" x="6" y="${top + 43}">${esc(`checkpoint ${shard.checkpoint === null ? '(none)' : `…${shard.checkpoint.slice(-8)}`}`)}</text>`,
      )
    // Tumbling-window bounds.
    for (const w of windows.get(id) ?? []) {
      const [ws, we] = w.split('|') as [string, string]
      for (const bound of [Date.parse(ws), Date.parse(we)]) {
        if (!(bound >= t0 && bound <= t1)) continue
        svg.push(
          `<line class="window" x1="${x(bound).toFixed(1)}" x2="${x(bound).toFixed(1)}" y1="${top + 2}" y2="${top + h - 6}"><title>window ${esc(`${ws} – ${we}`)}</title></line>`,
        )
      }
    }
    svg.push('</g>')
  }
  // Links: a retry, bisected half or remainder to the batch it came from.
  invocations.forEach((inv, k) => {
    const parent = parents[k]
    if (parent === undefined) return
    const [, px1] = spans[parent] as readonly [number, number]
    const [cx0] = spans[k] as readonly [number, number]
    const py = barY(parent) + 5
    const cy = barY(k) + 5
    const mid = (px1 + cx0) / 2
    svg.push(
      `<path class="link ${inv.trigger}" data-from="${parent}" data-to="${inv.index}" d="M${px1.toFixed(1)},${py} C${mid.toFixed(1)},${py} ${mid.toFixed(1)},${cy} ${cx0.toFixed(1)},${cy}"/>`,
    )
  })
  // Bars.
  invocations.forEach((inv, k) => {
    const outcome = OUTCOME[inv.result]
    const [a, b] = spans[k] as readonly [number, number]
    const by = barY(k)
    const parent = parents[k]
    const label = `Invocation ${inv.index + 1} on ${inv.shardId}: ${LABEL[outcome]}, ${plural(inv.records.length, 'record')}, ${inv.trigger}${inv.trigger === 'batch' ? '' : parent === undefined ? '' : ` of invocation ${parent + 1}`}, attempt ${inv.attempt}, at ${inv.at}, ${inv.durationMs} ms`
    svg.push(
      `<g class="bar ${outcome} ${inv.trigger}" tabindex="0" role="img" data-i="${k}" aria-label="${esc(label)}"><rect x="${a.toFixed(1)}" y="${by}" width="${(b - a).toFixed(1)}" height="11" rx="2" fill="url(#p-${outcome})"/></g>`,
    )
    // A checkpoint: the mapping moved past the records this invocation settled.
    if (report.shards.length > 0 && (outcome === 'ok' || outcome === 'partial') && inv.records.length > 0)
      svg.push(`<path class="checkpoint" d="M${b.toFixed(1)},${by + 12} l-3,4 h6 z"/>`)
  })
  // Discarded and expired ranges, from what the failure destination received; expired by retention and dead letters by record.
  for (const f of report.failureDestination) {
    const info = f.KinesisBatchInfo ?? f.DDBStreamBatchInfo
    if (info === undefined) continue
    const top = laneTop.get(info.shardId)
    if (top === undefined) continue
    const fx = x(Date.parse(f.timestamp))
    const kind = f.requestContext.condition === 'RecordAgeExceeded' ? 'expired' : 'discarded'
    const text = `${kind === 'expired' ? 'Expired (older than MaximumRecordAgeInSeconds)' : 'Discarded (retries exhausted)'}: ${plural(info.batchSize, 'record')}, ${info.startSequenceNumber} to ${info.endSequenceNumber}, sent to the OnFailure destination at ${f.timestamp}`
    svg.push(
      `<g class="mark ${kind}" tabindex="0" role="img" aria-label="${esc(text)}"><path d="M${fx.toFixed(1)},${top + 4} v12 l7,-6 z"/><title>${esc(text)}</title></g>`,
    )
  }
  for (const id of laneIds) {
    const top = laneTop.get(id) as number
    const lost = report.outcomes.filter(
      (o) => o.shardId === id && (o.fate === 'dead-lettered' || (o.fate === 'expired' && o.expiredBy === 'retention')),
    )
    const groups = new Map<string, string[]>()
    for (const o of lost) {
      const last = lastCarrier.get(`${o.shardId}\u0000${o.id}`)
      const key = `${o.fate}|${last ?? ''}`
      groups.set(key, [...(groups.get(key) ?? []), o.id])
    }
    for (const [key, ids] of groups) {
      const [fate, last] = key.split('|') as [string, string]
      const at = last === '' ? t1 : (ends[Number(last)] as number)
      const text = `${fate === 'dead-lettered' ? 'Dead-lettered (moved to the dead-letter queue)' : "Expired (past the stream's retention)"}: ${plural(ids.length, 'record')}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}`
      svg.push(
        `<g class="mark ${fate === 'dead-lettered' ? 'dead-lettered' : 'expired'}" tabindex="0" role="img" aria-label="${esc(text)}"><path d="M${x(at).toFixed(1)},${top + 4} v12 l7,-6 z"/><title>${esc(text)}</title></g>`,
      )
    }
  }

  const summary = summaryOf(report)
  const data = JSON.stringify(bars).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${STYLE}</style></head>
<body>
<svg width="0" height="0" aria-hidden="true" style="position:absolute"><defs>${PATTERNS}</defs></svg>
<header><h1>${esc(title)}</h1></header>
<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>${summary}</section>
<section class="charts" aria-label="Charts">${iteratorAgeChart(ages, laneIds)}${perMinuteChart(starts, invocations)}</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Invocations by shard</h2>
${legend()}
<div class="scroll"><svg id="timeline" viewBox="0 0 ${W} ${height}" width="100%" role="group" aria-label="Invocations on a time axis, one lane per shard or queue">
${svg.join('\n')}
</svg></div>
<p class="hint">Hover or Tab to a bar to see its records. Esc hides the details.</p>
</section>
<div id="tip" role="tooltip" hidden></div>
<script id="bars" type="application/json">${data}</script>
<script>${SCRIPT}</script>
</body></html>
`
}

function summaryOf(report: MappingReport): string {
  const fates: Record<string, number> = {}
  for (const o of report.outcomes) fates[o.fate] = (fates[o.fate] ?? 0) + 1
  const results: Record<string, number> = {}
  const triggers: Record<string, number> = {}
  for (const i of report.invocations) {
    const o = LABEL[OUTCOME[i.result]]
    results[o] = (results[o] ?? 0) + 1
    triggers[i.trigger] = (triggers[i.trigger] ?? 0) + 1
  }
  const list = (counts: Record<string, number>): string =>
    Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')
  const lanes = new Set(report.outcomes.map((o) => o.shardId)).size
  const lines = [
    `${plural(report.outcomes.length, 'record')} on ${plural(lanes, report.shards.length > 0 ? 'shard' : 'queue')}: ${list(fates) || 'none'}.`,
    `${plural(report.invocations.length, 'invocation')}: ${list(results) || 'none'}; by trigger: ${list(triggers) || 'none'}.`,
  ]
  const { costly } = report
  if (costly.discardedBehindFailure.length > 0)
    lines.push(
      `${plural(costly.discardedBehindFailure.length, 'record')} discarded behind a failing record (the poison record took them along).`,
    )
  if (costly.duplicates.length > 0) lines.push(`${plural(costly.duplicates.length, 'record')} delivered more than once.`)
  if (costly.lostWindows.length > 0)
    lines.push(
      `${plural(costly.lostWindows.length, 'tumbling window')} lost: the final invocation ran out of retries, so the aggregate was never acted on, though the records show succeeded.`,
    )
  if (costly.ignoredPartialResponses.length > 0)
    lines.push(`${plural(costly.ignoredPartialResponses.length, 'partial response')} ignored: ReportBatchItemFailures is off.`)
  if (report.failureDestination.length > 0)
    lines.push(`${plural(report.failureDestination.length, 'record')} sent to the failure destination.`)
  for (const s of report.shards) lines.push(`Checkpoint of ${s.shardId}: ${s.checkpoint ?? 'none'}.`)
  const assumptions =
    report.assumptions.length === 0
      ? ''
      : `<details><summary>Assumptions where AWS does not document the behaviour (${report.assumptions.length})</summary><ul>${report.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></details>`
  return `<ul class="facts">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>${assumptions}`
}

/** A small line chart of the iterator age at each invocation, a line per shard. */
function iteratorAgeChart(ages: readonly { t: number; age: number; shard: string }[], lanes: readonly string[]): string {
  const w = 520
  const h = 120
  if (ages.length === 0) return `<figure><figcaption>Iterator age</figcaption><p>No record says when it arrived.</p></figure>`
  const ta = Math.min(...ages.map((a) => a.t))
  const tb = Math.max(...ages.map((a) => a.t), ta + 1)
  const top = Math.max(...ages.map((a) => a.age), 1)
  const px = (t: number): number => 40 + ((t - ta) / (tb - ta)) * (w - 50)
  const py = (v: number): number => h - 20 - (v / top) * (h - 30)
  const lines = lanes
    .map((lane, j) => {
      const points = ages.filter((a) => a.shard === lane)
      if (points.length === 0) return ''
      return `<polyline class="series s${j % 6}" points="${points.map((p) => `${px(p.t).toFixed(1)},${py(p.age).toFixed(1)}`).join(' ')}"/>`
    })
    .join('')
  const max = Math.max(...ages.map((a) => a.age))
  const text = `Iterator age (the age of each batch's last record when the function received it): at most ${formatMs(max)}, last ${formatMs((ages[ages.length - 1] as { age: number }).age)}.`
  return `<figure><figcaption>Iterator age</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" role="img" aria-label="${esc(text)}"><text class="tick" x="4" y="14">${esc(formatMs(top))}</text><text class="tick" x="4" y="${h - 20}">0</text><line class="axis" x1="40" y1="${h - 20}" x2="${w - 10}" y2="${h - 20}"/>${lines}</svg><p class="sr-only">${esc(text)}</p></figure>`
}

/** A small bar chart of invocations per minute (per second when the run is shorter than two minutes). */
function perMinuteChart(starts: readonly number[], invocations: readonly InvocationReport[]): string {
  const w = 520
  const h = 120
  if (starts.length === 0) return `<figure><figcaption>Invocations</figcaption><p>No invocation.</p></figure>`
  const ta = Math.min(...starts)
  const span = Math.max(...starts) - ta
  const step = span < 120_000 ? 1000 : 60_000
  const unit = step === 1000 ? 'second' : 'minute'
  const bins = Math.floor(span / step) + 1
  const counts = new Array<number>(bins).fill(0)
  const failed = new Array<number>(bins).fill(0)
  starts.forEach((t, k) => {
    const b = Math.floor((t - ta) / step)
    counts[b] = (counts[b] as number) + 1
    if ((invocations[k] as InvocationReport).result !== 'success') failed[b] = (failed[b] as number) + 1
  })
  const top = Math.max(...counts, 1)
  const bw = (w - 50) / bins
  const rects = counts
    .map((c, b) => {
      const x0 = 40 + b * bw
      const hh = (c / top) * (h - 30)
      const fh = ((failed[b] as number) / top) * (h - 30)
      return `<rect class="col" x="${x0.toFixed(1)}" y="${(h - 20 - hh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${hh.toFixed(1)}"/>${fh > 0 ? `<rect class="col failed" x="${x0.toFixed(1)}" y="${(h - 20 - fh).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${fh.toFixed(1)}" fill="url(#p-error)"/>` : ''}`
    })
    .join('')
  const text = `Invocations per ${unit}: at most ${top}, over ${plural(bins, unit)}; the hatched part did not succeed.`
  return `<figure><figcaption>Invocations per ${unit}</figcaption><svg viewBox="0 0 ${w} ${h}" width="${w}" role="img" aria-label="${esc(text)}"><text class="tick" x="4" y="14">${top}</text><text class="tick" x="4" y="${h - 20}">0</text>${rects}<line class="axis" x1="40" y1="${h - 20}" x2="${w - 10}" y2="${h - 20}"/></svg><p class="sr-only">${esc(text)}</p></figure>`
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`
}

function legend(): string {
  const item = (o: Outcome): string =>
    `<li><svg width="28" height="12" aria-hidden="true"><rect width="28" height="12" rx="2" fill="url(#p-${o})"/></svg>${esc(LABEL[o])}</li>`
  return `<ul class="legend" aria-label="Legend">${(['ok', 'partial', 'error', 'timeout'] as const).map(item).join('')}<li><span class="key link-key"></span>retry</li><li><span class="key link-key bisect"></span>bisected half</li><li><span class="key cp-key">▲</span>checkpoint</li><li><span class="key win-key"></span>window bound</li><li><span class="key mark-key">▶</span>discarded, expired or dead-lettered</li></ul>`
}

// Colour and pattern: succeeded solid, partial failure striped, error cross-hatched, timeout dotted.
const PATTERNS = `<pattern id="p-ok" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#2e7d32"/></pattern>
<pattern id="p-partial" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f9a825"/><rect width="2" height="6" fill="#6d4c00"/></pattern>
<pattern id="p-error" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#c62828"/><path d="M0,0 L6,6 M6,0 L0,6" stroke="#fff" stroke-width="1"/></pattern>
<pattern id="p-timeout" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#6a1b9a"/><circle cx="3" cy="3" r="1.3" fill="#fff"/></pattern>`

const STYLE = `
:root{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;background:#fff}
body{margin:16px 24px}h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:16px 0 6px}
.facts{margin:0;padding-left:18px}.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:8px 0}figcaption{font-weight:600}
.scroll{overflow-x:auto}svg text{font:11px system-ui,sans-serif;fill:#333}.tick{fill:#666}
.grid{stroke:#eee}.axis{stroke:#999}.lane-bg{fill:#fafafa;stroke:#e0e0e0}.lane-name{font-weight:600}.lane-info{fill:#555}
.bar{cursor:pointer;outline:none}.bar:focus rect,.bar:hover rect{stroke:#000;stroke-width:2}
.bar.window-end rect{stroke:#1565c0;stroke-width:1.5;stroke-dasharray:2 1}
.link{fill:none;stroke:#555;stroke-width:1.2}.link.bisect{stroke-dasharray:4 2;stroke:#c62828}.link.remainder{stroke-dasharray:1 2}
.checkpoint{fill:#1565c0}.window{stroke:#1565c0;stroke-dasharray:3 3}
.mark path{fill:#000}.mark.discarded path{fill:#b71c1c}.mark.expired path{fill:#e65100}.mark.dead-lettered path{fill:#4a148c}.mark:focus path{stroke:#000;stroke-width:2}
.series{fill:none;stroke-width:1.5}.s0{stroke:#1565c0}.s1{stroke:#2e7d32}.s2{stroke:#ef6c00}.s3{stroke:#6a1b9a}.s4{stroke:#00838f}.s5{stroke:#5d4037}
.col{fill:#90a4ae}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:14px;margin:4px 0}.legend li{display:flex;align-items:center;gap:6px}
.key{display:inline-block;width:22px}.link-key{border-top:2px solid #555;height:0}.link-key.bisect{border-top:2px dashed #c62828}
.cp-key{color:#1565c0;width:auto}.win-key{border-left:2px dashed #1565c0;height:12px;width:2px}.mark-key{color:#b71c1c;width:auto}
.hint{color:#555;font-size:12px}
#tip{position:fixed;max-width:560px;max-height:60vh;overflow:auto;background:#fff;border:1px solid #333;box-shadow:0 2px 8px rgba(0,0,0,.25);padding:8px 10px;font-size:12px;z-index:10}
#tip table{border-collapse:collapse}#tip td{padding:1px 6px 1px 0;vertical-align:top}#tip code{font-size:11px;word-break:break-all}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`

// The tooltip: built from the bar's JSON with textContent, so nothing in a report becomes markup.
const SCRIPT = `(function(){
var bars;var tip=document.getElementById('tip');
function el(tag,text,cls){var e=document.createElement(tag);if(text!=null)e.textContent=text;if(cls)e.className=cls;return e}
function show(g){bars=bars||JSON.parse(document.getElementById('bars').textContent);var b=bars[+g.getAttribute('data-i')];if(!b)return;tip.textContent='';
var h=el('strong','Invocation '+(b.i+1)+' · '+b.shard);tip.appendChild(h);
var meta=b.trigger+(b.parent!=null?' of invocation '+(b.parent+1):'')+' · attempt '+b.attempt+' · '+b.result+' · '+b.at+' · '+b.ms+' ms · '+b.n+' record'+(b.n===1?'':'s');
tip.appendChild(el('div',meta));if(b.window)tip.appendChild(el('div','window '+b.window));
if(b.error)tip.appendChild(el('div',b.error,'err'));
if(b.first)tip.appendChild(el('div','Records '+(b.n===1?b.first:b.first+' … '+b.last)));if(b.n>0)tip.appendChild(el('div',b.ok+' succeeded, '+(b.n-b.ok)+' did not'));
if(b.notOk.length){var t=el('table');b.notOk.forEach(function(r){var tr=el('tr');var c=el('td');c.appendChild(el('code',r[0]));tr.appendChild(c);tr.appendChild(el('td',r[1]));tr.appendChild(el('td',r[2],'reason'));if(r[3]!=null){var p=el('td');p.appendChild(el('code',r[3]));tr.appendChild(p)}t.appendChild(tr)});tip.appendChild(t);
if(b.notOk.length<b.n-b.ok)tip.appendChild(el('div','and '+(b.n-b.ok-b.notOk.length)+' more'))}
var f=Object.keys(b.fates);if(f.length)tip.appendChild(el('div','In the end: '+f.map(function(k){return b.fates[k]+' '+k}).join(', ')));
tip.hidden=false;var r=g.getBoundingClientRect();var x=Math.min(r.left,window.innerWidth-tip.offsetWidth-8);var y=r.bottom+6;if(y+tip.offsetHeight>window.innerHeight)y=Math.max(4,r.top-tip.offsetHeight-6);tip.style.left=Math.max(4,x)+'px';tip.style.top=y+'px'}
function hide(){tip.hidden=true}
var svg=document.getElementById('timeline');
svg.addEventListener('mouseover',function(e){var g=e.target.closest&&e.target.closest('.bar');if(g)show(g)});
svg.addEventListener('mouseout',function(e){var g=e.target.closest&&e.target.closest('.bar');if(g&&!g.contains(e.relatedTarget))hide()});
svg.addEventListener('focusin',function(e){var g=e.target.closest&&e.target.closest('.bar');if(g)show(g)});
svg.addEventListener('focusout',hide);
document.addEventListener('keydown',function(e){if(e.key==='Escape')hide()});
})();`
