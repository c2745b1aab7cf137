import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import type { KafkaMskEvent, KafkaSelfManagedEvent } from '../sources/kafka/types.js'

/**
 * Sample events copied verbatim from the AWS documentation, for tests that want the real shape.
 * Each returns a fresh copy, so a test may change it.
 *
 * @example
 * ```ts
 * const sample = await handler.process(sampleEvents.kinesis())
 * ```
 */
export const sampleEvents = {
  /**
   * "Example Kinesis record event", AWS Lambda Developer Guide, "How Lambda processes records from
   * Amazon Kinesis Data Streams" (with-kinesis.html). Its data is text, not JSON.
   */
  kinesis: (): KinesisStreamEvent => ({
    Records: [
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: '1',
          sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
          data: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
          approximateArrivalTimestamp: 1545084650.987,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: 'us-east-2',
        eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      },
      {
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: '1',
          sequenceNumber: '49590338271490256608559692540925702759324208523137515618',
          data: 'VGhpcyBpcyBvbmx5IGEgdGVzdC4=',
          approximateArrivalTimestamp: 1545084711.166,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: 'shardId-000000000006:49590338271490256608559692540925702759324208523137515618',
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/lambda-role',
        awsRegion: 'us-east-2',
        eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
      },
    ],
  }),
  /**
   * "Example Amazon SQS message event (FIFO queue)", AWS Lambda Developer Guide, "Using Lambda
   * with Amazon SQS" (with-sqs.html). Its body is text, not JSON.
   */
  sqsFifo: (): SQSEvent => ({
    Records: [
      {
        messageId: '11d6ee51-4cc7-4302-9e22-7cd8afdaadf5',
        receiptHandle: 'AQEBBX8nesZEXmkhsmZeyIE8iQAMig7qw...',
        body: 'Test message.',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1573251510774',
          SequenceNumber: '18849496460467696128',
          MessageGroupId: '1',
          SenderId: 'AIDAIO23YVJENQZJOL4VO',
          MessageDeduplicationId: '1',
          ApproximateFirstReceiveTimestamp: '1573251510774',
        },
        messageAttributes: {},
        md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-2:123456789012:fifo.fifo',
        awsRegion: 'us-east-2',
      },
    ],
  }),
  /**
   * "Example input.txt", AWS Lambda Developer Guide tutorial "Using AWS Lambda with Amazon DynamoDB
   * streams" (with-ddb-example.html): an INSERT, a MODIFY and a REMOVE of item 101 on a
   * `NEW_AND_OLD_IMAGES` stream. It has no `ApproximateCreationDateTime` and its `eventSourceARN` is
   * the placeholder `"stream-ARN"`.
   */
  dynamodb: (): DynamoDBStreamEvent => ({
    Records: [
      {
        eventID: '1',
        eventName: 'INSERT',
        eventVersion: '1.0',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { Id: { N: '101' } },
          NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
          SequenceNumber: '111',
          SizeBytes: 26,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: 'stream-ARN',
      },
      {
        eventID: '2',
        eventName: 'MODIFY',
        eventVersion: '1.0',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { Id: { N: '101' } },
          NewImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
          OldImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
          SequenceNumber: '222',
          SizeBytes: 59,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: 'stream-ARN',
      },
      {
        eventID: '3',
        eventName: 'REMOVE',
        eventVersion: '1.0',
        eventSource: 'aws:dynamodb',
        awsRegion: 'us-east-1',
        dynamodb: {
          Keys: { Id: { N: '101' } },
          OldImage: { Message: { S: 'This item has changed' }, Id: { N: '101' } },
          SequenceNumber: '333',
          SizeBytes: 38,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
        eventSourceARN: 'stream-ARN',
      },
    ],
  }),
  /**
   * "Example event", AWS Lambda Developer Guide, "Using Lambda with Amazon MSK" (with-msk.html).
   * Its value is text, not JSON, and its key is not UTF-8 text (read it with `key: 'bytes'`).
   */
  kafka: (): KafkaMskEvent => ({
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/vpc-2priv-2pub/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
    bootstrapServers:
      'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092',
    records: {
      'mytopic-0': [
        {
          topic: 'mytopic',
          partition: 0,
          offset: 15,
          timestamp: 1545084650987,
          timestampType: 'CREATE_TIME',
          key: 'abcDEFghiJKLmnoPQRstuVWXyz1234==',
          value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
          headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
        },
      ],
    },
  }),
  /**
   * "Example event", AWS Lambda Developer Guide, "Using Lambda with self-managed Apache Kafka"
   * (with-kafka.html): the MSK event's shape with `eventSource` `SelfManagedKafka` and no ARN.
   */
  selfManagedKafka: (): KafkaSelfManagedEvent => ({
    eventSource: 'SelfManagedKafka',
    bootstrapServers:
      'b-2.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092,b-1.demo-cluster-1.a1bcde.c1.kafka.us-east-1.amazonaws.com:9092',
    records: {
      'mytopic-0': [
        {
          topic: 'mytopic',
          partition: 0,
          offset: 15,
          timestamp: 1545084650987,
          timestampType: 'CREATE_TIME',
          key: 'abcDEFghiJKLmnoPQRstuVWXyz1234==',
          value: 'SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==',
          headers: [{ headerKey: [104, 101, 97, 100, 101, 114, 86, 97, 108, 117, 101] }],
        },
      ],
    },
  }),
}
