/**
 * Holds an event source mapping (Kinesis, DynamoDB Streams, SQS or Kafka) against the handler it feeds: what the template alone shows
 * (the rules of cfn-lint E3505, cdk-nag's Serverless pack and serverless-rules ES1001), and what
 * only the handler knows (its source, whether it reports partial failures, its view type, its
 * window, its ordering). Each rule cites its fact in docs/lambda-semantics.md.
 */
import { handlerInfo, type HandlerInfo } from '../engine/handler-info.js'
import { readMappings, type EventSourceMapping, type ReadMappingsOptions } from './mapping.js'
import { isProvisioned } from './settings.js'
import { mappingProblem } from './simulate.js'

/** One thing found wrong or risky in a mapping. */
export interface Finding {
  /** `error`: records can be lost, the handler cannot work, or AWS refuses the mapping. `warning`: a risk. */
  readonly severity: 'error' | 'warning'
  /** A stable name for the rule, for CI filters. */
  readonly code: string
  /** The mapping's logical id in the template. */
  readonly logicalId: string
  /** What is wrong and what it costs, in a sentence. */
  readonly message: string
  /** How to fix it: the CDK prop and the CloudFormation property. */
  readonly fix: { readonly cdk: string; readonly cloudFormation: string }
}

const RBIF = 'ReportBatchItemFailures'

/**
 * Checks one mapping against the handler that will receive its events: findings where records
 * can be lost or AWS would refuse the mapping (`error`), and risks (`warning`). A handler built by
 * this library tells its source, ordering, view type and window; any other function (or
 * `undefined`) gets the template-only rules.
 *
 * @example
 * ```ts
 * for (const mapping of readMappings(template))
 *   for (const f of checkMapping(handler, mapping)) console.log(f.severity, f.logicalId, f.code, f.message, f.fix.cdk)
 * ```
 */
