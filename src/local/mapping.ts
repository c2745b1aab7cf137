/**
 * The event source mapping as data: its settings named as in the Lambda API and CloudFormation,
 * the source's own settings (shards, view type, queue), and the function's timeout. Read from a
 * CloudFormation or SAM template by {@link readMappings}; read by `simulate()` and `checkMapping()`.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml, type ScalarTag, type CollectionTag } from 'yaml'
import { ConfigurationError } from '../engine/errors.js'
import { describeValue } from '../engine/options.js'
import { type KafkaMappingSettings, MAPPING_SETTING_NAMES, type SqsMappingSettings, type StreamMappingSettings } from './settings.js'

/** The sources a mapping can read. */
export type MappingSource = 'kinesis' | 'dynamodb' | 'sqs' | 'kafka'

/**
 * The settings of an event source mapping, named and shaped as in `CreateEventSourceMapping` and
 * `AWS::Lambda::EventSourceMapping`: those of the streams, of SQS and of Kafka. Each source takes those AWS allows for it.
 */
export type MappingSettings = Omit<StreamMappingSettings, 'windowGraceSeconds'> & SqsMappingSettings & KafkaMappingSettings

/** The source's own settings, as its CloudFormation resource names them. */
export interface MappingSourceSettings {
  /** The CloudFormation resource's logical id, when the template has it. */
  readonly logicalId?: string
  /** Kinesis: the stream's shards (absent for on-demand streams). */
  readonly ShardCount?: number
  /** DynamoDB: the table's `StreamSpecification.StreamViewType`; absent when the table has no stream. */
  readonly StreamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES'
  /** SQS: the queue's visibility timeout in seconds (SQS's default is 30). */
  readonly VisibilityTimeout?: number
  /** SQS: the queue's redrive policy; absent when failed messages never go to a dead-letter queue. */
  readonly RedrivePolicy?: { readonly maxReceiveCount?: number; readonly deadLetterTargetArn?: unknown }
  /** SQS: a FIFO queue. */
  readonly FifoQueue?: boolean
  /**
   * Kafka: the cluster's kind, Amazon MSK (`EventSourceArn` names an MSK cluster; SAM's `MSK`
   * event) or self-managed (`SelfManagedEventSource`; SAM's `SelfManagedKafka` event).
   */
  readonly Cluster?: 'msk' | 'self-managed'
}

/** The function a mapping invokes. */
export interface MappingFunction {
  readonly logicalId?: string
  /** Its timeout in seconds (Lambda's default is 3). */
  readonly Timeout?: number
}

/** One event source mapping: what it reads, its settings, the function it invokes. */
export interface EventSourceMapping {
  /** The mapping's logical id (for a SAM event, the function's id followed by the event's name, as SAM names it). */
  readonly logicalId: string
  readonly source: MappingSource
  readonly settings: MappingSettings
  readonly sourceSettings: MappingSourceSettings
  readonly function: MappingFunction
  /** The references the reader could not resolve (a parameter, an import, a resource not in the template), with where they are. */
  readonly unresolved: readonly string[]
  /**
   * What the mapping sets that `simulate()` does not model, each in a sentence (a Kafka schema
   * registry, Kafka's queue mode); a simulation of the mapping lists them among its assumptions.
   */
  readonly notSimulated?: readonly string[]
}

/** Options of {@link readMappings}. */
export interface ReadMappingsOptions {
  /**
   * Only the mappings of this function: its logical id, or the construct id CDK made it from
   * (`OrdersFunction` for `OrdersFunctionC129706A`).
   */
  readonly function?: string
}

/** Whether a logical id is `wanted`, or CDK's id for the construct `wanted` (the id and 8 hex digits). */
const isFunction = (logicalId: string | undefined, wanted: string | undefined): boolean =>
  wanted === undefined ||
  logicalId === wanted ||
  (logicalId !== undefined && new RegExp(`^${wanted.replace(/[^\w]/g, '')}[0-9A-F]{8}$`).test(logicalId))

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

const INTRINSICS = ['Ref', 'Condition']
const FN = [
  'GetAtt',
  'Sub',
  'Join',
  'Select',
  'Split',
  'If',
  'Equals',
  'And',
  'Or',
  'Not',
  'FindInMap',
  'ImportValue',
  'Base64',
  'Cidr',
  'GetAZs',
  'Transform',
  'ToJsonString',
  'Length',
]

