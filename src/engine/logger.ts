/**
 * The logging calls the library makes. `@aws-lambda-powertools/logger`'s `Logger` fits it as it
 * is, and so does `console`.
 *
 * @example
 * ```ts
 * import { Logger } from '@aws-lambda-powertools/logger'
 * const handler = kinesisHandler({ schema: Order, logger: new Logger({ logLevel: 'SILENT' }) }, fn)
 * ```
 */
export interface RecordLogger {
  /** Detail for debugging; the default logger writes it at `LOG_LEVEL=DEBUG`. */
  debug(message: string, ...extra: unknown[]): void
  /** Routine events; the default logger writes them on Lambda (level `INFO`), not elsewhere unless `LOG_LEVEL` asks. */
  info(message: string, ...extra: unknown[]): void
  /** A record that was invalid, a deadline cut. */
  warn(message: string, ...extra: unknown[]): void
  /** A record that failed, a batch that failed whole. */
  error(message: string, ...extra: unknown[]): void
}

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR'

// Lambda's levels (TRACE and FATAL included) and Powertools' (CRITICAL, SILENT), by rank.
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, CRITICAL: 5, FATAL: 5, SILENT: 6 } as const
const RANKS: Readonly<Record<string, number>> = LEVELS

/**
 * The lowest level written, read on each call so that a test can change it: `AWS_LAMBDA_LOG_LEVEL`
 * (the function's log level, set by Lambda's advanced logging controls), else `LOG_LEVEL`, else
 * `INFO` on Lambda (`AWS_LAMBDA_FUNCTION_NAME` is set) and `WARN` elsewhere, so that unit tests and
 * tools print only what went wrong. A value that is not a level counts as unset.
 */
function threshold(): number {
  const env = process.env
  for (const value of [env.AWS_LAMBDA_LOG_LEVEL, env.LOG_LEVEL]) {
    const rank = value === undefined ? undefined : RANKS[value.toUpperCase()]
    if (rank !== undefined) return rank
  }
  return env.AWS_LAMBDA_FUNCTION_NAME === undefined ? LEVELS.WARN : LEVELS.INFO
}

const write =
  (level: Level) =>
  (message: string, ...extra: unknown[]): void => {
    if (LEVELS[level] < threshold()) return
    // One JSON line each, as Lambda's Node.js runtime writes console output: debug and info on
    // stdout, warnings and errors on stderr. CloudWatch keeps each line as one log event.
    const stream = level === 'WARN' || level === 'ERROR' ? process.stderr : process.stdout
    stream.write(`${serialise(level, message, extra)}\n`)
  }

// A bigint (a DynamoDB number beyond 2^53, an SQS Number attribute) is written as its digits.
const replacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value)

/** What JSON.stringify makes of an Error ({}), replaced by what a person needs from it. */
const loggable = (value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value

/**
 * The line as JSON: the level, the message and the fields of each extra object. `level` and
 * `message` are the line's own: extra fields of those names are left out (as Powertools Logger
 * does), so a field can never relabel a line. Logging never fails a record: a field that cannot
 * be written (a cycle, a getter that throws) is left out and named in `logError`, and the other
 * fields (a record's identifiers among them) are kept.
 */
function serialise(level: Level, message: string, extra: readonly unknown[]): string {
  const line: Record<string, unknown> = { level, message }
  try {
    for (const item of extra) {
      if (item === null || typeof item !== 'object') continue
      for (const [key, value] of Object.entries(item)) if (key !== 'level' && key !== 'message') line[key] = loggable(value)
    }
    return JSON.stringify(line, replacer)
  } catch {
    return lineWithout(level, message, extra)
  }
}

/** The line again, field by field, leaving out (and naming) those that cannot be written. */
function lineWithout(level: Level, message: string, extra: readonly unknown[]): string {
  const line: Record<string, unknown> = { level, message }
  const dropped: string[] = []
  for (const item of extra) {
    try {
      if (item === null || typeof item !== 'object') continue
      for (const [key, value] of Object.entries(item)) {
        if (key === 'level' || key === 'message') continue
        try {
          // Written and read back: plain data, which cannot fail the line's own write.
          const json = JSON.stringify(loggable(value), replacer)
          line[key] = json === undefined ? undefined : JSON.parse(json)
        } catch {
          dropped.push(key)
        }
      }
    } catch {
      dropped.push('(an object whose fields cannot be read)')
    }
  }
  // Nothing dropped: a getter threw once and then gave a value, and the line is whole.
  if (dropped.length > 0)
    line.logError = `Left out, since they could not be written as JSON (a cycle, or a getter that throws): ${dropped.join(', ')}.`
  return JSON.stringify(line)
}

/**
 * The default logger: one JSON line per call (`{"level","message",...extra}`), debug and info on
 * stdout, warnings and errors on stderr, which Lambda sends to CloudWatch Logs.
 *
 * Which levels it writes follows Lambda's and Powertools' variables: `AWS_LAMBDA_LOG_LEVEL`, then
 * `LOG_LEVEL` (`DEBUG`, `INFO`, `WARN`, `ERROR`, `SILENT`, ...). When neither is set it writes
 * `INFO` and above on Lambda, and `WARN` and above elsewhere (unit tests, scripts). Set
 * `LOG_LEVEL=SILENT` to silence it in tests, `LOG_LEVEL=INFO` to see your `meta.logger.info` lines.
 */
export const quietLogger: RecordLogger = {
  debug: write('DEBUG'),
  info: write('INFO'),
  warn: write('WARN'),
  error: write('ERROR'),
}

/** A logger that drops everything. Handy in tests. */
export const silentLogger: RecordLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
