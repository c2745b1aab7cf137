/**
 * `lambda-stream-handlers simulate <module>[#<export>] --source kinesis|dynamodb|sqs|kafka --records <file|-> [--Setting value …]`:
 * the handler under the event source mapping simulator, and what became of each record, named by
 * its line in the records file and its key beside its identifier.
 *
 * @module
 * @internal
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { checkKnownKeys } from '../engine/options.js'
import { renderTimeline, simulate, type InvocationReport, type MappingReport } from '../local/index.js'
import { SIMULATION_OPTION_NAMES } from '../local/settings.js'
import { raw } from '../testing/raw.js'
import { RECORDS_CAP, readText, UsageError } from './args.js'
import { ExactInteger, exactJson, hasExactInteger, parseExactJson } from './json.js'
import { templateMapping } from './check.js'
import { callHandler, describeThrown, errorParts, factoryMessage, type Handler, loadHandler } from './load.js'
import { tapLogs } from './logs.js'
import { recordName, type Source } from './names.js'

/** The command's own flags. */
const OWN = ['source', 'records', 'json', 'html']

/** The simulator's options the command line cannot give: the command's own, functions and dates. */
const PROGRAMMATIC = new Set(['source', 'records', 'start', 'retryDelayMs', 'onInvocation'])

/**
 * The simulator's settings the command line can give: every option of the simulator's tables but
 * functions and dates. An object is given as JSON or one field at a time
 * (`--ScalingConfig.MaximumConcurrency 5`). A setting that one source does not take is refused by
 * the simulator, with its reason.
 */
export const SETTINGS: readonly string[] = SIMULATION_OPTION_NAMES.filter((k) => !PROGRAMMATIC.has(k))

/** The settings whose text is a comma-separated list. */
const LISTS = new Set(['FunctionResponseTypes', 'Topics', 'Metrics'])

/** A misspelt flag fails with the command line's own options (not the programmatic ones) and the one meant. */
function refuseUnknown(flags: Map<string, string>): void {
  // `--ScalingConfig.MaximumConcurrency` is a field of `--ScalingConfig`.
  const given = Object.fromEntries(
    [...flags.keys()].map((k) => [`--${SETTINGS.includes(k.split('.')[0] as string) ? k.split('.')[0] : k}`, true]),
  )
  try {
    checkKnownKeys(
      'simulate',
      given,
      [...OWN, ...SETTINGS].map((k) => `--${k}`),
    )
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
}

/** A flag's text as the simulator takes it: a boolean, a number, a list, an object (JSON), else text. */
function flagValue(key: string, text: string): unknown {
  if (LISTS.has(key)) return text === '' || text === '[]' ? [] : text.split(',')
  if (text === 'true' || text === 'false') return text === 'true'
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text)
  if (text.startsWith('{')) {
    try {
      return JSON.parse(text)
    } catch {
      throw new UsageError(`--${key} must be an object written as JSON; it does not parse.`)
    }
  }
  return text
}

function settingsOf(flags: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [flag, text] of flags) {
    if (OWN.includes(flag)) continue
    const path = flag.split('.')
    const last = path.pop() as string
    if ([...path, last].some((part) => part === '' || part === '__proto__' || part === 'constructor' || part === 'prototype'))
      throw new UsageError(`--${flag} is not a setting's field.`)
    let at = out
    for (const part of path) {
      const inner = Object.hasOwn(at, part) ? at[part] : undefined
      if (inner !== undefined && (typeof inner !== 'object' || inner === null || Array.isArray(inner)))
        throw new UsageError(`--${flag} sets a field of --${part}, which is not an object.`)
      at = (at[part] ??= {}) as Record<string, unknown>
    }
    at[last] = flagValue(last, text)
  }
  return out
}

/** Where a record of the file is: its line; and how to find it in the report (its id, or its key and time). */
interface Place {
  readonly line: number
  /** A Lambda record's own identifier. */
  readonly id?: string
  /** A put's key (partition key, message group) and time, which decide its place in the stream. */
  readonly key?: string
  readonly at?: number
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof ExactInteger)

/** A payload as a put carries it: with an integer a double cannot hold, its exact JSON text. */
const exactData = (value: unknown): unknown => (hasExactInteger(value) ? raw(exactJson(value)) : value)

