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
  /** Detail for debugging; dropped by the default logger. */
  debug(message: string, ...extra: unknown[]): void
  /** Routine events; dropped by the default logger. */
  info(message: string, ...extra: unknown[]): void
  /** A record that was invalid, a deadline cut. */
  warn(message: string, ...extra: unknown[]): void
  /** A record that failed, a batch that failed whole. */
  error(message: string, ...extra: unknown[]): void
}

const write =
  (level: 'WARN' | 'ERROR') =>
  (message: string, ...extra: unknown[]): void => {
    const line: Record<string, unknown> = { level, message }
    for (const item of extra) {
      if (item === null || typeof item !== 'object') continue
      for (const [key, value] of Object.entries(item)) {
        // JSON.stringify turns an Error into {}: keep what a person needs from it.
        line[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value
      }
    }
    // One JSON line on stderr: CloudWatch keeps it as one log event.
    process.stderr.write(`${JSON.stringify(line)}\n`)
  }

/**
 * The default logger: quiet. Warnings and errors (an invalid record, a deadline cut, a batch that
 * failed whole) go to stderr as one JSON line each; debug and info are dropped.
 */
export const quietLogger: RecordLogger = {
  debug: () => {},
  info: () => {},
  warn: write('WARN'),
  error: write('ERROR'),
}

/** A logger that drops everything. Handy in tests. */
export const silentLogger: RecordLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }
