import { spawn } from 'node:child_process'

const root = new URL('../../', import.meta.url).pathname

/** What a run of the command came to. */
export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * The installed command in a child process, as a user runs it: about a second of CPU per call to
 * start Node and tsx. For what the command prints and returns, use `runCli` of test/helpers.ts
 * (the same command in the test's process); this is for what only a process shows: that it exits
 * by itself, a real pipe on stdin, loading TypeScript with `--import tsx`. `stdin`: text to send, or
 * `'endless'` for a producer that never stops (it writes until the command exits).
 */
export function cli(args: readonly string[], options: { stdin?: string | 'endless'; timeoutMs?: number } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  // The handlers log as a user's would: this repository's test run silences the default logger, the CLI runs do not.
  delete env.LOG_LEVEL
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: root, env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000)
    child.stdin.on('error', () => {})
    if (options.stdin === 'endless') {
      const chunk = Buffer.alloc(64 * 1024, '[')
      const pump = (): void => {
        while (child.exitCode === null && child.stdin.writable && child.stdin.write(chunk));
        if (child.exitCode === null && child.stdin.writable) child.stdin.once('drain', pump)
      }
      pump()
    } else if (options.stdin !== undefined) child.stdin.end(options.stdin)
    else child.stdin.end()
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
}

/** Runs the commands a few at a time (the machine's cores are shared), in order. */
export async function each(runs: readonly (readonly string[])[], options: { stdin?: string | 'endless' } = {}, at = 3): Promise<Ran[]> {
  const out: Ran[] = []
  for (let i = 0; i < runs.length; i += at) out.push(...(await Promise.all(runs.slice(i, i + at).map((args) => cli(args, options)))))
  return out
}
