/**
 * One invocation of the function, the same for every simulator and runner: calling the handler on
 * a virtual or the real clock, and writing down its answer in the report.
 */
import type { Context, SQSEvent } from 'aws-lambda'
import { describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import type { InvocationReport } from './report.js'
import type { Verdict } from './rules.js'
import { configError } from './settings.js'

/** What calling the function produced. */
export interface CallResult {
  readonly response?: unknown
  readonly error?: unknown
  readonly timedOut?: boolean
  readonly durationMs: number
}

/** Calls the function with an event and a context whose clock reads `now`. */
export type Caller = (event: unknown, context: Context) => Promise<CallResult>

type Handler = (event: never, context: Context) => unknown

/** A deterministic source of request ids (UUID-shaped) from a seed. */
export function requestIds(seed: number): () => string {
  let s = seed >>> 0 || 1
  const word = (): string => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0).toString(16).padStart(8, '0')
  }
  return () => {
    const a = word() + word() + word() + word()
    return `${a.slice(0, 8)}-${a.slice(8, 12)}-4${a.slice(13, 16)}-8${a.slice(17, 20)}-${a.slice(20, 32)}`
  }
}

// How far under the timeout the context's remaining time is when the handler starts (fact 118).
const ENTRY_MS = 3

// The context as Lambda's is while the handler runs: its remaining time starts a little under the
// timeout and falls in real time until the call ends (fact 118), whatever clock the simulation
// keeps. A context whose time stood still would let a handler's deadline check pass in the
// simulator where Lambda's fails.
function running(context: Context, timeoutMs: number): Context {
  const started = performance.now()
  return { ...context, getRemainingTimeInMillis: () => Math.max(0, Math.floor(timeoutMs - ENTRY_MS - (performance.now() - started))) }
}

/**
 * Calls the handler on the virtual clock: the invocation takes `duration` ms (a number, or a
 * function of the event), and one longer than the timeout fails whatever the handler returned.
 */
export function virtualCaller(handler: Handler, duration: number | ((event: never) => number), timeoutMs: number): Caller {
  return async (event, context) => {
    const durationMs = typeof duration === 'function' ? (duration as (e: unknown) => number)(event) : duration
    if (typeof durationMs !== 'number' || !(durationMs >= 0))
      configError('simulate', `\`durationMs\` must give a number of milliseconds, 0 or more; it gave ${describeValue(durationMs)}.`)
    let response: unknown
    let error: Error | undefined
    try {
      response = await (handler as (e: unknown, c: Context) => unknown)(event, running(context, timeoutMs))
    } catch (e) {
      error = toError(e)
    }
    if (durationMs > timeoutMs) return { timedOut: true, durationMs: timeoutMs }
    return error === undefined ? { response, durationMs } : { error, durationMs }
  }
}

/** Calls the handler on the real clock: one that has not answered after `timeoutMs` timed out. */
export function realCaller(handler: Handler, timeoutMs: number): Caller {
  return async (event, context) => {
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs)
    })
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => (handler as (e: unknown, c: Context) => unknown)(event, running(context, timeoutMs))),
        timeout,
      ])
      if (result === 'timeout') return { timedOut: true, durationMs: Date.now() - started }
      return { response: result, durationMs: Date.now() - started }
    } catch (e) {
      return { error: toError(e), durationMs: Date.now() - started }
    } finally {
      clearTimeout(timer)
    }
  }
}

/** A thrown value as the report shows it. */
export function errorInfo(e: unknown): { name: string; message: string } {
  return e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) }
}

/** What failed calls mean to the mapping: a timeout or a thrown error is a function error. */
export function callVerdict(result: CallResult): Verdict | undefined {
  if (result.timedOut === true) return { kind: 'failure', functionError: 'Unhandled', reason: 'timeout' }
  if (result.error !== undefined) return { kind: 'failure', functionError: 'Unhandled', reason: errorInfo(result.error).message }
  return undefined
}

/** The part of an invocation's report that says what the function answered and how the mapping read it. */
export function answerReport(
  result: CallResult,
  verdict: Verdict,
  timeoutMs: number,
): Pick<InvocationReport, 'response' | 'error' | 'durationMs' | 'result' | 'ignoredBatchItemFailures'> {
  const ignored = verdict.kind === 'success' ? verdict.ignored : []
  const kind: InvocationReport['result'] =
    result.timedOut === true
      ? 'timeout'
      : result.error !== undefined
        ? 'error'
        : verdict.kind === 'success'
          ? 'success'
          : verdict.kind === 'partial'
            ? 'partial'
            : 'malformed-response'
  return {
    ...(result.error === undefined && result.timedOut !== true ? { response: result.response } : {}),
    ...(result.timedOut === true
      ? { error: { name: 'TimeoutError', message: `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` } }
      : result.error !== undefined
        ? { error: errorInfo(result.error) }
        : {}),
    durationMs: result.durationMs,
    result: kind,
    ...(ignored.length > 0 ? { ignoredBatchItemFailures: ignored } : {}),
  }
}

/** The report of an SQS invocation: one receive from the queue, whose attempt is the highest receive count in it. */
export function receiveReport(
  index: number,
  atMs: number,
  queue: string,
  attempt: number,
  event: SQSEvent,
  answer: ReturnType<typeof answerReport>,
): InvocationReport {
  return {
    index,
    at: new Date(atMs).toISOString(),
    shardId: queue,
    lane: 0,
    trigger: 'receive',
    attempt,
    records: event.Records.map((r) => r.messageId),
    event,
    ...answer,
  }
}

// Fact 56: a FIFO function reports its failed message and every later one of the group.
/**
 * The SQS messages of a failed invocation that did not fail by themselves: unstarted after their
 * group's failure (this library's AllRecordsFailedError says so), or, on a FIFO queue, reported
 * after the first reported message of their group, as AWS asks FIFO functions to report them.
 */
export function sqsCollateral(
  messages: readonly { readonly id: string; readonly group: string }[],
  verdict: Verdict,
  error: unknown,
  fifo: boolean,
): Set<string> {
  const out = new Set<string>()
  if (verdict.kind === 'partial' && fifo) {
    const failedGroups = new Set<string>()
    for (const m of messages) {
      if (!verdict.reported.includes(m.id)) continue
      if (failedGroups.has(m.group)) out.add(m.id)
      failedGroups.add(m.group)
    }
  }
  const outcomes = (error as { outcomes?: unknown } | null | undefined)?.outcomes
  if (verdict.kind === 'failure' && Array.isArray(outcomes)) {
    for (const x of outcomes as { status?: unknown; id?: unknown; reason?: { kind?: unknown } }[])
      if (x?.status === 'skipped' && x.reason?.kind === 'after-failure' && typeof x.id === 'string') out.add(x.id)
  }
  return out
}
