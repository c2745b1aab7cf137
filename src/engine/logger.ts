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

/** The most bytes of one line, in UTF-8: far under a CloudWatch log event's limit, so that a line is never split or dropped. */
export const LOG_LINE_BYTES = 16 * 1024
/** The most characters of a line's message, and of any other string in it; the rest is cut, saying how long it was. */
const MESSAGE_CHARS = 4096
const STRING_CHARS = 1024
/** Bytes kept for the `logError` note when fields are left out (its text is cut to fit). */
const NOTE = 2048

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…(cut: ${text.length} characters)`
}

// A bigint (a DynamoDB number beyond 2^53, an SQS Number attribute) is written as its digits; a long string is cut.
const replacer = (_key: string, value: unknown): unknown =>
  typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? cut(value, STRING_CHARS) : value

/**
 * What JSON.stringify makes of an Error ({}), replaced by what a person (and a tool reading the
 * line) needs from it: its name, its message (cut as every string is) unless the line's message
 * already ends with it (`Record 49… failed: <message>`), and its stack's frames only, since the
 * stack's first line repeats the message. A message is written once per line.
 */
function loggable(value: unknown, line: string): unknown {
  if (!(value instanceof Error)) return value
  const { name, message, stack } = value
  const said = typeof message === 'string' && message !== '' && line.endsWith(message)
  const at = typeof stack === 'string' ? stack.indexOf('\n    at ') : -1
  return { name, ...(said ? {} : { message }), ...(at === -1 ? {} : { stack: stack!.slice(at + 1) }) }
}

/** A field's value, read a second time when the first read threw (a getter that is not ready yet). */
function read(item: object, key: string): unknown {
  try {
    return (item as Record<string, unknown>)[key]
  } catch {
    return (item as Record<string, unknown>)[key]
  }
}

/**
 * The line as JSON: the level, the message and the fields of each extra object, a later field of
 * the same name winning. `level` and `message` are the line's own: extra fields of those names are
 * left out (as Powertools Logger does), and so is a `toJSON` field, which would rewrite the whole
 * line: a field can never relabel a line. Logging never fails a record: a field that cannot be
 * written (a cycle, a getter that throws) is left out and named in `logError`, and the other fields
 * (a record's identifiers among them) are kept. A line is at most {@link LOG_LINE_BYTES}: the
 * message and every string are cut first, then the largest fields are left out and named.
 */
function serialise(level: Level, message: string, extra: readonly unknown[]): string {
  const fields = new Map<string, string>()
  const unwritable: string[] = []
  for (const item of extra) {
    try {
      if (item === null || typeof item !== 'object') continue
      for (const key of Object.keys(item)) {
        if (key === 'level' || key === 'message' || key === 'toJSON') continue
        try {
          const json = JSON.stringify(loggable(read(item, key), message), replacer)
          fields.delete(key) // a later field of the same name wins, in its own place
          if (json !== undefined) fields.set(key, json)
        } catch {
          unwritable.push(key)
        }
      }
    } catch {
      unwritable.push('(an object whose fields cannot be read)')
    }
  }
  const head = `{"level":"${level}","message":${JSON.stringify(cut(message, MESSAGE_CHARS))}`
  const sizeOf = (key: string, json: string): number => Buffer.byteLength(key) + Buffer.byteLength(json) + 4
  let size = Buffer.byteLength(head) + 1
  for (const [key, json] of fields) size += sizeOf(key, json)
  // Over the cap: the largest fields go first, until the line and its note (at most NOTE bytes) fit.
  const tooLarge: string[] = []
  if (size + (unwritable.length > 0 ? NOTE : 0) > LOG_LINE_BYTES) {
    for (const [key, json] of [...fields].sort((a, b) => b[1].length - a[1].length)) {
      if (size + NOTE <= LOG_LINE_BYTES) break
      fields.delete(key)
      size -= sizeOf(key, json)
      tooLarge.push(key)
    }
  }
  let line = head
  for (const [key, json] of fields) line += `,${JSON.stringify(key)}:${json}`
  const notes = [
    ...(unwritable.length === 0
      ? []
      : [`Left out, since they could not be written as JSON (a cycle, or a getter that throws): ${unwritable.join(', ')}.`]),
    ...(tooLarge.length === 0 ? [] : [`Left out, since the line would pass ${LOG_LINE_BYTES} bytes: ${tooLarge.join(', ')}.`]),
  ]
  if (notes.length > 0) line += `,"logError":${JSON.stringify(cut(notes.join(' '), NOTE / 4 - 64))}`
  return `${line}}`
}

/**
 * The default logger: one JSON line per call (`{"level","message",...extra}`), debug and info on
 * stdout, warnings and errors on stderr, which Lambda sends to CloudWatch Logs.
 *
 * Which levels it writes follows Lambda's and Powertools' variables: `AWS_LAMBDA_LOG_LEVEL`, then
 * `LOG_LEVEL` (`DEBUG`, `INFO`, `WARN`, `ERROR`, `SILENT`, ...). When neither is set it writes
 * `INFO` and above on Lambda, and `WARN` and above elsewhere (unit tests, scripts). Set
 * `LOG_LEVEL=SILENT` to silence it in tests, `LOG_LEVEL=INFO` to see your `meta.logger.info` lines.
 * A line is at most 16 KB: long messages and strings are cut, and the largest fields left out and
 * named in `logError`.
 */
export const quietLogger: RecordLogger = {
  debug: write('DEBUG'),
  info: write('INFO'),
  warn: write('WARN'),
  error: write('ERROR'),
}

/** A logger that drops everything. Handy in tests. */
export const silentLogger: RecordLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
