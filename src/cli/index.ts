/**
 * The command line: `lambda-stream-handlers event|invoke|simulate|demo …`. Errors are one line on stderr and a
 * non-zero exit; `<command> --help` prints the command's usage and examples.
 *
 * @module cli
 * @internal
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { lambdaContext } from '../testing/context.js'
import { simulate, type InvocationReport, type MappingReport } from '../local/index.js'
import { parseArgs, readText, UsageError } from './args.js'
import { buildEvent } from './event.js'
import { HELP, USAGE } from './help.js'
import { tapLogs, type LogTap } from './logs.js'

type Handler = (event: unknown, context: unknown) => unknown

async function loadHandler(spec: string | undefined): Promise<Handler> {
  if (spec === undefined) throw new UsageError('name the handler as <module>#<export>, e.g. ./handler.ts#handler.')
  const hash = spec.lastIndexOf('#')
  const file = hash < 0 ? spec : spec.slice(0, hash)
  const name = hash < 0 ? 'handler' : spec.slice(hash + 1)
  const path = resolve(file)
  if (/\.[cm]?tsx?$/.test(path) && !process.execArgv.some((a) => a.includes('tsx'))) {
    try {
      const api = (await import('tsx/esm/api' as string)) as { register: () => unknown }
      api.register()
    } catch {
      throw new UsageError(`${file} is TypeScript: install tsx (npm install -D tsx) or pass the compiled .js file.`)
    }
  }
  let mod: Record<string, unknown>
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>
  } catch (e) {
    const code = (e as { code?: string }).code
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(path))
      throw new UsageError(`cannot find the module ${file}.`)
    throw new UsageError(`cannot load ${file}: ${(e as Error).message.split('\n')[0]}`)
  }
  const handler = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name]
  if (typeof handler !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function')
    throw new UsageError(`${file} has no exported function \`${name}\`; its functions are: ${exported.join(', ') || '(none)'}.`)
  }
  return handler as Handler
}

function readJson(file: string | undefined, what: string): unknown {
  if (file === undefined) throw new UsageError(`${what} is required.`)
  const text = readText(file)
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file === '-' ? 'standard input' : file} is not JSON: ${(e as Error).message}`)
  }
}

function readRecords(file: string | undefined, source: string): unknown[] {
  if (file === undefined) throw new UsageError('--records <file.jsonl> is required.')
  const where = file === '-' ? 'standard input' : file
  return readText(file)
    .split('\n')
    .flatMap((line, i) => {
      if (line.trim() === '') return []
      let value: unknown
      try {
        value = JSON.parse(line)
      } catch (e) {
        throw new UsageError(`${where}:${i + 1} is not JSON: ${(e as Error).message}`)
      }
      const o = value as Record<string, unknown> | null
      const isObject = typeof o === 'object' && o !== null && !Array.isArray(o)
      if (source === 'dynamodb' || (isObject && typeof o.eventSource === 'string')) return [value]
      if (source === 'sqs') return [isObject && 'body' in o ? value : { body: value }]
      return [isObject && 'data' in o ? value : { data: value }]
    })
}

/** Each command's flags that need no value. */
const SWITCHES: Readonly<Record<string, ReadonlySet<string>>> = {
  event: new Set(['fifo', 'gzip']),
  invoke: new Set(),
  simulate: new Set(['json', 'fifo', 'BisectBatchOnFunctionError']),
  demo: new Set(['json']),
}

function refuseFlags(command: string, flags: Map<string, string>, known: readonly string[]): void {
  const unknown = [...flags.keys()].filter((k) => !known.includes(k))
  if (unknown.length > 0)
    throw new UsageError(
      `${command}: unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are ${known.map((k) => `--${k}`).join(', ')}.`,
    )
}

const SIMULATOR_FLAGS = new Set(['source', 'records', 'json'])

function settingsOf(flags: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, raw] of flags) {
    if (SIMULATOR_FLAGS.has(key)) continue
    let value: unknown = raw
    if (raw === 'true' || raw === 'false') value = raw === 'true'
    else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw)
    if (key === 'FunctionResponseTypes') value = raw === '' || raw === '[]' ? [] : raw.split(',')
    if (key === 'ScalingConfig.MaximumConcurrency') out.ScalingConfig = { MaximumConcurrency: value }
    else out[key] = value
  }
  return out
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