export function checkMapping(handler: unknown, mapping: EventSourceMapping): Finding[] {
  const findings: Finding[] = []
  const id = mapping.logicalId
  const add = (severity: Finding['severity'], code: string, message: string, cdk: string, cloudFormation: string): void => {
    findings.push({ severity, code, logicalId: id, message, fix: { cdk, cloudFormation } })
  }
  const s = mapping.settings
  const src = mapping.sourceSettings
  const stream = mapping.source !== 'sqs'
  const kafka = mapping.source === 'kafka'
  // Facts 106 and 124: Kafka's error handling, partial responses included, needs provisioned mode.
  const provisioned = !kafka || isProvisioned(s.ProvisionedPollerConfig)
  const info: HandlerInfo | undefined = handlerInfo(handler)
  const timeout = mapping.function.Timeout ?? 3
  const rbif = (s.FunctionResponseTypes ?? []).includes(RBIF)

  // Facts 50 and 116 (cfn-lint E3505): AWS refuses a function timeout above the queue's visibility timeout.
  const visibility = src.VisibilityTimeout ?? 30
  const tooShort = !stream && visibility < timeout
  if (tooShort)
    add(
      'error',
      'visibility-below-timeout',
      `The queue's visibility timeout (${visibility} s) is shorter than the function timeout (${timeout} s): AWS refuses the mapping.`,
      `visibilityTimeout: Duration.seconds(${6 * timeout}) on the Queue (at least the function's timeout)`,
      `VisibilityTimeout: ${6 * timeout} on the queue (at least the function's Timeout)`,
    )
  // The other settings AWS refuses, checked by the simulator's own tables.
  const problem = mappingProblem(tooShort ? { ...mapping, sourceSettings: { ...src, VisibilityTimeout: timeout } } : mapping)
  if (problem !== undefined)
    add('error', 'refused-setting', `AWS would refuse this mapping: ${problem}`, 'Change the prop named.', 'Change the property named.')
  // Facts 114 and 144: CreateEventSourceMapping requires a starting position for a stream and for Kafka.
  if (stream && s.StartingPosition === undefined)
    add(
      'error',
      'no-starting-position',
      `A ${kafka ? 'Kafka' : 'stream'} mapping needs a starting position; AWS refuses it without one.`,
      'startingPosition: StartingPosition.TRIM_HORIZON (or LATEST)',
      'StartingPosition: TRIM_HORIZON (or LATEST)',
    )

  if (info !== undefined) {
    // The handler reads another source: every event would be refused as malformed.
    if (info.source !== mapping.source)
      add(
        'error',
        'wrong-source',
        `The handler reads ${info.source} events but this mapping delivers ${mapping.source} events: every invocation would fail.`,
        `Attach the ${mapping.source} handler to this function, or this handler to a ${info.source} event source.`,
        `Point the function at the ${info.source} source, or deploy the ${mapping.source} handler.`,
      )
    // Fact 43: without ReportBatchItemFailures Lambda ignores batchItemFailures, so the records the handler reported are lost.
    if (info.reportsPartialFailures && !rbif)
      add(
        'error',
        'partial-failures-ignored',
        kafka
          ? `The handler reports failed records in batchItemFailures, but the mapping does not turn on ReportBatchItemFailures${provisioned ? '' : ' (which Kafka has in provisioned mode only)'}: Lambda takes the answer as a success and commits the offsets past the records the handler reported. They are lost.`
          : stream
            ? 'The handler reports failed records in batchItemFailures, but the mapping does not turn on ReportBatchItemFailures: Lambda takes the answer as a success and moves the checkpoint past the records the handler reported. They are lost.'
            : 'The handler reports failed messages in batchItemFailures, but the mapping does not turn on ReportBatchItemFailures: Lambda takes the answer as a success and deletes every message, the failed ones too. They are lost.',
        provisioned ? 'reportBatchItemFailures: true' : `${PROVISIONED_CDK}, reportBatchItemFailures: true`,
        provisioned ? `FunctionResponseTypes: [${RBIF}]` : `${PROVISIONED_CFN}, FunctionResponseTypes: [${RBIF}]`,
      )
    // Facts 7 and 8: the view type decides which images a record carries.
    if (
      mapping.source === 'dynamodb' &&
      info.source === 'dynamodb' &&
      src.StreamViewType !== undefined &&
      info.streamViewType !== src.StreamViewType
    )
      add(
        'error',
        'view-type-mismatch',
        `The table streams ${src.StreamViewType} but the handler expects ${info.streamViewType}: its records would fail as invalid and, in order, hold the shard.`,
        `stream: StreamViewType.${info.streamViewType} on the Table (or streamViewType: '${src.StreamViewType}' in the handler)`,
        `StreamSpecification: { StreamViewType: ${info.streamViewType} } on the table`,
      )
    // Facts 59 and 61: window events carry state and the answer must carry it back.
    const windowed = (s.TumblingWindowInSeconds ?? 0) > 0
    if (info.window && !windowed)
      add(
        'error',
        'window-missing',
        'The handler aggregates tumbling windows, but the mapping has no TumblingWindowInSeconds: its events carry no window, and every invocation would fail.',
        'tumblingWindow: Duration.seconds(…)',
        'TumblingWindowInSeconds: 1 to 900',
      )
    if (!info.window && windowed && info.source === mapping.source)
      add(
        'error',
        'window-unexpected',
        'The mapping has TumblingWindowInSeconds but the handler is not a window handler: it answers without the window state, which Lambda counts as a failed invocation.',
        `remove tumblingWindow, or build the handler with ${mapping.source}WindowHandler`,
        'remove TumblingWindowInSeconds (or set it to 0)',
      )
    // Fact 56: a FIFO queue's order holds only if the handler keeps it.
    if (mapping.source === 'sqs' && src.FifoQueue === true && info.ordering === 'unordered')
      add(
        'warning',
        'fifo-unordered',
        "The queue is FIFO but the handler runs messages with ordering: 'unordered': messages of one group may run out of order.",
        "ordering: 'per-key' in the handler (the FIFO default)",
        "ordering: 'per-key' in the handler (the FIFO default)",
      )
  } else if (typeof handler === 'function') {
    add(
      'warning',
      'handler-unknown',
      'The handler was not built by lambda-stream-handlers (or is wrapped), so its source, partial failures, view type and window were not checked against the mapping.',
      'check the handler built by kinesisHandler, dynamodbHandler, sqsHandler or kafkaHandler itself',
      'check the handler built by kinesisHandler, dynamodbHandler, sqsHandler or kafkaHandler itself',
    )
  }

  if (stream) streamRules(mapping, rbif, provisioned, add)
  else queueRules(mapping, timeout, add)

  for (const reference of mapping.unresolved)
    add('warning', 'unresolved', `Not checked: ${reference} could not be resolved from the template.`, 'none needed', 'none needed')
  return findings
}

type Add = (severity: Finding['severity'], code: string, message: string, cdk: string, cloudFormation: string) => void

/** Provisioned mode, as a CDK prop and a CloudFormation property. */
const PROVISIONED_CDK = 'provisionedPollerConfig: { minimumPollers: 1 }'
const PROVISIONED_CFN = 'ProvisionedPollerConfig: { MinimumPollers: 1 }'

