/**
 * `lambda-stream-handlers check [<module>#<export>] --template <file> [--function <logical id>]`:
 * the findings of `checkMapping` for every mapping of a template, one a line, and a summary; exit 1
 * when any is an error. Also the `--template` form of `simulate`.
 *
 * @module
 * @internal
 */
import { checkMapping, readMappings, type EventSourceMapping, type Finding } from '../local/index.js'
import { UsageError } from './args.js'
import { loadHandler } from './load.js'

export const CHECK_HELP = `usage: lambda-stream-handlers check [<module>[#<export>]] --template <template.json|template.yaml> [--function <logical id>]

Reads every event source mapping of a CloudFormation template (cdk.out/<Stack>.template.json, a SAM
template.yaml) and checks it: settings AWS refuses, settings that lose records, and risks. Given the
handler, it also holds each mapping against it: its source, whether it reports partial failures,
its DynamoDB view type, its tumbling window, its ordering. One finding a line (severity, mapping,
code, what is wrong, the fix as a CDK prop and a CloudFormation property), then a summary.
Exits 1 when any finding is an error, 0 otherwise.

examples:
  npx lambda-stream-handlers check dist/orders.js#handler --template cdk.out/Orders.template.json
  npx lambda-stream-handlers check ./src/orders.ts --template template.yaml --function OrdersFunction
  npx lambda-stream-handlers simulate dist/orders.js --template cdk.out/Orders.template.json --function OrdersFunction --records records.jsonl`

/** One line of a finding: severity, logical id, code, sentence, fix. */
export function formatFinding(f: Finding): string {
  return `${f.severity.padEnd(7)} ${f.logicalId} ${f.code}: ${f.message} Fix: ${f.fix.cdk} (CDK); ${f.fix.cloudFormation} (CloudFormation).`
}

/** Runs `check` and resolves to the exit code. */
export async function checkCommand(positional: readonly string[], flags: Map<string, string>): Promise<number> {
  const unknown = [...flags.keys()].filter((k) => k !== 'template' && k !== 'function')
  if (unknown.length > 0)
    throw new UsageError(`check: unknown option ${unknown.map((k) => `--${k}`).join(', ')}; the options are --template, --function.`)
  const template = flags.get('template')
  if (template === undefined) throw new UsageError('check needs --template <file>: the CloudFormation or SAM template to read.')
  const handler = positional[0] === undefined ? undefined : (await loadHandler(positional[0])).handler
  const fn = flags.get('function')
  const mappings = readMappings(template, fn === undefined ? {} : { function: fn })
  if (mappings.length === 0)
    throw new UsageError(`${template} has no Kinesis, DynamoDB, SQS or Kafka event source mapping${fn === undefined ? '' : ` for ${fn}`}.`)
  const findings = mappings.flatMap((m) => checkMapping(handler, m))
  for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`)
  const errors = findings.filter((f) => f.severity === 'error').length
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
  process.stdout.write(
    `${plural(mappings.length, 'mapping')} checked${handler === undefined ? ' (no handler given: template rules only)' : ''}: ${plural(errors, 'error')}, ${plural(findings.length - errors, 'warning')}.\n`,
  )
  return errors > 0 ? 1 : 0
}

/**
 * For `simulate --template <file> --function <id>`: the one mapping to simulate, taken out of the
 * flags; `undefined` without `--template`.
 */
export function templateMapping(flags: Map<string, string>): EventSourceMapping | undefined {
  const template = flags.get('template')
  const fn = flags.get('function')
  flags.delete('template')
  flags.delete('function')
  if (template === undefined) {
    if (fn !== undefined) throw new UsageError('--function goes with --template.')
    return undefined
  }
  if (flags.has('source')) throw new UsageError('--source comes from the template: leave it out.')
  const mappings = readMappings(template, fn === undefined ? {} : { function: fn })
  if (mappings.length !== 1)
    throw new UsageError(
      mappings.length === 0
        ? `${template} has no Kinesis, DynamoDB, SQS or Kafka mapping${fn === undefined ? '' : ` for ${fn}`}.`
        : `${template} has ${mappings.length} mappings (${mappings.map((m) => `${m.logicalId} of ${m.function.logicalId ?? '?'}`).join(', ')}): name one function with --function.`,
    )
  return mappings[0]
}
