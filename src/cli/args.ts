/**
 * The command line's arguments: positional arguments and `--flag value` pairs, kebab-case or
 * camelCase, switches that need no value, and `-` for standard input.
 *
 * @module
 * @internal
 */
import { createReadStream } from 'node:fs'

/** A mistake in the command line or its input: printed as one line, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** What {@link parseArgs} found. */
export interface Args {
  readonly positional: string[]
  /** By the name the command reads (`partitionKey` for `--partition-key`). */
  readonly flags: Map<string, string>
  /** `--help` or `-h` was given. */
  readonly help: boolean
}

/** Flags that name a setting of the Lambda API in kebab-case become its PascalCase name, unless they are one of these. */
const CAMEL_CASE = new Set([
  'file',
  'partitionKey',
  'shardId',
  'streamName',
  'region',
  'accountId',
  'arrivedAt',
  'gzip',
  'queueName',
  'fifo',
  'messageGroupId',
  'envelope',
  'sentAt',
  'keys',
  'streamViewType',
  'tableName',
  'createdAt',
  'event',
  'source',
  'records',
  'json',
  'shards',
  'start',
  'durationMs',
  'seed',
  'retentionHours',
  'maxInvocations',
  'timeoutSeconds',
  'functionName',
  'visibilityTimeoutSeconds',
  'maxReceiveCount',
  'windowGraceSeconds',
])

/**
 * A flag's name as the commands read it: `partition-key` is `partitionKey`; a kebab-case name
 * that is not one of the tool's own is a Lambda API setting, `batch-size` is `BatchSize`
 * (`scaling-config.maximum-concurrency` is `ScalingConfig.MaximumConcurrency`).
 */
export function flagName(raw: string): string {
  if (!raw.includes('-')) return raw
  const camel = raw.replace(/-([a-z0-9])/gi, (_, c: string) => c.toUpperCase())
  if (CAMEL_CASE.has(camel)) return camel
  return camel
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('.')
}

/**
 * Splits a command line. `switches` may stand alone (`--fifo` is `--fifo true`) or take `true` /
 * `false`; every other flag needs a value, given as the next argument or after `=`.
 */
export function parseArgs(argv: readonly string[], switches: ReadonlySet<string>): Args {
  const positional: string[] = []
  const flags = new Map<string, string>()
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--help' || a === '-h') {
      help = true
      continue
    }
    if (!a.startsWith('--') || a === '--') {
      positional.push(a)
      continue
    }
    const eq = a.indexOf('=')
    const name = flagName(eq > 0 ? a.slice(2, eq) : a.slice(2))
    if (eq > 0) {
      flags.set(name, a.slice(eq + 1))
      continue
    }
    const value = argv[i + 1]
    if (switches.has(name)) {
      const given = value === 'true' || value === 'false'
      flags.set(name, given ? value : 'true')
      if (given) i++
      continue
    }
    // `-` (standard input) is a value; `--next` is the next flag.
    if (value === undefined || (value.startsWith('--') && value !== '--')) throw new UsageError(`${a} needs a value.`)
    flags.set(name, value)
    i++
  }
  return { positional, flags, help }
}

/** 6 MB (6,291,456 bytes), Lambda's limit for an invocation's payload: an event file, and the payloads of `event`. */
export const EVENT_CAP = 6 * 1024 * 1024

/**
 * 32 MB, the most `simulate --records` reads: the simulator holds every record, and its report every
 * invocation's event, in memory (measured: a 31 MB file of 31,559 records of 1 KB peaked at 330 MB
 * resident, and took minutes on two cores).
 */
export const RECORDS_CAP = 32 * 1024 * 1024

const mb = (bytes: number): string => `${bytes / 1024 / 1024} MB (${bytes.toLocaleString('en-US')} bytes)`

/**
 * A file's text, or standard input's for `-`, reading at most `cap` bytes: an endless input
 * (`/dev/zero`, a producer that never stops) ends in a clear error, in bounded memory. The text must be UTF-8.
 */
export async function readText(file: string, cap: number, why: string): Promise<string> {
  const where = file === '-' ? 'standard input' : file
  const stream = file === '-' ? process.stdin : createReadStream(file)
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      size += (chunk as Buffer).length
      if (size > cap) throw new UsageError(`${where} holds more than ${mb(cap)}, ${why}.`)
      chunks.push(chunk as Buffer)
    }
  } catch (e) {
    if (e instanceof UsageError) throw e
    const code = (e as { code?: unknown } | null)?.code
    const why =
      code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : code === 'EACCES' ? ': permission denied' : ''
    throw new UsageError(`cannot read ${where}${why}.`)
  } finally {
    // Standard input is read once: let go of it, so that an endless producer does not keep the process alive.
    if (file === '-') process.stdin.destroy()
    else stream.destroy()
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new UsageError(`${where} is not UTF-8 text.`)
  }
}