/** The records of the file, a line each, with each one's place. */
async function readRecords(file: string, source: Source, topic: string): Promise<{ records: unknown[]; places: Place[] }> {
  const where = file === '-' ? 'standard input' : file
  const text = await readText(file, RECORDS_CAP, 'the most simulate reads (it holds every record and event in memory; split the file)')
  const records: unknown[] = []
  const places: Place[] = []
  text.split('\n').forEach((content, i) => {
    if (content.trim() === '') return
    const at = `${where}:${i + 1}`
    const value = parseExactJson(content, at)
    const o = isObject(value) ? value : undefined
    let record: unknown
    let place: Place
    if (source === 'dynamodb' || typeof o?.eventSource === 'string') {
      record = value
      const id =
        o?.eventSource === 'aws:sqs'
          ? o.messageId
          : isObject(o?.kinesis)
            ? o.kinesis.sequenceNumber
            : isObject(o?.dynamodb)
              ? o.dynamodb.SequenceNumber
              : undefined
      place = { line: i + 1, ...(typeof id === 'string' ? { id } : {}) }
    } else if (source === 'kafka' && o !== undefined && 'offset' in o && 'topic' in o) {
      // A Lambda Kafka record: named `<topic>-<partition>:<offset>`.
      record = value
      place = { line: i + 1, id: `${String(o.topic)}-${String(o.partition)}:${String(o.offset)}` }
    } else if (source === 'kafka') {
      const produced = o !== undefined && 'value' in o ? o : { value }
      record = { ...produced, value: exactData(produced.value) }
      // A produced record's place: its partition (the report's key) and its time.
      place = {
        line: i + 1,
        key: `${typeof produced.topic === 'string' ? produced.topic : topic}-${typeof produced.partition === 'number' ? produced.partition : 0}`,
        at: typeof produced.at === 'number' ? produced.at : 0,
      }
    } else if (source === 'sqs') {
      const send = o !== undefined && 'body' in o ? o : { body: value }
      record = hasExactInteger(send.body) ? { ...send, body: exactJson(send.body) } : send
      place = {
        line: i + 1,
        key: typeof send.messageGroupId === 'string' ? send.messageGroupId : '',
        at: typeof send.at === 'number' ? send.at : 0,
      }
    } else {
      const put = o !== undefined && 'data' in o ? o : { data: value }
      record = { ...put, data: exactData(put.data) }
      place = {
        line: i + 1,
        key: typeof put.partitionKey === 'string' ? put.partitionKey : 'pk-0',
        at: typeof put.at === 'number' ? put.at : 0,
      }
    }
    // What is left of a long integer is outside any payload: a field the simulator reads as a number.
    if (hasExactInteger(isObject(record) ? { ...record, data: undefined, body: undefined, value: undefined } : record))
      throw new UsageError(`${at} has an integer beyond ±(2^53 − 1) outside the payload, which would be rounded; write it as a string.`)
    records.push(record)
    places.push(place)
  })
  return { records, places }
}

/**
 * Each record's line, by identifier. A Lambda record is found by its own identifier. The records
 * of one key keep their order in the stream or queue (arrival time, then file order), so the
 * report's records of a key are, in order, that key's lines.
 */
function linesOf(report: MappingReport, places: readonly Place[]): Map<string, number> {
  const byId = new Map<string, Place[]>()
  const byKey = new Map<string, Place[]>()
  for (const p of places) {
    const [map, k] = p.id !== undefined ? [byId, p.id] : [byKey, p.key ?? '']
    map.set(k, [...(map.get(k) ?? []), p])
  }
  for (const list of byKey.values()) list.sort((a, b) => (a.at ?? 0) - (b.at ?? 0) || a.line - b.line)
  const lines = new Map<string, number>()
  for (const o of report.outcomes) {
    const place = byId.get(o.id)?.shift() ?? byKey.get(o.key)?.shift()
    if (place !== undefined) lines.set(o.id, place.line)
  }
  return lines
}

// Long digit runs (sequence numbers, ids) and UUIDs vary from one invocation to the next: grouped as one.
const normalise = (message: string): string =>
  message.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '…').replace(/\d{10,}/g, '…')

const SHOWN = 20
const row = (label: string, value: string | number): string => `${label.padEnd(16)}${value}`

/** Why a record did not succeed, from what the handler logged, else from the report. */
function whyNot(report: MappingReport, id: string, reasons: ReadonlyMap<string, string>): string {
  const outcome = report.outcomes.find((o) => o.id === id)
  if (outcome?.fate === 'expired')
    return `expired (${outcome.expiredBy === 'retention' ? "past the stream's retention" : 'older than MaximumRecordAgeInSeconds'})`
  const logged = reasons.get(id)
  if (logged !== undefined) return logged
  if (outcome?.discardedBehindFailure === true) return 'not started: a record before it in its batch failed'
  const last = [...report.invocations].reverse().find((i) => i.records.includes(id))
  if (last?.error !== undefined) return `the invocation failed: ${last.error.name}: ${last.error.message}`
  if (last?.result === 'malformed-response')
    return 'the response was not a partial batch response Lambda can read, so the whole batch failed'
  return "reported in batchItemFailures; the handler's logger gave no reason"
}

