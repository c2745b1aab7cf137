/**
 * The command line's arguments: positional arguments and `--flag value` pairs, kebab-case or
 * camelCase, switches that need no value, and `-` for standard input.
 *
 * @module
 * @internal
 */
import { readFileSync } from 'node:fs'

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

/** A file's text, or standard input's for `-`. */
export function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch {
    throw new UsageError(file === '-' ? 'cannot read standard input.' : `cannot read ${file}.`)
  }
}