function streamRules(mapping: EventSourceMapping, rbif: boolean, provisioned: boolean, add: Add): void {
  const s = mapping.settings
  const kafka = mapping.source === 'kafka'
  const retries = s.MaximumRetryAttempts ?? -1
  const maxAge = s.MaximumRecordAgeInSeconds ?? -1
  const destination = s.DestinationConfig?.OnFailure !== undefined
  const retention = mapping.source === 'dynamodb' ? 'a day' : kafka ? "the topic's retention" : "the stream's retention (up to a year)"
  // Facts 33 and 34 (Kafka: facts 102 and 106): with the defaults a poison record holds its shard or
  // partition until it expires; Kafka's provisioned mode caps infinite retries at 10 when a destination is set.
  if (retries === -1 && maxAge === -1 && !(kafka && provisioned && destination))
    add(
      'warning',
      'infinite-retries',
      `Failed batches are retried until their records expire: one bad record holds its ${kafka ? 'partition' : 'shard'} for ${retention}, and then the batch is dropped.`,
      provisioned ? 'retryAttempts: 3 (and maxRecordAge)' : `${PROVISIONED_CDK}, retryAttempts: 3 (and maxRecordAge)`,
      provisioned
        ? 'MaximumRetryAttempts: 3 (and MaximumRecordAgeInSeconds)'
        : `${PROVISIONED_CFN}, MaximumRetryAttempts: 3 (and MaximumRecordAgeInSeconds)`,
    )
  // Fact 37: bisection isolates a record that makes the whole invocation fail (Kafka: in provisioned mode).
  if (s.BisectBatchOnFunctionError !== true && !rbif && provisioned)
    add(
      'warning',
      'no-bisect',
      'A batch that fails is retried whole: without bisection, good records are discarded with the bad one when retries run out.',
      'bisectBatchOnError: true',
      'BisectBatchOnFunctionError: true',
    )
  // Facts 39 and 116: cdk-nag LambdaEventSourceMappingDestination, serverless-rules ES1001 (Kafka: fact 107).
  if (!destination)
    add(
      'warning',
      'no-failure-destination',
      'Discarded batches leave no trace: without an on-failure destination nothing tells which records were dropped.',
      `onFailure: new SqsDlq(queue) (or SnsDlq, S3OnFailureDestination${kafka ? ', KafkaDlq in provisioned mode' : ''})`,
      `DestinationConfig: { OnFailure: { Destination: <queue, topic or bucket ARN${kafka ? ', or kafka://<topic> in provisioned mode' : ''}> } }`,
    )
}

function queueRules(mapping: EventSourceMapping, timeout: number, add: Add): void {
  const s = mapping.settings
  const src = mapping.sourceSettings
  const visibility = src.VisibilityTimeout ?? 30
  const window = s.MaximumBatchingWindowInSeconds ?? 0
  // Facts 50 and 116: the advice of six times is cdk-nag's LambdaEventSourceSQSVisibilityTimeout.
  if (visibility >= timeout && visibility < 6 * timeout + window)
    add(
      'warning',
      'visibility-under-six-times',
      `The queue's visibility timeout (${visibility} s) is under six times the function timeout (${timeout} s) plus the batching window (${window} s), as AWS advises: a throttled or retried batch can come back while it still runs, and run twice.`,
      `visibilityTimeout: Duration.seconds(${6 * timeout + window}) on the Queue`,
      `VisibilityTimeout: ${6 * timeout + window} on the queue`,
    )
  // Facts 51 and 116: cdk-nag's SQSRedrivePolicy (a dead-letter queue on each queue).
  if (src.RedrivePolicy === undefined)
    add(
      'warning',
      'no-redrive-policy',
      'The queue has no redrive policy: a message that always fails comes back until the queue drops it at its retention period, blocking nothing but costing an invocation each time.',
      'deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } on the Queue',
      'RedrivePolicy: { deadLetterTargetArn: <DLQ ARN>, maxReceiveCount: 5 } on the queue',
    )
  else if ((src.RedrivePolicy.maxReceiveCount ?? 5) < 5)
    add(
      'warning',
      'low-max-receive-count',
      `maxReceiveCount is ${src.RedrivePolicy.maxReceiveCount}: AWS advises 5 or more, so that a throttled message is not sent to the dead-letter queue before it could run.`,
      'deadLetterQueue: { maxReceiveCount: 5 } on the Queue',
      'RedrivePolicy: { maxReceiveCount: 5 } on the queue',
    )
}

/**
 * {@link checkMapping} for every mapping of a template (or of one function): the findings, in
 * template order.
 *
 * @example
 * ```ts
 * const findings = checkTemplate(handler, template, { function: 'OrdersFunction' })
 * const failed = findings.some((f) => f.severity === 'error')
 * ```
 */
export function checkTemplate(handler: unknown, template: string | object, options: ReadMappingsOptions = {}): Finding[] {
  return readMappings(template, options).flatMap((mapping) => checkMapping(handler, mapping))
}
