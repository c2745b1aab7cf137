// Issue 26 item 5: simulate() takes any (event, context, callback?) => unknown of the right source,
// so handlers typed the Powertools or Middy way are simulated as they are.
import type { DynamoDBStreamHandler, KinesisStreamHandler, SQSHandler } from 'aws-lambda'
import { expectTypeOf, it } from 'vitest'
import { simulate, type MappingReport } from 'lambda-stream-handlers/local'
import { readMappings } from 'lambda-stream-handlers/local'

declare const kinesis: KinesisStreamHandler
declare const sqs: SQSHandler
declare const dynamodb: DynamoDBStreamHandler

it('handlers typed KinesisStreamHandler, SQSHandler and DynamoDBStreamHandler are taken', () => {
  expectTypeOf(simulate(kinesis, { source: 'kinesis', records: [] })).toEqualTypeOf<Promise<MappingReport>>()
  expectTypeOf(simulate(sqs, { source: 'sqs', records: [] })).toEqualTypeOf<Promise<MappingReport>>()
  expectTypeOf(simulate(dynamodb, { source: 'dynamodb', records: [] })).toEqualTypeOf<Promise<MappingReport>>()
  // A callback handler too.
  void simulate((_event, _context, callback: (error: null, result: object) => void) => callback(null, {}), { source: 'sqs', records: [] })
})

it('a handler of another source is refused, against the handler the options expect', () => {
  // @ts-expect-error an SQSHandler for a Kinesis mapping
  void simulate(sqs, { source: 'kinesis', records: [] })
  // @ts-expect-error a KinesisStreamHandler for a DynamoDB mapping
  void simulate(kinesis, { source: 'dynamodb', records: [] })
  // @ts-expect-error misspelt settings are still refused
  void simulate(kinesis, { source: 'kinesis', records: [], batchSize: 10 })
})

it('a mapping read from a template takes any handler: its source is known only at run time', () => {
  const [mapping] = readMappings('template.yaml')
  if (mapping !== undefined) expectTypeOf(simulate(kinesis, { mapping, records: [] })).toEqualTypeOf<Promise<MappingReport>>()
})