/** CloudFormation's short-form tags, each read as its long form (`!Ref X` is `{ Ref: X }`). */
const SHORT_TAGS: (ScalarTag | CollectionTag)[] = [
  ...INTRINSICS.map((n) => [n, n] as const),
  ...FN.map((n) => [n, `Fn::${n}`] as const),
].flatMap(([tag, key]) => {
  const long = (value: unknown): Json => ({
    [key]:
      tag === 'GetAtt' && typeof value === 'string' ? [value.slice(0, value.indexOf('.')), value.slice(value.indexOf('.') + 1)] : value,
  })
  return [
    { tag: `!${tag}`, resolve: (value: string) => long(value) } as ScalarTag,
    { tag: `!${tag}`, collection: 'seq', resolve: (value: { toJSON(): unknown }) => long(value.toJSON()) } as unknown as CollectionTag,
    { tag: `!${tag}`, collection: 'map', resolve: (value: { toJSON(): unknown }) => long(value.toJSON()) } as unknown as CollectionTag,
  ]
})

const NAME = 'readMappings'
const fail = (message: string): never => {
  throw new ConfigurationError(`${NAME}: ${message}`)
}

/** The template as an object: given, or read from a JSON or YAML file. */
function loadTemplate(template: string | object): Json {
  if (typeof template === 'object' && template !== null) return template as Json
  if (typeof template !== 'string') return fail(`the template must be a path or an object; received ${describeValue(template)}.`)
  let text: string
  try {
    text = readFileSync(template, 'utf8')
  } catch {
    return fail(`cannot read ${template}.`)
  }
  let parsed: unknown
  try {
    parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { customTags: SHORT_TAGS, maxAliasCount: 100 })
  } catch (e) {
    return fail(`${template} is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`)
  }
  if (!isObject(parsed)) return fail(`${template} does not hold a template object.`)
  return parsed
}

/**
 * Reads every event source mapping of a CloudFormation template: `AWS::Lambda::EventSourceMapping`
 * resources (what CDK synthesises into `cdk.out/*.template.json`, and what the SAM transform and
 * Serverless Framework produce) and the `Kinesis`, `DynamoDB`, `SQS`, `MSK` and `SelfManagedKafka`
 * events of SAM's `AWS::Serverless::Function` (with `Globals`). Each comes with its settings, the
 * stream, table, queue or Kafka cluster it reads and the function's timeout, resolved through `Ref`
 * and `Fn::GetAtt`. What cannot be resolved (a parameter, an import) is listed in `unresolved`,
 * never guessed.
 *
 * @example
 * ```ts
 * const [mapping] = readMappings(template, { function: 'OrdersFunction' })
 * const report = await simulate(handler, { mapping, records: [{ data: { orderId: 'o-1', total: 5 } }] })
 * ```
 */
export function readMappings(template: string | object, options: ReadMappingsOptions = {}): EventSourceMapping[] {
  const t = loadTemplate(template)
  const resources = t.Resources
  if (!isObject(resources)) return fail('the template has no `Resources`.')
  const globals = isObject(t.Globals) && isObject(t.Globals.Function) ? t.Globals.Function : {}
  const out: EventSourceMapping[] = []
  for (const [id, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue
    const props = isObject(resource.Properties) ? resource.Properties : {}
    if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
      const unresolved: string[] = []
      const fn = functionOf(resources, props.FunctionName, globals, unresolved, id)
      if (!isFunction(fn.logicalId, options.function)) continue
      // Fact 145: a self-managed Kafka cluster is named by its brokers, not by an ARN.
      const target =
        props.SelfManagedEventSource !== undefined
          ? SELF_MANAGED
          : targetOf(resources, props.EventSourceArn, unresolved, `${id}.EventSourceArn`)
      if (target === undefined) continue
      out.push(mappingOf(resources, id, target, props, fn, unresolved))
    } else if (resource.Type === 'AWS::Serverless::Function') {
      if (!isFunction(id, options.function)) continue
      const events = isObject(props.Events) ? props.Events : {}
      for (const [name, event] of Object.entries(events)) {
        if (!isObject(event) || !SAM_EVENTS.includes(event.Type as string)) continue
        const unresolved: string[] = []
        const p = isObject(event.Properties) ? event.Properties : {}
        const where = `${id}.Events.${name}`
        const arn = event.Type === 'SQS' ? p.Queue : p.Stream
        const target =
          event.Type === 'SelfManagedKafka'
            ? SELF_MANAGED
            : targetOf(resources, arn, unresolved, `${where}.${event.Type === 'SQS' ? 'Queue' : 'Stream'}`)
        if (target === undefined) continue
        const timeout = props.Timeout ?? globals.Timeout
        const fn: MappingFunction = { logicalId: id, ...numberAt(timeout, 'Timeout', unresolved, `${id}.Timeout`) }
        out.push(mappingOf(resources, `${id}${name}`, target, p, fn, unresolved))
      }
    }
  }
  return out
}

/** SAM's events that make an event source mapping (`MSK` names its cluster in `Stream`). */
const SAM_EVENTS = ['Kinesis', 'DynamoDB', 'SQS', 'MSK', 'SelfManagedKafka']