function summary(report: MappingReport, source: Source, lineOf: ReadonlyMap<string, number>, reasons: ReadonlyMap<string, string>): string {
  const lines: string[] = []
  const count = (f: string): number => report.outcomes.filter((o) => o.fate === f).length
  lines.push(row('records', report.outcomes.length))
  lines.push(
    row('invocations', `${report.invocations.length} (${report.invocations.filter((i) => i.result !== 'success').length} not successful)`),
  )
  for (const fate of ['succeeded', 'discarded', 'expired', 'filtered', 'dead-lettered', 'before-start', 'pending']) {
    const n = count(fate)
    if (n > 0) lines.push(row(`  ${fate}`, n))
  }
  const { costly } = report
  if (costly.discardedBehindFailure.length > 0)
    lines.push(`discarded behind a failed record: ${costly.discardedBehindFailure.length} (they did not fail themselves)`)
  if (costly.ignoredPartialResponses.length > 0) {
    const lost = costly.ignoredPartialResponses.reduce((n, r) => n + r.ids.length, 0)
    lines.push(
      `partial responses ignored (ReportBatchItemFailures is off): ${costly.ignoredPartialResponses.length}; ${lost} reported record${lost === 1 ? '' : 's'} counted as succeeded`,
    )
  }
  if (costly.duplicates.length > 0)
    lines.push(
      `delivered more than once: ${costly.duplicates.length} records, ${costly.duplicates.reduce((n, d) => n + d.deliveries - 1, 0)} extra deliveries`,
    )
  if (costly.lostWindows.length > 0) {
    lines.push(
      `tumbling windows lost: ${costly.lostWindows.length} (the final invocation ran out of retries: the aggregate was never acted on, though the records show succeeded)`,
    )
    for (const w of costly.lostWindows.slice(0, SHOWN))
      lines.push(
        `  ${w.shardId} lane ${w.lane}, ${w.start} to ${w.end}: ${w.invocations.length} final invocation${w.invocations.length === 1 ? '' : 's'} failed`,
      )
    if (costly.lostWindows.length > SHOWN) lines.push(`  … and ${costly.lostWindows.length - SHOWN} more (--json has every window)`)
  }
  for (const s of report.shards) lines.push(row('checkpoint', `${s.shardId} ${s.checkpoint ?? '(none)'}`))
  lines.push(metricsLine(report))
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`
  if (report.failureDestination.length > 0)
    lines.push(`failure destination: ${plural(report.failureDestination.length, 'record')} (--json shows them)`)
  if (report.deadLetters !== undefined && report.deadLetters.length > 0)
    lines.push(`dead-letter queue: ${plural(report.deadLetters.length, 'message')}`)

  const lost = report.outcomes.filter(
    (o) => o.fate === 'discarded' || o.fate === 'dead-lettered' || o.fate === 'expired' || o.fate === 'pending',
  )
  if (lost.length > 0) {
    lines.push('why they did not succeed:')
    for (const o of lost.slice(0, SHOWN)) {
      const line = lineOf.get(o.id)
      lines.push(
        `  ${recordName(source, line === undefined ? undefined : `line ${line}`, source === 'kafka' ? undefined : o.key, o.id)} ${o.fate}: ${whyNot(report, o.id, reasons)}`,
      )
    }
    if (lost.length > SHOWN) lines.push(`  … and ${lost.length - SHOWN} more (--json has every record)`)
  }
  const errors = new Map<string, number>()
  for (const i of report.invocations)
    if (i.error !== undefined)
      errors.set(normalise(`${i.error.name}: ${i.error.message}`), (errors.get(normalise(`${i.error.name}: ${i.error.message}`)) ?? 0) + 1)
  if (errors.size > 0) {
    lines.push('errors of failed invocations, most common first:')
    for (const [message, n] of [...errors].sort((a, b) => b[1] - a[1]).slice(0, 3)) lines.push(`  ${String(n).padStart(5)} × ${message}`)
  }
  return lines.join('\n')
}

/**
 * The mapping's own CloudWatch metrics over the run, on one line under AWS's names: each count the
 * mapping publishes, then the largest `IteratorAge` (streams) or offset lags (Kafka) it reached.
 */
function metricsLine(report: MappingReport): string {
  const total = report.metrics?.total
  if (total === undefined) return row('metrics', '(none)')
  const levels = new Set(['IteratorAge', 'MaxOffsetLag', 'SumOffsetLag'])
  const parts = Object.entries(total)
    .filter(([name]) => !levels.has(name))
    .map(([name, n]) => `${name} ${n}`)
  if (total.IteratorAge !== undefined) parts.push(`IteratorAge up to ${total.IteratorAge} ms`)
  if (total.MaxOffsetLag !== undefined)
    parts.push(`MaxOffsetLag up to ${total.MaxOffsetLag}`, `SumOffsetLag up to ${total.SumOffsetLag ?? 0}`)
  return row('metrics', parts.join(', '))
}

/**
 * The handler as the simulator calls it, watched: a factory, or a call that has not answered
 * within the function's timeout in real time (the simulator's clock is virtual and cannot time it
 * out), stops the run with the reason.
 */
function watched(loaded: { handler: Handler; name: string }, timeoutSeconds: number, stop: { reason?: UsageError }): Handler {
  let calls = 0
  return async (event, context) => {
    const call = ++calls
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutSeconds * 1000)
    })
    const answer = await Promise.race([callHandler(loaded.handler, event, context), late]).finally(() => clearTimeout(timer))
    if (answer === 'late') {
      stop.reason = new UsageError(
        `simulate stopped at invocation ${call}: the handler had not answered after ${timeoutSeconds} s of real time, the function's timeout ` +
          '(--timeout-seconds). On Lambda it would time out; look for a promise that never settles.',
      )
      throw stop.reason
    }
    if ('factory' in answer) {
      stop.reason = new UsageError(factoryMessage(loaded.name, answer.factory))
      throw stop.reason
    }
    if ('response' in answer) return answer.response
    // What the handler threw, as an Error the report can read whatever its getters do.
    const parts = errorParts(answer.thrown)
    let isError = false
    try {
      isError = answer.thrown instanceof Error
    } catch {
      // A proxy whose prototype cannot be read: described by its parts below.
    }
    if (isError && parts !== undefined) throw answer.thrown
    throw Object.assign(new Error(parts?.message ?? `the handler threw ${describeThrown(answer.thrown)}`), { name: parts?.name ?? 'Error' })
  }
}

