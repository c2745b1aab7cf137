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

/** What a run of the command line came to (see {@link runCli}). */
export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  /** How long the run took, in milliseconds. */
  readonly ms: number
}

let cliRuns: Promise<unknown> = Promise.resolve()

/**
 * The command line, `lambda-stream-handlers <args>`, run in this test's process: `run(args)` of
 * src/cli, as bin.ts calls it, with what it writes on stdout and stderr captured and `stdin` as its
 * standard input (`'endless'`: a producer that never stops; none: an empty input, as a child
 * process whose stdin is closed). As in a child process, `LOG_LEVEL` is unset while it runs (this
 * repository's test run sets it to SILENT): the handlers log as a user's would.
 *
 * Use it for what the command does: it costs no process start (starting Node with tsx took about a
 * second of CPU per call, most of the CLI tests' time). Runs go one at a time, as the command taps
 * process.stdout and process.stderr while a handler runs: concurrent calls queue. What only a
 * process shows (that it exits by itself though a module leaves a timer running, a real pipe on
 * stdin, loading TypeScript with `--import tsx`) is tested with `cli` of test/cli/spawn.ts, which
 * starts the real command in a child process; a handler that never settles stays pending here.
 *
 * @example
 * const out = await runCli(['invoke', 'test/cli/fixtures/handlers.ts#orders', '--event', '-'], { stdin: '{"Records":[]}' })
 * expect(out.code).toBe(0)
 */
export function runCli(args: readonly string[], options: { readonly stdin?: string | 'endless' } = {}): Promise<CliRun> {
  const ran = cliRuns.then(() => runCliNow(args, options))
  cliRuns = ran.catch(() => {})
  return ran
}

async function runCliNow(args: readonly string[], options: { readonly stdin?: string | 'endless' }): Promise<CliRun> {
  const { run } = await import('../src/cli/index.js')
  const { Readable } = await import('node:stream')
  let stdout = ''
  let stderr = ''
  const capture =
    (append: (text: string) => void) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
      const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined
      if (callback !== undefined) process.nextTick(callback)
      return true
    }
  const input =
    options.stdin === 'endless'
      ? new Readable({
          read() {
            this.push(Buffer.alloc(64 * 1024, '['))
          },
        })
      : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)], { objectMode: false })
  const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')
  const [out, err] = [process.stdout.write, process.stderr.write]
  const level = process.env.LOG_LEVEL
  Object.defineProperty(process, 'stdin', { configurable: true, enumerable: stdin?.enumerable ?? true, get: () => input })
  process.stdout.write = capture((t) => (stdout += t)) as typeof process.stdout.write
  process.stderr.write = capture((t) => (stderr += t)) as typeof process.stderr.write
  delete process.env.LOG_LEVEL
  const started = Date.now()
  try {
    const { code } = await run(args)
    return { code, stdout, stderr, ms: Date.now() - started }
  } finally {
    process.stdout.write = out
    process.stderr.write = err
    if (stdin !== undefined) Object.defineProperty(process, 'stdin', stdin)
    if (level === undefined) delete process.env.LOG_LEVEL
    else process.env.LOG_LEVEL = level
    input.destroy()
  }
}