/** The mapping's own settings, as written; values that are references are listed as unresolved. */
function mappingOf(
  resources: Json,
  logicalId: string,
  target: Target,
  props: Json,
  fn: MappingFunction,
  unresolved: string[],
): EventSourceMapping {
  const settings: Record<string, unknown> = {}
  for (const key of MAPPING_SETTING_NAMES) {
    const value = props[key]
    if (value === undefined) continue
    const where = `${logicalId}.${key}`
    if (key === 'DestinationConfig') {
      // A destination is an ARN built from a reference: present is what matters; keep its kind when it shows.
      const destination = isObject(value) && isObject(value.OnFailure) ? value.OnFailure.Destination : undefined
      const arn =
        destination === undefined ? undefined : destinationArn(resources, destination, unresolved, `${where}.OnFailure.Destination`)
      settings[key] = { OnFailure: arn === undefined ? {} : { Destination: arn } }
      continue
    }
    // CloudFormation takes a number or a boolean as text too ("10", "true"); no setting holds such text as text.
    Object.assign(settings, booleanAt(value, key, unresolved, where))
  }
  const notSimulated = target.source === 'kafka' ? kafkaNotSimulated(props) : []
  return {
    logicalId,
    source: target.source,
    settings: settings as MappingSettings,
    sourceSettings: target.settings,
    function: fn,
    unresolved,
    ...(notSimulated.length === 0 ? {} : { notSimulated }),
  }
}

/**
 * What a Kafka mapping sets that the simulator does not model: a schema registry (Lambda validates
 * and decodes the records before filtering and invoking) and queue mode (share groups: no order).
 * CloudFormation nests them in the cluster's config; SAM's events take them as properties.
 */
function kafkaNotSimulated(props: Json): string[] {
  const configs = [props, props.AmazonManagedKafkaEventSourceConfig, props.SelfManagedKafkaEventSourceConfig].filter(isObject)
  const out: string[] = []
  if (configs.some((c) => c.SchemaRegistryConfig !== undefined))
    out.push(
      'SchemaRegistryConfig is not simulated: Lambda validates and decodes each record with the registry before filtering and invoking; the simulation delivers the records as given, and neither filters on decoded fields nor sends records the registry refuses to the destination.',
    )
  if (configs.some((c) => c.ConsumptionMode === 'Queue' || c.ConsumptionMode === 'QUEUE'))
    out.push(
      'ConsumptionMode Queue is not simulated: Lambda reads a partition with many consumers and keeps no order; the simulation reads it as Stream mode does, in order per partition.',
    )
  return out
}

const DESTINATION_SERVICES: Readonly<Record<string, string>> = {
  'AWS::SQS::Queue': 'sqs',
  'AWS::SNS::Topic': 'sns',
  'AWS::S3::Bucket': 's3',
}

/**
 * An on-failure destination's ARN: as written, or for a queue, topic or bucket of the template an
 * ARN of its service named by its logical id (the real ARN exists only once deployed).
 */
function destinationArn(resources: Json, value: unknown, unresolved: string[], where: string): string | undefined {
  if (typeof value === 'string') return value
  const ref = referenced(value)
  const resource = ref === undefined ? undefined : resources[ref.id]
  const service = isObject(resource) ? DESTINATION_SERVICES[resource.Type as string] : undefined
  if (ref === undefined || service === undefined) {
    unresolved.push(`${where}: ${JSON.stringify(value)}`)
    return undefined
  }
  return service === 's3' ? `arn:aws:s3:::${ref.id}` : `arn:aws:${service}:us-east-1:123456789012:${ref.id}`
}

const hasIntrinsic = (v: unknown): boolean =>
  Array.isArray(v)
    ? v.some(hasIntrinsic)
    : isObject(v)
      ? Object.keys(v).some((k) => k === 'Ref' || k.startsWith('Fn::')) || Object.values(v).some(hasIntrinsic)
      : false

/** A number as CloudFormation takes it (a number or a numeric string); a reference is unresolved. */
function numberAt(value: unknown, key: string, unresolved: string[], where: string): Record<string, unknown> {
  if (value === undefined) return {}
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return { [key]: Number(value) }
  if (hasIntrinsic(value)) {
    unresolved.push(`${where}: ${JSON.stringify(value)}`)
    return {}
  }
  return { [key]: value }
}

function booleanAt(value: unknown, key: string, unresolved: string[], where: string): Record<string, unknown> {
  if (value === 'true' || value === 'false') return { [key]: value === 'true' }
  return numberAt(value, key, unresolved, where)
}

/** The logical id a `Ref` or `Fn::GetAtt` names, and the attribute. */
function referenced(value: unknown): { id: string; attribute?: string } | undefined {
  if (!isObject(value)) return undefined
  if (typeof value.Ref === 'string') return { id: value.Ref }
  const att = value['Fn::GetAtt']
  if (Array.isArray(att) && typeof att[0] === 'string') return { id: att[0], attribute: String(att[1]) }
  return undefined
}

