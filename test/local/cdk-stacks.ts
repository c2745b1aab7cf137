// Real CDK stacks, synthesised in-process (app.synth(): no CLI, no network), for the mapping tests.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App, Duration, Stack } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as kinesis from 'aws-cdk-lib/aws-kinesis'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import {
  DynamoEventSource,
  KafkaDlq,
  KinesisEventSource,
  ManagedKafkaEventSource,
  SelfManagedKafkaEventSource,
  SqsDlq,
  SqsEventSource,
} from 'aws-cdk-lib/aws-lambda-event-sources'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import * as sqs from 'aws-cdk-lib/aws-sqs'

const fn = (stack: Stack, timeout = 30): lambda.Function =>
  new lambda.Function(stack, 'OrdersFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(timeout),
  })

/** The MSK cluster the Kafka stacks read (a cluster outside the stacks, named by its ARN, as CDK takes it). */
export const MSK_CLUSTER = 'arn:aws:kafka:us-east-1:123456789012:cluster/orders/0b7d1c2e-3f4a-5b6c-7d8e-9f0a1b2c3d4e-1'

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

  // Amazon MSK in provisioned mode, careful: partial responses, bounded retries, bisection, a Kafka topic destination.
  const msk = new Stack(app, 'MskProvisioned')
  fn(msk).addEventSource(
    new ManagedKafkaEventSource({
      clusterArn: MSK_CLUSTER,
      topic: 'orders',
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 10,
      provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 3 },
      reportBatchItemFailures: true,
      retryAttempts: 2,
      bisectBatchOnError: true,
      onFailure: new KafkaDlq('orders-failed'),
    }),
  )

  // Self-managed Kafka with the defaults (no provisioned mode): an SQS destination, nothing else.
  const selfManaged = new Stack(app, 'SelfManagedKafka')
  fn(selfManaged).addEventSource(
    new SelfManagedKafkaEventSource({
      bootstrapServers: ['kafka-1.example.internal:9092'],
      topic: 'orders',
      // CDK requires credentials for brokers it cannot see inside a VPC.
      secret: new secretsmanager.Secret(selfManaged, 'KafkaCredentials') as never,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      onFailure: new SqsDlq(new sqs.Queue(selfManaged, 'OrderFailures')),
    }),
  )

  // Amazon MSK with error handling but no provisioned mode: the L1 resource lets it through.
  const mskOnDemand = new Stack(app, 'MskRetriesOnDemand')
  new lambda.CfnEventSourceMapping(mskOnDemand, 'OrdersMapping', {
    functionName: fn(mskOnDemand).functionName,
    eventSourceArn: MSK_CLUSTER,
    topics: ['orders'],
    startingPosition: 'LATEST',
    maximumRetryAttempts: 2,
    functionResponseTypes: ['ReportBatchItemFailures'],
  })

  const assembly = app.synth()
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, join(assembly.directory, s.templateFile)]))
}
