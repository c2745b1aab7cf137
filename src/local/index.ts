/**
 * `lambda-stream-handlers/local`: see what Lambda's event source mapping does with your handler's
 * answers before deploying. {@link simulate} runs it on a virtual clock; `runLocal` polls a real
 * stream, table stream or queue with the same rules.
 *
 * @module local
 */
export {
  simulate,
  type DynamoDBSimulation,
  type ExpectedHandler,
  type KinesisSimulation,
  type Lambda,
  type MappingSimulation,
  type SimulationClock,
} from './simulate.js'
export {
  readMappings,
  type EventSourceMapping,
  type MappingFunction,
  type MappingSettings,
  type MappingSource,
  type MappingSourceSettings,
  type ReadMappingsOptions,
} from './mapping.js'
export { checkMapping, checkTemplate, type Finding } from './check.js'
export type {
  Fate,
  InvocationReport,
  MappingMetrics,
  MappingReport,
  MetricsMinute,
  MetricValues,
  RecordReport,
  ShardReport,
} from './report.js'
export type { FunctionSettings, SqsMappingSettings, StreamMappingSettings } from './settings.js'
export type { SqsSend, SqsSimulation } from './sqs.js'
export type {
  KafkaBatchInfo,
  KafkaFailureRecord,
  KafkaMappingSettings,
  KafkaPartitionInfo,
  KafkaProduce,
  KafkaSimulation,
} from './kafka.js'
export type { BatchInfo, FailureDestinationRecord, KinesisPut, S3FailureObject, S3FailureRecord } from './stream-rows.js'
export { runLocal, type KinesisLocalOptions, type LocalRun } from './run-local.js'
export type { SqsApiMessage, SqsLocalOptions } from './run-local-sqs.js'
export { lambdaDynamoDBRecord, type DynamoDBLocalOptions, type DynamoDBStreamsApiRecord } from './run-local-dynamodb.js'
export { lambdaSqsRecord } from './run-local-sqs.js'
export { IdleTimeoutError, type IdleOptions, type LocalRunHooks } from './stream-runner.js'
export { localClient, type LocalClientConfig, type LocalClientOptions, type SdkClient } from './client.js'
export { renderTimeline, type TimelineOptions } from './timeline.js'