function summary(report: MappingReport, reasons: ReadonlyMap<string, string>): string {
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
  for (const s of report.shards) lines.push(row('checkpoint', `${s.shardId} ${s.checkpoint ?? '(none)'}`))
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
    for (const o of lost.slice(0, SHOWN)) lines.push(`  ${o.id} ${o.fate}: ${whyNot(report, o.id, reasons)}`)
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

/** A handler the simulator calls wired to the wrong source throws on every event: Lambda would retry until the records expire. */
function stopOnMalformed(source: string): (invocation: InvocationReport) => void {
  return (invocation) => {
    if (invocation.error?.name !== 'MalformedEventError') return
    throw new UsageError(
      `simulate stopped at invocation ${invocation.index + 1}: the handler refused the ${source} event as malformed, as it would every retry. ` +
        `${invocation.error.message} Check --source, or that the export is the handler for ${source}.`,
    )
  }
}

async function simulateCommand(positional: readonly string[], flags: Map<string, string>): Promise<number> {
  const handler = await loadHandler(positional[0])
  const source = flags.get('source')
  if (source !== 'kinesis' && source !== 'dynamodb' && source !== 'sqs') throw new UsageError('--source must be kinesis, dynamodb or sqs.')
  const records = readRecords(flags.get('records'), source)
  const tty = process.stderr.isTTY === true
  const stop = stopOnMalformed(source)
  const write = process.stderr.write.bind(process.stderr)
  const onInvocation = (invocation: InvocationReport, settled: number): void => {
    stop(invocation)
    // A progress line on a terminal: records settled so far.
    if (tty) write(`\rsimulating: ${settled}/${records.length} records settled`)
  }
  const options = { source, records, ...settingsOf(flags), onInvocation } as unknown as Parameters<typeof simulate>[1]
  // The handler's per-record and per-batch lines repeat on every retry: the summary says it once.
  const tap = tapLogs({ hold: true })
  let report: MappingReport
  try {
    report = await simulate(handler as Parameters<typeof simulate>[0], options)
  } finally {
    tap.stop()
    if (tty) write('\r\x1b[K')
  }
  process.stdout.write(flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report, tap.reasons)}\n`)
  return 0
}

/** The REPORT line after an invocation: what Lambda prints, plus what became of the records. */
function reportLine(requestId: string, ms: number, event: unknown, response: unknown, thrown: unknown, tap: LogTap): string[] {
  const records = (event as { Records?: unknown } | null)?.Records
  const n = Array.isArray(records) ? records.length : 0
  const reported = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  const batch = tap.batches.at(-1)
  const counts =
    batch !== undefined
      ? `Succeeded: ${batch.succeeded}\tFailed: ${batch.failed}\tInvalid: ${batch.invalid}\tSkipped: ${batch.skipped + batch.deadline}`
      : thrown !== undefined
        ? 'Failed: all (the handler threw)'
        : `Reported for retry: ${Array.isArray(reported) ? reported.length : 0}`
  const lines = [`REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tRecords: ${n}\t${counts}`]
  for (const [id, reason] of tap.reasons) lines.push(`  ${id} ${reason}`)
  // Records not started are not logged one by one: the batch line says why.
  const notStarted =
    batch === undefined
      ? "reported for retry; the handler's logger gave no reason"
      : batch.skipped > 0 && batch.deadline > 0
        ? 'not started (behind a failed record, or the Lambda was near its timeout)'
        : batch.deadline > 0
          ? 'not started: the Lambda was near its timeout'
          : 'not started: a record it is ordered behind failed'
  if (Array.isArray(reported)) {
    for (const f of reported as { itemIdentifier?: unknown }[]) {
      const id = String(f?.itemIdentifier)
      if (!tap.reasons.has(id)) lines.push(`  ${id} ${notStarted}`)
    }
  }
  if (thrown !== undefined)
    lines.push(`  the handler threw ${(thrown as Error).name ?? 'an error'}: ${(thrown as Error).message ?? String(thrown)}`)
  return lines
}

async function invokeCommand(positional: readonly string[], flags: Map<string, string>): Promise<number> {
  refuseFlags('invoke', flags, ['event'])
  const handler = await loadHandler(positional[0])
  const event = readJson(flags.get('event'), '--event <file.json>')
  const context = lambdaContext()
  // As on Lambda, the default logger writes INFO unless told otherwise.
  const env = process.env
  const level = env.LOG_LEVEL
  if (env.AWS_LAMBDA_LOG_LEVEL === undefined && level === undefined) env.LOG_LEVEL = 'INFO'
  const tap = tapLogs({ hold: false })
  const started = performance.now()
  let response: unknown
  let thrown: unknown
  try {
    response = await handler(event, context)
  } catch (e) {
    thrown = e ?? new Error(String(e))
  } finally {
    tap.stop()
    if (level === undefined) delete env.LOG_LEVEL
    else env.LOG_LEVEL = level
  }
  const ms = performance.now() - started
  if (thrown === undefined) process.stdout.write(`${JSON.stringify(response ?? null, null, 2)}\n`)
  process.stderr.write(`${reportLine(context.awsRequestId, ms, event, response, thrown, tap).join('\n')}\n`)
  return thrown === undefined ? 0 : 1
}

/** The packages the demo loads, beyond this package's own dependencies. */
const DEMO_PACKAGES = [
  'kinesalite',
  'dynalite',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@smithy/node-http-handler',
  'zod',
] as const

/**
 * The demo's packages this project cannot load: the servers and the AWS SDK are development
 * dependencies, not this package's own. Checked before demo.ts is loaded (it imports zod).
 */
async function missingDemoPackages(): Promise<string[]> {
  const missing: string[] = []
  for (const name of DEMO_PACKAGES) {
    try {
      await import(name as string)
    } catch (e) {
      const code = (e as { code?: string }).code
      const self = String((e as Error).message).includes(`'${name}'`)
      if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && self) missing.push(name)
      else throw e
    }
  }
  return missing
}

/** `demo`: checks that the servers and the SDK can be loaded, then runs the demo (see demo.ts). */
async function demo(flags: Map<string, string>): Promise<number> {
  refuseFlags('demo', flags, ['records', 'json'])
  const missing = await missingDemoPackages()
  if (missing.length > 0)
    throw new UsageError(`the demo needs local servers and the AWS SDK; install them with: npm install -D ${missing.join(' ')}`)
  const { runDemo } = await import('./demo.js')
  const raw = flags.get('records') ?? '600'
  const records = Number(raw)
  if (!/^\d+$/.test(raw) || records < 1 || records > 20_000)
    throw new UsageError(`--records must be a whole number from 1 to 20000; received ${raw}.`)
  const json = flags.has('json')
  const tty = process.stderr.isTTY === true
  const stop = new AbortController()
  const onSigint = (): void => stop.abort()
  process.once('SIGINT', onSigint)
  try {
    const summary = await runDemo({
      records,
      signal: stop.signal,
      print: (line) => void (json ? process.stderr : process.stdout).write(`${line}\n`),
      progress: (line, final) => void process.stderr.write(tty ? `\r\x1b[K${line}${final ? '\n' : ''}` : `${line}\n`),
    })
    if (json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`)
    return summary.pending > 0 ? 130 : 0
  } finally {
    process.removeListener('SIGINT', onSigint)
  }
}

