/**
 * What the handler's logger says while the CLI runs it. A handler built by this library logs each
 * record it did not process (`recordId` with a `reason` or an `error`), a summary per batch
 * (`batch`) and a batch that failed whole (`records`), as JSON lines: the default logger and Powertools' Logger both write them to stdout or
 * stderr. The CLI reads them there, so that it can say why a record failed whatever the handler
 * and whichever copy of the library (ESM or CommonJS) built it.
 *
 * @module
 * @internal
 */
import type { BatchSummary } from '../engine/outcome.js'

/** What {@link tapLogs} gathered. */
export interface LogTap {
  /** The last reason logged for each record, by identifier: `failed (handler): …`, `invalid (validation at total): …`. */
  readonly reasons: Map<string, string>
  /** Each batch summary line, in order. */
  readonly batches: BatchSummary[]
  /** Puts the streams back. */
  stop(): void
}

interface Line {
  readonly message?: unknown
  readonly recordId?: unknown
  readonly reason?: unknown
  readonly path?: unknown
  readonly error?: { readonly message?: unknown }
  readonly batch?: BatchSummary
  readonly records?: unknown
}

// The words before the reason in the engine's lines, which end with it:
// "Invalid record 49…, reported for retry: The data is not valid JSON…" -> "The data is not valid JSON…",
// "Invalid record 49…, skipped (onInvalid: 'skip'): …", "Record 49… failed: refund r-1 needs a review" -> "refund r-1 needs a review".
const PREFIX = /^(?:Invalid record \S+?(?:[,;][^:(]*(?:\([^)]*\))?)?|Record \S+? failed): /

function reasonOf(line: Line): string | undefined {
  const logged = typeof line.message === 'string' ? line.message : undefined
  const message = logged?.replace(PREFIX, '')
  if (typeof line.reason === 'string') {
    const where = typeof line.path === 'string' ? `${line.reason} at ${line.path}` : line.reason
    return `invalid (${where}): ${message ?? ''}`
  }
  if (line.error === undefined) return undefined
  // A failed record's line holds the error's message once, in `message` (the default logger leaves
  // it out of `error`); a line in other words (another logger) may hold it only in `error.message`.
  const own = message !== undefined && message !== logged ? message : undefined
  const fromError = typeof line.error?.message === 'string' ? line.error.message : undefined
  return `failed (handler): ${own ?? fromError ?? message ?? ''}`
}

/**
 * Reads the JSON lines written to stdout and stderr until `stop()`. Everything else, and with
 * `hold: false` those lines too, goes on to stderr, so that stdout keeps only what the CLI prints.
 */
export function tapLogs(options: { readonly hold: boolean }): LogTap {
  const reasons = new Map<string, string>()
  const batches: BatchSummary[] = []
  const out = process.stdout.write
  const err = process.stderr.write
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk)
    const kept = text.split('\n').filter((raw) => {
      if (!raw.startsWith('{')) return true
      let line: Line
      try {
        line = JSON.parse(raw) as Line
      } catch {
        return true
      }
      const reason = typeof line.recordId === 'string' ? reasonOf(line) : undefined
      if (reason !== undefined) reasons.set(line.recordId as string, reason)
      const isBatch = typeof line.batch === 'object' && line.batch !== null && typeof line.batch.records === 'number'
      if (isBatch) batches.push(line.batch as BatchSummary)
      // "All 3 records of the batch failed; throwing …": the invocation's error, which the report keeps.
      const isThrow = typeof line.records === 'number' && typeof line.message === 'string' && line.message.startsWith('All ')
      return !options.hold || (reason === undefined && !isBatch && !isThrow)
    })
    if (kept.length === 0 || (kept.length === 1 && kept[0] === '')) return true
    return (err as (...a: unknown[]) => boolean).call(process.stderr, kept.join('\n'), ...rest)
  }
  process.stdout.write = write as typeof process.stdout.write
  process.stderr.write = write as typeof process.stderr.write
  return {
    reasons,
    batches,
    stop: () => {
      process.stdout.write = out
      process.stderr.write = err
    },
  }
}
