// Real CDK stacks, synthesised in-process (app.synth(): no CLI, no network), for the mapping tests.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App, Duration, Stack } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as kinesis from 'aws-cdk-lib/aws-kinesis'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { DynamoEventSource, KinesisEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import * as sqs from 'aws-cdk-lib/aws-sqs'

const fn = (stack: Stack, timeout = 30): lambda.Function =>
  new lambda.Function(stack, 'OrdersFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(timeout),
  })

/** Synthesises the stacks and returns each one's template file, as `cdk synth` writes it into cdk.out. */
export function synthStacks(): Record<string, string> {
  // CDK's own template validation (a WASM engine) takes ~25 s on two cores and checks nothing these tests need.
  process.env.CDK_VALIDATION = 'false'
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'))
  const app = new App({ outdir })

  // Kinesis, careless: the defaults (no partial responses, infinite retries, no destination).
  const careless = new Stack(app, 'CarelessKinesis')
  const stream1 = new kinesis.Stream(careless, 'Orders', { shardCount: 2 })
  fn(careless).addEventSource(new KinesisEventSource(stream1, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }))

  // Kinesis, careful: partial responses, bounded retries, bisection, a record age, a destination.
  const careful = new Stack(app, 'CarefulKinesis')
  const stream2 = new kinesis.Stream(careful, 'Orders', { shardCount: 3 })
  const failures = new sqs.Queue(careful, 'OrderFailures')
  fn(careful).addEventSource(
    new KinesisEventSource(stream2, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      reportBatchItemFailures: true,
      retryAttempts: 2,
      bisectBatchOnError: true,
      maxRecordAge: Duration.hours(1),
      parallelizationFactor: 2,
      onFailure: new SqsDlq(failures),
    }),
  )

  // DynamoDB: a KEYS_ONLY table and a NEW_AND_OLD_IMAGES one.
  for (const [name, view] of [
    ['KeysOnlyTable', dynamodb.StreamViewType.KEYS_ONLY],
    ['ImagesTable', dynamodb.StreamViewType.NEW_AND_OLD_IMAGES],
  ] as const) {
    const stack = new Stack(app, name)
    const table = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
      stream: view,
    })
    const failed = new sqs.Queue(stack, 'OrderFailures')
    fn(stack).addEventSource(
      // CDK's types are not written for exactOptionalPropertyTypes.
      new DynamoEventSource(table as never, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: 5,
        reportBatchItemFailures: true,
        retryAttempts: 3,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(failed),
      }),
    )
  }

  // SQS: visibility under the function timeout; under six times it; and careful.
  for (const [name, visibility, redrive] of [
    ['ShortVisibility', 10, true],
    ['UnderSixTimes', 60, true],
    ['CarefulQueue', 180, true],
    ['NoRedrive', 180, false],
  ] as const) {
    const stack = new Stack(app, name)
    const dlq = new sqs.Queue(stack, 'OrdersDlq')
    const queue = new sqs.Queue(stack, 'Orders', {
      visibilityTimeout: Duration.seconds(visibility),
      ...(redrive ? { deadLetterQueue: { queue: dlq, maxReceiveCount: 5 } } : {}),
    })
    fn(stack).addEventSource(new SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 4 }))
  }

  // SQS FIFO with a batching window: AWS refuses it.
  const fifo = new Stack(app, 'FifoWindow')
  const fifoQueue = new sqs.Queue(fifo, 'Orders', {
    fifo: true,
    visibilityTimeout: Duration.seconds(180),
    deadLetterQueue: { queue: new sqs.Queue(fifo, 'OrdersDlq', { fifo: true }), maxReceiveCount: 5 },
  })
  // The L2 SqsEventSource refuses this itself; the L1 resource (or any other tool) lets it through.
  new lambda.CfnEventSourceMapping(fifo, 'OrdersMapping', {
    functionName: fn(fifo).functionName,
    eventSourceArn: fifoQueue.queueArn,
    functionResponseTypes: ['ReportBatchItemFailures'],
    maximumBatchingWindowInSeconds: 5,
  })

  const assembly = app.synth()
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, join(assembly.directory, s.templateFile)]))
}