function functionOf(resources: Json, value: unknown, globals: Json, unresolved: string[], where: string): MappingFunction {
  const ref = referenced(value)
  const resource = ref === undefined ? undefined : resources[ref.id]
  if (ref === undefined || !isObject(resource)) {
    unresolved.push(`${where}.FunctionName: ${JSON.stringify(value)} (the function's timeout is unknown)`)
    return {}
  }
  const props = isObject(resource.Properties) ? resource.Properties : {}
  const timeout = props.Timeout ?? (resource.Type === 'AWS::Serverless::Function' ? globals.Timeout : undefined)
  return { logicalId: ref.id, ...numberAt(timeout, 'Timeout', unresolved, `${ref.id}.Timeout`) }
}

interface Target {
  readonly source: MappingSource
  readonly settings: MappingSourceSettings
}

const ARN_SERVICES: Readonly<Record<string, MappingSource>> = { kinesis: 'kinesis', dynamodb: 'dynamodb', sqs: 'sqs', kafka: 'kafka' }

const SELF_MANAGED: Target = { source: 'kafka', settings: { Cluster: 'self-managed' } }
const MSK: Target = { source: 'kafka', settings: { Cluster: 'msk' } }

/** The source an ARN's service names, knowing no more of it. */
const bySource = (service: MappingSource): Target => (service === 'kafka' ? MSK : { source: service, settings: {} })

/** The stream, table, queue or cluster an `EventSourceArn` names; `undefined` for a source this library does not read. */
function targetOf(resources: Json, value: unknown, unresolved: string[], where: string): Target | undefined {
  if (typeof value === 'string') {
    const service = ARN_SERVICES[value.split(':')[2] ?? '']
    if (service === undefined) return undefined
    // Nothing of a Kafka cluster changes the mapping; a stream's shards and a queue's timeouts do.
    if (service !== 'kafka') unresolved.push(`${where}: ${value} (a resource outside the template: its settings are unknown)`)
    return bySource(service)
  }
  const ref = referenced(value)
  const resource = ref === undefined ? undefined : resources[ref.id]
  if (ref === undefined || !isObject(resource)) {
    unresolved.push(`${where}: ${JSON.stringify(value)}`)
    // The source kind may still show in an ARN built with Fn::Sub or Fn::Join.
    const text = JSON.stringify(value)
    const service = Object.keys(ARN_SERVICES).find((s) => text.includes(`:${s}:`))
    return service === undefined ? undefined : bySource(ARN_SERVICES[service] as MappingSource)
  }
  const p = isObject(resource.Properties) ? resource.Properties : {}
  const id = ref.id
  switch (resource.Type) {
    case 'AWS::Kinesis::Stream':
      return { source: 'kinesis', settings: { logicalId: id, ...numberAt(p.ShardCount, 'ShardCount', unresolved, `${id}.ShardCount`) } }
    case 'AWS::MSK::Cluster':
    case 'AWS::MSK::ServerlessCluster':
      return { source: 'kafka', settings: { logicalId: id, Cluster: 'msk' } }
    case 'AWS::Kinesis::StreamConsumer':
      return targetOf(resources, p.StreamARN, unresolved, `${id}.StreamARN`)
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const view = isObject(p.StreamSpecification) ? p.StreamSpecification.StreamViewType : undefined
      if (view !== undefined && typeof view !== 'string')
        unresolved.push(`${id}.StreamSpecification.StreamViewType: ${JSON.stringify(view)}`)
      return {
        source: 'dynamodb',
        settings: { logicalId: id, ...(typeof view === 'string' ? { StreamViewType: view as 'KEYS_ONLY' } : {}) },
      }
    }
    case 'AWS::SQS::Queue': {
      const redrive = typeof p.RedrivePolicy === 'string' ? (JSON.parse(p.RedrivePolicy) as unknown) : p.RedrivePolicy
      const settings: Record<string, unknown> = { logicalId: id }
      Object.assign(settings, numberAt(p.VisibilityTimeout, 'VisibilityTimeout', unresolved, `${id}.VisibilityTimeout`))
      Object.assign(settings, booleanAt(p.FifoQueue, 'FifoQueue', unresolved, `${id}.FifoQueue`))
      if (isObject(redrive)) {
        const count = numberAt(redrive.maxReceiveCount, 'maxReceiveCount', unresolved, `${id}.RedrivePolicy.maxReceiveCount`)
        settings.RedrivePolicy = { ...count, deadLetterTargetArn: redrive.deadLetterTargetArn }
      }
      return { source: 'sqs', settings }
    }
    default:
      return undefined
  }
}