/** Runs `simulate`; resolves to the exit code. */
export async function simulateCommand(positional: readonly string[], flags: Map<string, string>): Promise<number> {
  const mapping = templateMapping(flags)
  refuseUnknown(flags)
  const source = mapping?.source ?? flags.get('source')
  if (source !== 'kinesis' && source !== 'dynamodb' && source !== 'sqs' && source !== 'kafka')
    throw new UsageError('--source must be kinesis, dynamodb, sqs or kafka.')
  const file = flags.get('records')
  if (file === undefined) throw new UsageError('--records <file.jsonl> is required.')
  const loaded = await loadHandler(positional[0])
  const settings = settingsOf(flags)
  // The topic produced records go to, as the simulator chooses it.
  const topicOf = (topics: unknown, topic: unknown): string =>
    Array.isArray(topics) && typeof topics[0] === 'string' ? topics[0] : typeof topic === 'string' ? topic : 'simulated-topic'
  const { records, places } = await readRecords(file, source, topicOf(mapping?.settings.Topics ?? settings.Topics, settings.topic))
  const timeoutSeconds =
    typeof settings.timeoutSeconds === 'number' && settings.timeoutSeconds > 0 ? settings.timeoutSeconds : (mapping?.function.Timeout ?? 3)
  const stop: { reason?: UsageError } = {}
  const tty = process.stderr.isTTY === true
  const write = process.stderr.write.bind(process.stderr)
  const onInvocation = (invocation: InvocationReport, settled: number): void => {
    if (stop.reason !== undefined) throw stop.reason
    // A handler wired to the wrong source throws on every event: Lambda would retry until the records expire.
    if (invocation.error?.name === 'MalformedEventError')
      throw new UsageError(
        `simulate stopped at invocation ${invocation.index + 1}: the handler refused the ${source} event as malformed, as it would every retry. ` +
          `${invocation.error.message} Check --source, or that the export is the handler for ${source}.`,
      )
    // A progress line on a terminal: records settled so far.
    if (tty) write(`\rsimulating: ${settled}/${records.length} records settled`)
  }
  const from = mapping === undefined ? { source } : { mapping }
  const options = { ...from, records, ...settings, onInvocation } as unknown as Parameters<typeof simulate>[1]
  // The handler's per-record and per-batch lines repeat on every retry: the summary says it once.
  const tap = tapLogs({ hold: true })
  let report: MappingReport
  try {
    report = await simulate(watched(loaded, timeoutSeconds, stop) as Parameters<typeof simulate>[0], options)
  } catch (e) {
    throw stop.reason ?? e
  } finally {
    tap.stop()
    if (tty) write('\r\x1b[K')
  }
  if (stop.reason !== undefined) throw stop.reason
  process.stdout.write(
    flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report, source, linesOf(report, places), tap.reasons)}\n`,
  )
  const html = flags.get('html')
  if (html !== undefined) {
    writeFileSync(resolve(html), renderTimeline(report, { reasons: tap.reasons }))
    write(`timeline: ${resolve(html)}\n`)
  }
  return 0
}
