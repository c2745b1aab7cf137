/**
 * lambda-stream-handlers: typed, correct AWS Lambda handlers for Kinesis, DynamoDB Streams and SQS.
 *
 * @module lambda-stream-handlers
 */

// Sources: one function per event source.
export { kinesisHandler, type KinesisHandler, type KinesisMeta, type KinesisOptions } from './sources/kinesis/index.js'
export type { DecodeMode } from './sources/decode.js'
export {
  sqsHandler,
  type EventBridgeEnvelopeMeta,
  type SnsEnvelopeMeta,
  type SqsAttribute,
  type SqsDecode,
  type SqsEnvelope,
  type SqsHandler,
  type SqsMeta,
  type SqsMetaOf,
  type SqsOptions,
} from './sources/sqs/index.js'
export {
  dynamodbHandler,
  type AttributeName,
  type ChangeKeys,
  type ChangeOf,
  type ChangeWithNewImage,
  type ChangeWithOldImage,
  type DynamoDBChange,
  type DynamoDBEventName,
  type DynamoDBHandler,
  type DynamoDBMeta,
  type DynamoDBOptions,
  type ImageDiff,
  type ItemKey,
  type KeyValue,
  type ModifyChange,
  type StreamViewType,
  type ViewOf,
} from './sources/dynamodb/index.js'
export {
  kafkaHandler,
  type KafkaBatchResponse,
  type KafkaEvent,
  type KafkaHandler,
  type KafkaHeader,
  type KafkaItemIdentifier,
  type KafkaKeyDecode,
  type KafkaKeyOf,
  type KafkaMeta,
  type KafkaMskEvent,
  type KafkaOptions,
  type KafkaPayload,
  type KafkaRecord,
  type KafkaRecordHeader,
  type KafkaRecords,
  type KafkaSchemaMetadata,
  type KafkaSelfManagedEvent,
  type KafkaTombstones,
  type KafkaValueDecode,
  type KafkaWireFormat,
} from './sources/kafka/index.js'
export { AttributeValueError, unmarshallImage, type NativeValue, type UnmarshallOptions, type UnsafeNumbers } from './sources/unmarshall.js'

// The engine's public types: options, outcomes, middleware.
export type { BatchHandler, BatchHook, BatchStart, HandlerBuilder, ItemIdentifierOf, Middleware } from './engine/builder.js'
export type { BaseMeta, BatchReport, RecordFunction } from './engine/engine.js'
export type { CommonOptions, InvalidRecordInfo, Ordering } from './engine/options.js'
export { formatOutcome, type RecordFailure, type RecordOutcome } from './engine/outcome.js'
export { summarize, type BatchSummary } from './engine/outcome.js'
export type { InferInput, InferOutput, Schema, SchemaOf } from './engine/schema.js'

// Errors and logging.
export { AllRecordsFailedError, ConfigurationError, MalformedEventError } from './engine/errors.js'
export { quietLogger, silentLogger, type RecordLogger } from './engine/logger.js'

// Middleware (idempotency is in 'lambda-stream-handlers/idempotency').
export { logContext, type LogContextOptions } from './middleware/log-context.js'
export { metrics, type MetricsOptions, type MetricsPublisher } from './middleware/metrics.js'

// Tumbling windows: typed window state for Kinesis (and DynamoDB Streams).
export { kinesisWindowHandler, type KinesisWindowEvent, type KinesisWindowOptions } from './windows/kinesis.js'
export type {
  JsonObject,
  JsonValue,
  StateSchema,
  WindowFields,
  WindowHandler,
  WindowInfo,
  WindowOptions,
  WindowResponse,
} from './windows/window.js'
export { WindowEndError, WindowRecordError, WindowStateError } from './windows/errors.js'
export { dynamodbWindowHandler, type DynamoDBWindowEvent, type DynamoDBWindowOptions } from './windows/dynamodb.js'

// Single-record parsers: a source's decoding and schema for one record (a Powertools BatchProcessor's record handler).
export {
  dynamodbParser,
  InvalidRecordError,
  kafkaParser,
  kinesisParser,
  sqsParser,
  type ParserOptions,
  type RecordParser,
  type SourceParser,
} from './parsers/index.js'

// Event filtering: Lambda's FilterCriteria, matched and built (docs/lambda-semantics.md, facts 70-82).
export { compileFilter, matchesFilter, type FilterCriteria, type FilterSource, type RecordFilter } from './filtering/filter.js'
export { InvalidFilterPatternError } from './filtering/pattern.js'
export {
  dynamodbFilter,
  kafkaFilter,
  kinesisFilter,
  sqsFilter,
  type AnyPattern,
  type AnyRule,
  type ArrayElement,
  type AttributePattern,
  type BuiltFilterCriteria,
  type DynamoDBFilterPattern,
  type ExistsRule,
  type FieldPattern,
  type KafkaFilterPattern,
  type ImagePattern,
  type KinesisFilterPattern,
  type LeafValue,
  type NumberRule,
  type NumericRange,
  type ObjectPattern,
  type RuleFor,
  type Rules,
  type SQSFilterPattern,
  type StringRule,
} from './filtering/typed.js'
