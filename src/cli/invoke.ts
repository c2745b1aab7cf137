/**
 * `lambda-stream-handlers invoke <module>[#<export>] --event <file|-> [--timeout 3]`: the handler
 * once on an event, with a test context whose remaining time counts down from the timeout, as
 * Lambda calls it; the response on stdout, the logs and a REPORT line on stderr.
 *
 * @module
 * @internal
 */
import { lambdaContext } from '../testing/context.js'
import { EVENT_CAP, readText, UsageError } from './args.js'
import { parseJson } from './json.js'
import { type Answer, callHandler, describeThrown, factoryMessage, loadHandler } from './load.js'
import { tapLogs, type LogTap } from './logs.js'
import { eventPositions, recordName } from './names.js'
import { itemIdentifierText } from '../local/kafka.js'

/** Lambda's default function timeout, in seconds. */
const DEFAULT_TIMEOUT = 3

function timeoutOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT
  const seconds = Number(raw)
  if (!/^\d+$/.test(raw) || seconds < 1 || seconds > 900)
    throw new UsageError(`--timeout must be a whole number of seconds from 1 to 900, as Lambda's; received ${raw}.`)
  return seconds
}

type Outcome = Answer | { readonly timedOut: true }

/** The REPORT line after an invocation: what Lambda prints, plus what became of the records. */
function reportLines(requestId: string, ms: number, event: unknown, outcome: Outcome, tap: LogTap): string[] {
  const positions = eventPositions(event)
  const response = 'response' in outcome ? outcome.response : undefined
  const reported = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures
  const batch = tap.batches.at(-1)
  const counts =
    'timedOut' in outcome
      ? 'Status: timeout'
      : batch !== undefined
        ? `Succeeded: ${batch.succeeded}\tFailed: ${batch.failed}\tInvalid: ${batch.invalid}\tSkipped: ${batch.skipped + batch.deadline}`
        : 'thrown' in outcome
          ? 'Failed: all (the handler threw)'
          : `Reported for retry: ${Array.isArray(reported) ? reported.length : 0}`
  const lines = [`REPORT RequestId: ${requestId}\tDuration: ${ms.toFixed(2)} ms\tRecords: ${positions.size}\t${counts}`]
  const name = (id: string): string => {
    const p = positions.get(id)
    return p === undefined ? id : recordName(p.source, p.where, p.key, id)
  }
  for (const [id, reason] of tap.reasons) lines.push(`  ${name(id)} ${reason}`)
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
    for (const f of reported as unknown[]) {
      // A Kafka identifier is an object: named by its text, as the record's log lines name it.
      const raw = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier
      const id = itemIdentifierText(raw) ?? String(JSON.stringify(raw))
      if (!tap.reasons.has(id)) lines.push(`  ${name(id)} ${notStarted}`)
    }
  }
  if ('thrown' in outcome) lines.push(`  the handler threw ${describeThrown(outcome.thrown)}`)
  return lines
}

/** Resolves to the answer, or to a timeout after `seconds`. */
async function answerWithin(answer: Promise<Answer>, seconds: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), seconds * 1000)
  })
  try {
    return await Promise.race([answer, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Runs `invoke`; resolves to the exit code. */
export async function invokeCommand(positional: readonly string[], flags: Map<string, string>): Promise<number> {
  const timeout = timeoutOf(flags.get('timeout'))
  const file = flags.get('event')
  if (file === undefined) throw new UsageError('--event <file.json> is required.')
  const { handler, name } = await loadHandler(positional[0])
  const text = await readText(file, EVENT_CAP, "Lambda's limit for an invocation's payload")
  const event = parseJson(text, file === '-' ? 'standard input' : file)
  // The remaining time counts down from the timeout, as on Lambda.
  const context = lambdaContext({ timeoutMs: timeout * 1000 })
  // As on Lambda, the default logger writes INFO unless told otherwise.
  const env = process.env
  const level = env.LOG_LEVEL
  if (env.AWS_LAMBDA_LOG_LEVEL === undefined && level === undefined) env.LOG_LEVEL = 'INFO'
  const tap = tapLogs({ hold: false })
  const started = performance.now()
  let outcome: Outcome
  try {
    outcome = await answerWithin(callHandler(handler, event, context), timeout)
  } finally {
    tap.stop()
    if (level === undefined) delete env.LOG_LEVEL
    else env.LOG_LEVEL = level
  }
  const ms = performance.now() - started
  if ('factory' in outcome) throw new UsageError(factoryMessage(name, outcome.factory))
  if ('response' in outcome) {
    let json: string | undefined
    try {
      json = JSON.stringify(outcome.response ?? null, null, 2)
    } catch (e) {
      // V8's message for a circular structure spans lines; the command's error is one.
      throw new UsageError(`the handler's response cannot be written as JSON, as Lambda must: ${describeThrown(e).split('\n')[0]}`)
    }
    process.stdout.write(`${json ?? 'null'}\n`)
  }
  // Lambda's own line for a timeout, before the REPORT line.
  if ('timedOut' in outcome) process.stderr.write(`${context.awsRequestId} Task timed out after ${timeout.toFixed(2)} seconds\n`)
  process.stderr.write(`${reportLines(context.awsRequestId, ms, event, outcome, tap).join('\n')}\n`)
  return 'response' in outcome ? 0 : 1
}
