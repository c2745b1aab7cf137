/**
 * The command line: `lambda-stream-handlers event|invoke|simulate|demo …`. Errors are one line on stderr and a
 * non-zero exit; `<command> --help` prints the command's usage and examples.
 *
 * @module cli
 * @internal
 */
import { parseArgs, UsageError } from './args.js'
import { checkCommand } from './check.js'
import { buildEvent } from './event.js'
import { HELP, USAGE } from './help.js'
import { invokeCommand } from './invoke.js'
import { describeThrown } from './load.js'
import { simulateCommand } from './simulate.js'

function refuseFlags(command: string, flags: Map<string, string>, known: readonly string[]): void {
  const unknown = [...flags.keys()].filter((k) => !known.includes(k))
  if (unknown.length > 0)
    throw new UsageError(
      `${command}: unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are ${known.map((k) => `--${k}`).join(', ')}.`,
    )
}

/** The packages the demo loads, beyond this package's own dependencies. */
const DEMO_PACKAGES = [
  'kinesalite',
  'dynalite',
  '@aws-sdk/client-kinesis',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  '@smithy/node-http-handler',
  '@aws-lambda-powertools/idempotency',
  'zod',
] as const

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
  refuseFlags('demo', flags, ['records', 'json'])
  const missing = await missingDemoPackages()
  if (missing.length > 0)
    throw new UsageError(
      `the demo needs local servers, the AWS SDK and Powertools idempotency; install them with: npm install -D ${missing.join(' ')}`,
    )
  const { runDemo } = await import('./demo.js')
  const raw = flags.get('records') ?? '600'
  const records = Number(raw)
  if (!/^\d+$/.test(raw) || records < 1 || records > 20_000)
    throw new UsageError(`--records must be a whole number from 1 to 20000; received ${raw}.`)
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

/** A command: its flags that need no value, and what it does (resolving to the exit code). */
interface Command {
  readonly switches: ReadonlySet<string>
  /** It runs the user's code, which may leave timers or sockets open: the process exits when it is done. */
  readonly runsUserCode: boolean
  readonly run: (positional: readonly string[], flags: Map<string, string>) => Promise<number>
}

/** The commands, by name; each has its help in help.ts. */
const COMMANDS: Readonly<Record<string, Command>> = {
  event: {
    switches: new Set(['fifo', 'gzip']),
    runsUserCode: false,
    run: async (positional, flags) => {
      process.stdout.write(`${JSON.stringify(await buildEvent(positional[0], positional.slice(1), flags), null, 2)}\n`)
      return 0
    },
  },
  invoke: {
    switches: new Set(),
    runsUserCode: true,
    run: (positional, flags) => {
      refuseFlags('invoke', flags, ['event', 'timeout'])
      return invokeCommand(positional, flags)
    },
  },
  simulate: { switches: new Set(['json', 'fifo', 'BisectBatchOnFunctionError']), runsUserCode: true, run: simulateCommand },
  demo: { switches: new Set(['json']), runsUserCode: false, run: (_positional, flags) => demo(flags) },
  check: { switches: new Set(), runsUserCode: true, run: checkCommand },
}

/** What a command line came to: the exit code, and whether the process must exit now (see {@link Command.runsUserCode}). */
export interface Ran {
  readonly code: number
  readonly exit: boolean
}

/** Runs one command line (without `node` and the script). */
export async function run(argv: readonly string[]): Promise<Ran> {
  const [first, ...rest] = argv
  // `help <command>` is `<command> --help`.
  const name = first === 'help' ? rest[0] : first
  const wantsHelp = first === 'help' || first === '--help' || first === '-h'
  const command = name === undefined || !Object.hasOwn(COMMANDS, name) ? undefined : (COMMANDS[name] as Command)
  if (name === undefined || command === undefined) {
    if (name !== undefined && !wantsHelp) {
      process.stderr.write(`lambda-stream-handlers: unknown command ${name}.\n${USAGE}\n`)
      return { code: 2, exit: false }
    }
    ;(wantsHelp ? process.stdout : process.stderr).write(`${USAGE}\n`)
    return { code: 0, exit: false }
  }
  try {
    const { positional, flags, help } = parseArgs(first === 'help' ? [] : rest, command.switches)
    if (help || wantsHelp) {
      process.stdout.write(`${HELP[name as string]}\n`)
      return { code: 0, exit: false }
    }
    return { code: await command.run(positional, flags), exit: command.runsUserCode }
  } catch (e) {
    process.stderr.write(`lambda-stream-handlers: ${e instanceof UsageError ? e.message : describeThrown(e)}\n`)
    return { code: 1, exit: command.runsUserCode }
  }
}

/** Runs one command line (without `node` and the script) and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  return (await run(argv)).code
}