/** Runs one command line (without `node` and the script) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv
  // `help <command>` is `<command> --help`.
  const command = first === 'help' ? rest[0] : first
  const wantsHelp = first === 'help' || first === '--help' || first === '-h'
  try {
    if (command === undefined || !(command in HELP)) {
      if (command !== undefined && !wantsHelp) {
        process.stderr.write(`lambda-stream-handlers: unknown command ${command}.\n${USAGE}\n`)
        return 2
      }
      ;(wantsHelp ? process.stdout : process.stderr).write(`${USAGE}\n`)
      return 0
    }
    const { positional, flags, help } = parseArgs(first === 'help' ? [] : rest, SWITCHES[command] as ReadonlySet<string>)
    if (help || wantsHelp) {
      process.stdout.write(`${HELP[command]}\n`)
      return 0
    }
    if (command === 'invoke') return await invokeCommand(positional, flags)
    if (command === 'simulate') return await simulateCommand(positional, flags)
    if (command === 'demo') return await demo(flags)
    process.stdout.write(`${JSON.stringify(buildEvent(positional[0], positional.slice(1), flags), null, 2)}\n`)
    return 0
  } catch (e) {
    const error = e as Error
    process.stderr.write(`lambda-stream-handlers: ${error.name === 'UsageError' ? '' : `${error.name}: `}${error.message}\n`)
    return 1
  }
}
