/**
 * The test kit, `lambda-stream-handlers/testing`: event builders, a Lambda context, sample events.
 *
 * @module testing
 */
export { lambdaContext, type LambdaContextOptions } from './context.js'
export { kinesisEvent, type KinesisEventOptions } from './kinesis.js'
export { kafkaEvent, type KafkaEventOptions, type KafkaHeaderInput } from './kafka.js'
export {
  attributeValues,
  dynamodbEvent,
  insert,
  modify,
  remove,
  ttlDelete,
  type DynamoDBEventOptions,
  type DynamoDBTestChange,
  type ImageLiteral,
  type RawImage,
} from './dynamodb.js'
export { raw, type RawData } from './raw.js'
export { sampleEvents } from './samples.js'
export { sqsEvent, type SqsAttributeInput, type SqsEventOptions } from './sqs.js'

// Tumbling windows.
export {
  dynamodbWindowEvent,
  kinesisWindowEvent,
  runWindow,
  sampleWindowEvents,
  windowEvent,
  type RunWindowOptions,
  type WindowEventOptions,
  type WindowInvocation,
  type WindowRun,
} from './windows.js'
export { kplAggregate, type KplAggregateOptions } from './kpl.js'
export { kinesisEventFromDynamoDB, type KinesisFromDynamoDBOptions } from './dynamodb-kinesis.js'
