/**
 * The command line: `lambda-stream-handlers event|invoke|simulate|demo …`. Errors are one line on stderr and a
 * non-zero exit.
 *
 * @module cli
 * @internal
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { lambdaContext } from '../testing/context.js'
import { simulate, type MappingReport } from '../local/index.js'
import { buildEvent, UsageError } from './event.js'

const USAGE = `usage:
  lambda-stream-handlers event kinesis|dynamodb|sqs [payload …] [--file payloads.json|.jsonl] [--option value …]
  lambda-stream-handlers invoke <module>#<export> --event <event.json>
  lambda-stream-handlers simulate <module>#<export> --source kinesis|dynamodb|sqs --records <records.jsonl> [--Setting value …] [--json]
  lambda-stream-handlers demo [--records 600] [--json]

  simulate settings are spelled as in the Lambda API (--BatchSize 10 --MaximumRetryAttempts 2
  --BisectBatchOnFunctionError true --FunctionResponseTypes ReportBatchItemFailures), plus the
  simulator's own (--shards 2 --timeoutSeconds 3 --durationMs 100 --seed 1; SQS: --fifo true
  --visibilityTimeoutSeconds 30 --maxReceiveCount 3 --ScalingConfig.MaximumConcurrency 5).
  A records line is a payload, or a put ({"data":…,"partitionKey":…,"at":…} for Kinesis,
  {"body":…,"messageGroupId":…} for SQS), or a Lambda record; DynamoDB lines are stream records.
  event: a payload argument that is not JSON is text (a record that is not JSON). Kinesis takes
  puts ({"data":…,"partitionKey":…}, or {"text":…} for bytes as they are) and --partitionKey,
  --shardId, --streamName, --arrivedAt, --gzip; SQS --queueName, --fifo, --messageGroupId,
  --envelope sns|eventbridge, --sentAt; DynamoDB takes items (INSERTs) or {"eventName","newImage",
  "oldImage","ttl"} and --keys id,sk, --streamViewType, --tableName, --createdAt; all --region, --accountId.`


function parseArgs(argv: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = []
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (!a.startsWith('--')) {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
    else if (a === '--json') flags.set('json', 'true')
    else {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${a} needs a value.`)
      flags.set(a.slice(2), value)
      i++
    }
  }
  return { positional, flags }
}

async function loadHandler(spec: string | undefined): Promise<(event: unknown, context: unknown) => unknown> {
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
    if (code === 'ERR_MODULE_NOT_FOUND' && String((e as Error).message).includes(path)) throw new UsageError(`cannot find the module ${file}.`)
    throw new UsageError(`cannot load ${file}: ${(e as Error).message.split('\n')[0]}`)
  }
  const handler = mod[name] ?? (mod.default as Record<string, unknown> | undefined)?.[name]
  if (typeof handler !== 'function') {
    const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function')
    throw new UsageError(`${file} has no exported function \`${name}\`; its functions are: ${exported.join(', ') || '(none)'}.`)
  }
  return handler as (event: unknown, context: unknown) => unknown
}

function readJson(file: string | undefined, what: string): unknown {
  if (file === undefined) throw new UsageError(`${what} is required.`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new UsageError(`cannot read ${file}.`)
  }
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`)
  }
}

function readRecords(file: string | undefined, source: string): unknown[] {
  if (file === undefined) throw new UsageError('--records <file.jsonl> is required.')
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    throw new UsageError(`cannot read ${file}.`)
  }
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return []
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (e) {
      throw new UsageError(`${file}:${i + 1} is not JSON: ${(e as Error).message}`)
    }
    const o = value as Record<string, unknown> | null
    const isObject = typeof o === 'object' && o !== null && !Array.isArray(o)
    if (source === 'dynamodb' || (isObject && typeof o.eventSource === 'string')) return [value]
    if (source === 'sqs') return [isObject && 'body' in o ? value : { body: value }]
    return [isObject && 'data' in o ? value : { data: value }]
  })
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

function summary(report: MappingReport): string {
  const lines: string[] = []
  const count = (f: string): number => report.outcomes.filter((o) => o.fate === f).length
  lines.push(`records       ${report.outcomes.length}`)
  lines.push(`invocations   ${report.invocations.length} (${report.invocations.filter((i) => i.result !== 'success').length} not successful)`)
  for (const fate of ['succeeded', 'discarded', 'expired', 'filtered', 'dead-lettered', 'before-start', 'pending']) {
    const n = count(fate)
    if (n > 0) lines.push(`  ${fate.padEnd(12)}${n}`)
  }
  const { costly } = report
  if (costly.discardedBehindFailure.length > 0) lines.push(`discarded behind a failed record: ${costly.discardedBehindFailure.length} (they did not fail themselves)`)
  if (costly.ignoredPartialResponses.length > 0) {
    const lost = costly.ignoredPartialResponses.reduce((n, r) => n + r.ids.length, 0)
    lines.push(`partial responses ignored (ReportBatchItemFailures is off): ${costly.ignoredPartialResponses.length}; ${lost} reported record${lost === 1 ? '' : 's'} counted as succeeded`)
  }
  if (costly.duplicates.length > 0) lines.push(`delivered more than once: ${costly.duplicates.length} records, ${costly.duplicates.reduce((n, d) => n + d.deliveries - 1, 0)} extra deliveries`)
  for (const s of report.shards) lines.push(`checkpoint    ${s.shardId} ${s.checkpoint ?? '(none)'}`)
  if (report.failureDestination.length > 0) lines.push(`failure destination: ${report.failureDestination.length} records (--json shows them)`)
  if (report.deadLetters !== undefined && report.deadLetters.length > 0) lines.push(`dead-letter queue: ${report.deadLetters.length} messages`)
  return lines.join('\n')
}

/** The packages the demo loads, beyond this package's own dependencies. */
const DEMO_PACKAGES = ['kinesalite', 'dynalite', '@aws-sdk/client-kinesis', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@smithy/node-http-handler', 'zod'] as const

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
  const missing = await missingDemoPackages()
  if (missing.length > 0) throw new UsageError(`the demo needs local servers and the AWS SDK; install them with: npm install -D ${missing.join(' ')}`)
  const { runDemo } = await import('./demo.js')
  const raw = flags.get('records') ?? '600'
  const records = Number(raw)
  if (!/^\d+$/.test(raw) || records < 1 || records > 20_000) throw new UsageError(`--records must be a whole number from 1 to 20000; received ${raw}.`)
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
  const [command, ...rest] = argv
  try {
    const { positional, flags } = parseArgs(rest)
    if (command === 'invoke') {
      const handler = await loadHandler(positional[0])
      const event = readJson(flags.get('event'), '--event <file.json>')
      const response = await handler(event, lambdaContext())
      process.stdout.write(`${JSON.stringify(response ?? null, null, 2)}\n`)
      return 0
    }
    if (command === 'simulate') {
      const handler = await loadHandler(positional[0])
      const source = flags.get('source')
      if (source !== 'kinesis' && source !== 'dynamodb' && source !== 'sqs') throw new UsageError('--source must be kinesis, dynamodb or sqs.')
      const records = readRecords(flags.get('records'), source)
      // A progress line on a terminal: invocations so far and records settled.
      const progress = process.stderr.isTTY
        ? (_i: unknown, settled: number): void => void process.stderr.write(`\rsimulating: ${settled}/${records.length} records settled`)
        : undefined
      const options = { source, records, ...settingsOf(flags), ...(progress === undefined ? {} : { onInvocation: progress }) } as unknown as Parameters<typeof simulate>[1]
      const report = await simulate(handler as Parameters<typeof simulate>[0], options)
      if (progress !== undefined) process.stderr.write('\r\x1b[K')
      process.stdout.write(flags.has('json') ? `${JSON.stringify(report, null, 2)}\n` : `${summary(report)}\n`)
      return 0
    }
    if (command === 'demo') return await demo(flags)
    if (command === 'event') {
      process.stdout.write(`${JSON.stringify(buildEvent(positional[0], positional.slice(1), flags), null, 2)}\n`)
      return 0
    }
    process.stderr.write(`${USAGE}\n`)
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2
  } catch (e) {
    const error = e as Error
    process.stderr.write(`lambda-stream-handlers: ${error.name === 'UsageError' ? '' : `${error.name}: `}${error.message}\n`)
    return 1
  }
}
