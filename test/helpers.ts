import type { RecordLogger } from 'lambda-stream-handlers'

/** A logger that keeps what it is given, so tests can check what was logged. */
export function memoryLogger(): RecordLogger & { lines: { level: string; message: string; extra: unknown[] }[] } {
  const lines: { level: string; message: string; extra: unknown[] }[] = []
  const at =
    (level: string) =>
    (message: string, ...extra: unknown[]): void => {
      lines.push({ level, message, extra })
    }
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))
