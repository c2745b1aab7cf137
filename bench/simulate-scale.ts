// How simulate()'s cost grows with the stream: the same workload at 1k, 2k, 4k and 8k records,
// with many small invocations (BatchSize 10), poison records, retries and partial responses, on
// Kinesis (bisection, two shards) and SQS (a redrive policy). Linear growth keeps the time per
// record flat as the record count doubles; a cost per invocation that grows with the stream shows
// as a time per record that doubles with it. The handler does next to nothing, so the times are
// the simulator's. Medians of 3 rounds after a warm-up, in CPU time (the machine may be shared;
// wall time beside it).
// Run: npx tsx bench/simulate-scale.ts [sizes, e.g. 1000,2000,4000,8000] [kinesis|sqs|sqs-backlog|sqs-fifo|dynamodb]
import type { DynamoDBStreamEvent, KinesisStreamEvent, SQSEvent } from 'aws-lambda'
import { dynamodbEvent } from 'lambda-stream-handlers/testing'
import { simulate, type MappingReport } from 'lambda-stream-handlers/local'

const sizes = (process.argv[2] ?? '1000,2000,4000,8000').split(',').map(Number)
const only = process.argv[3]
const POISON_EVERY = 97

const isPoison = (text: string): boolean => text.includes('"poison"')

// Reports the poison records as failed; every 5th batch holding one throws instead (a function
// error, so the batch is retried whole and, on Kinesis, bisected).
let calls = 0
function failures(ids: readonly string[], bodies: readonly string[]): { batchItemFailures: { itemIdentifier: string }[] } {
  const failed = ids.filter((_, i) => isPoison(bodies[i] as string))
  if (failed.length > 0 && ++calls % 5 === 0) throw new Error('poison')
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) }
}

const kinesisHandler = async (event: KinesisStreamEvent) =>
  failures(
    event.Records.map((r) => r.kinesis.sequenceNumber),
    event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString('utf8')),
  )
const sqsHandler = async (event: SQSEvent) =>
  failures(
    event.Records.map((r) => r.messageId),
    event.Records.map((r) => r.body),
  )
const dynamodbHandler = async (event: DynamoDBStreamEvent) =>
  failures(
    event.Records.map((r) => r.dynamodb?.SequenceNumber as string),
    event.Records.map((r) => JSON.stringify(r.dynamodb?.NewImage)),
  )

const body = (i: number) => ({ orderId: `o-${i}`, total: i, ...(i % POISON_EVERY === POISON_EVERY - 1 ? { poison: true } : {}) })

// Records arrive in bursts of 50, 200 ms apart, so batches fill up.
const arrival = (i: number): number => Math.floor(i / 50) * 200

const scenarios: Record<string, (n: number) => Promise<MappingReport>> = {
  kinesis: (n) =>
    simulate(kinesisHandler, {
      source: 'kinesis',
      records: Array.from({ length: n }, (_, i) => ({ data: body(i), partitionKey: `customer-${i % 40}`, at: arrival(i) })),
      shards: 2,
      BatchSize: 10,
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      retryDelayMs: () => 100,
      maxInvocations: 1_000_000,
    }),
  sqs: (n) =>
    simulate(sqsHandler, {
      source: 'sqs',
      records: Array.from({ length: n }, (_, i) => ({ body: body(i), at: arrival(i) })),
      BatchSize: 10,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      durationMs: 20,
      maxInvocations: 1_000_000,
    }),
  // Every message sent at once: a backlog the receives work through, with failed ones coming back.
  'sqs-backlog': (n) =>
    simulate(sqsHandler, {
      source: 'sqs',
      records: Array.from({ length: n }, (_, i) => ({ body: body(i) })),
      BatchSize: 10,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      durationMs: 20,
      maxInvocations: 1_000_000,
    }),
  'sqs-fifo': (n) =>
    simulate(sqsHandler, {
      source: 'sqs',
      fifo: true,
      records: Array.from({ length: n }, (_, i) => ({ body: body(i), messageGroupId: `customer-${i % 8}`, at: arrival(i) })),
      BatchSize: 10,
      maxReceiveCount: 3,
      visibilityTimeoutSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      durationMs: 20,
      maxInvocations: 1_000_000,
    }),
  dynamodb: (n) =>
    simulate(dynamodbHandler, {
      source: 'dynamodb',
      records: dynamodbEvent(
        Array.from({ length: n }, (_, i) => ({ eventName: 'INSERT' as const, newImage: body(i) })),
        { keys: ['orderId'] },
      ).Records,
      BatchSize: 10,
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      retryDelayMs: () => 100,
      maxInvocations: 1_000_000,
    }),
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

for (const [name, run] of Object.entries(scenarios)) {
  if (only !== undefined && only !== name) continue
  await run(500) // warm-up
  for (const n of sizes) {
    const cpu: number[] = []
    const wall: number[] = []
    let invocations = 0
    for (let round = 0; round < 3; round++) {
      const t = process.hrtime.bigint()
      const c = process.cpuUsage()
      const report = await run(n)
      const used = process.cpuUsage(c)
      cpu.push((used.user + used.system) / 1000)
      wall.push(Number(process.hrtime.bigint() - t) / 1e6)
      invocations = report.invocations.length
    }
    const ms = median(cpu)
    console.log(
      `${name.padEnd(9)} ${String(n).padStart(6)} records ${String(invocations).padStart(6)} invocations ` +
        `${ms.toFixed(0).padStart(7)} ms CPU (${median(wall).toFixed(0)} ms wall)  ` +
        `${((ms / invocations) * 1000).toFixed(1).padStart(8)} µs/invocation  ${((ms / n) * 1000).toFixed(1).padStart(8)} µs/record`,
    )
  }
}
