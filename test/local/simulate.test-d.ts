import type { KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, kinesisWindowHandler, sqsHandler } from 'lambda-stream-handlers'
import { runLocal, simulate, type Fate, type LocalRun, type MappingReport } from 'lambda-stream-handlers/local'
import { kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string() })
const kinesis = kinesisHandler(Order, () => {})
const sqs = sqsHandler(Order, () => {})

it('simulate takes a handler for the source it names, and resolves to the report', () => {
  expectTypeOf(simulate(kinesis, { source: 'kinesis', records: [{ data: { orderId: 'a' } }] })).toEqualTypeOf<Promise<MappingReport>>()
  expectTypeOf(simulate(kinesis, { source: 'kinesis', records: kinesisEvent([{ orderId: 'a' }]) })).toEqualTypeOf<Promise<MappingReport>>()
  expectTypeOf(simulate(sqs, { source: 'sqs', records: sqsEvent([{ orderId: 'a' }]) })).toEqualTypeOf<Promise<MappingReport>>()
  // A plain Lambda function works too; its event is typed by the source.
  void simulate((event) => expectTypeOf(event).toEqualTypeOf<KinesisStreamEvent>(), { source: 'kinesis', records: [] })
  void simulate((event: SQSEvent) => event.Records.length, { source: 'sqs', records: [] })
  // @ts-expect-error an SQS handler cannot be simulated as a Kinesis mapping
  void simulate(sqs, { source: 'kinesis', records: [] })
  // @ts-expect-error settings are spelled as in the Lambda API
  void simulate(kinesis, { source: 'kinesis', records: [], batchSize: 10 })
  // @ts-expect-error FunctionResponseTypes has one possible value
  void simulate(kinesis, { source: 'kinesis', records: [], FunctionResponseTypes: ['Report'] })
})

it('the report is typed to the last field', () => {
  expectTypeOf<MappingReport['outcomes'][number]['fate']>().toEqualTypeOf<Fate>()
  expectTypeOf<MappingReport['failureDestination'][number]['requestContext']['condition']>().toEqualTypeOf<
    'RetryAttemptsExhausted' | 'RecordAgeExceeded' | 'RetriesExhausted'
  >()
  expectTypeOf(runLocal).returns.toEqualTypeOf<Promise<LocalRun>>()
})

it('a tumbling-window handler needs TumblingWindowInSeconds on the mapping', () => {
  const windowed = kinesisWindowHandler({
    schema: Order,
    state: z.object({ n: z.number() }),
    initial: () => ({ n: 0 }),
    reduce: (s) => ({ n: s.n + 1 }),
    onWindowEnd: () => {},
  })
  expectTypeOf(simulate(windowed, { source: 'kinesis', records: [], TumblingWindowInSeconds: 60 })).toEqualTypeOf<Promise<MappingReport>>()
  // @ts-expect-error without windows the mapping never sends the window fields the handler needs
  void simulate(windowed, { source: 'kinesis', records: [] })
})
