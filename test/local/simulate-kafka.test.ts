import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, kafkaHandler, type KafkaEvent, silentLogger } from 'lambda-stream-handlers'
import { simulate, type KafkaSimulation, type MappingReport } from 'lambda-stream-handlers/local'
import { kafkaEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ i: z.number() })
const RBIF = ['ReportBatchItemFailures'] as const
const PROVISIONED = { ProvisionedPollerConfig: { MinimumPollers: 1 } } as const

/** The `i` of each record of an event, partition by partition. */
const values = (event: KafkaEvent): number[] =>
  Object.values(event.records)
    .flat()
    .map((r) => (JSON.parse(Buffer.from(r.value as string, 'base64').toString()) as { i: number }).i)
const batches = (report: MappingReport): number[][] => report.invocations.map((inv) => values(inv.event as KafkaEvent))
const fates = (report: MappingReport): string[] => report.outcomes.map((o) => o.fate)

/** A raw Lambda handler that throws when the batch holds a value in `poison`. */
const throwsOn =
  (...poison: number[]) =>
  (event: KafkaEvent): void => {
    if (values(event).some((i) => poison.includes(i))) throw new Error('poison in batch')
  }

/** A typed handler that fails the records whose `i` is in `poison`. */
const failing = (...poison: number[]) =>
  kafkaHandler({ schema: Order, logger: silentLogger }, (order) => {
    if (order !== null && poison.includes(order.i)) throw new Error(`order ${order.i} is poison`)
  })

const kafka = (records: KafkaSimulation['records'], settings: Omit<KafkaSimulation, 'source' | 'records'> = {}): KafkaSimulation => ({
  source: 'kafka',
  records,
  topic: 'orders',
  ...settings,
})
const produce = (n: number, partition = 0, at = 0) =>
  Array.from({ length: n }, (_, i) => ({ value: { i: partition * 100 + i }, partition, at }))

describe('simulate() for Kafka: a poison record', () => {
  it('without bisect takes its whole batch to the destination once the retries run out', async () => {
    const report = await simulate(
      throwsOn(2),
      kafka(produce(5), {
        ...PROVISIONED,
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:dlq' } },
      }),
    )
    expect(batches(report)).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ])
    expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'retry', 'retry'])
    expect(fates(report)).toEqual(['discarded', 'discarded', 'discarded', 'discarded', 'discarded'])
    expect(report.outcomes.map((o) => o.id)).toEqual(['orders-0:0', 'orders-0:1', 'orders-0:2', 'orders-0:3', 'orders-0:4'])
    expect(report.failureDestination).toHaveLength(1)
    const [sent] = report.failureDestination
    expect(sent?.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 })
    expect(sent?.responseContext?.functionError).toBe('Unhandled')
    expect(sent?.KafkaBatchInfo).toMatchObject({
      batchSize: 5,
      recordsInfo: { 'orders-0': { firstRecordOffset: '0', lastRecordOffset: '4' } },
    })
    expect(sent?.payload).toBeUndefined()
  })

  it('with bisect is isolated: the records around it succeed', async () => {
    const report = await simulate(
      throwsOn(2),
      kafka(produce(5), { ...PROVISIONED, MaximumRetryAttempts: 2, BisectBatchOnFunctionError: true }),
    )
    expect(fates(report)).toEqual(['succeeded', 'succeeded', 'discarded', 'succeeded', 'succeeded'])
    expect(batches(report)).toEqual([[0, 1, 2, 3, 4], [0, 1, 2], [0, 1], [2], [2], [2], [3, 4]])
    expect(report.failureDestination.map((f) => f.KafkaBatchInfo?.recordsInfo)).toEqual([
      { 'orders-0': expect.objectContaining({ firstRecordOffset: '2', lastRecordOffset: '2' }) },
    ])
  })
})

describe('simulate() for Kafka: partitions', () => {
  it('a partial failure in one partition holds back that partition only, from the failed offset on', async () => {
    const report = await simulate(
      failing(1),
      kafka([...produce(3, 0), ...produce(3, 1)], { ...PROVISIONED, FunctionResponseTypes: RBIF, MaximumRetryAttempts: 1 }),
    )
    // Each partition is a lane: partition 1 succeeds at once; partition 0 resumes at offset 1.
    const first = report.invocations.find((i) => i.shardId === 'orders-0')
    expect(first?.response).toEqual({
      batchItemFailures: [
        { itemIdentifier: { partition: 'orders-0', offset: 1 } },
        { itemIdentifier: { partition: 'orders-0', offset: 2 } },
      ],
    })
    expect(first?.result).toBe('partial')
    const byId = Object.fromEntries(report.outcomes.map((o) => [o.id, o]))
    expect(byId['orders-0:0']?.fate).toBe('succeeded')
    expect(byId['orders-0:1']).toMatchObject({ fate: 'discarded', deliveries: 3 })
    expect(byId['orders-0:2']).toMatchObject({ fate: 'discarded', discardedBehindFailure: true })
    expect(['orders-1:0', 'orders-1:1', 'orders-1:2'].map((id) => byId[id]?.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(report.invocations.filter((i) => i.shardId === 'orders-1')).toHaveLength(1)
    const partition0 = report.invocations.filter((i) => i.shardId === 'orders-0')
    expect(partition0.map((i) => [i.trigger, i.records])).toEqual([
      ['batch', ['orders-0:0', 'orders-0:1', 'orders-0:2']],
      ['remainder', ['orders-0:1', 'orders-0:2']],
      ['retry', ['orders-0:1', 'orders-0:2']],
    ])
    expect(report.costly.discardedBehindFailure).toEqual(['orders-0:2'])
    expect(report.shards).toEqual([
      { shardId: 'orders-0', checkpoint: 'orders-0:2' },
      { shardId: 'orders-1', checkpoint: 'orders-1:2' },
    ])
  })

  it('an identifier that was not in the event fails the whole batch', async () => {
    let calls = 0
    const report = await simulate(
      () => (calls++ === 0 ? { batchItemFailures: [{ itemIdentifier: { partition: 'orders-0', offset: 99 } }] } : {}),
      kafka(produce(2), { ...PROVISIONED, FunctionResponseTypes: RBIF }),
    )
    expect(report.invocations.map((i) => i.result)).toEqual(['malformed-response', 'success'])
    expect(report.outcomes.map((o) => o.deliveries)).toEqual([2, 2])
  })

  it('a string identifier, as the other sources use, is malformed for Kafka', async () => {
    let calls = 0
    const report = await simulate(
      () => (calls++ === 0 ? { batchItemFailures: [{ itemIdentifier: 'orders-0:1' }] } : {}),
      kafka(produce(2), { ...PROVISIONED, FunctionResponseTypes: RBIF }),
    )
    expect(report.invocations[0]?.result).toBe('malformed-response')
  })

  it('without ReportBatchItemFailures the partial response is ignored, and the report names the records by their text', async () => {
    const report = await simulate(failing(1), kafka(produce(3), PROVISIONED))
    expect(fates(report)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(report.costly.ignoredPartialResponses).toEqual([{ invocation: 0, ids: ['orders-0:1', 'orders-0:2'] }])
    expect(report.outcomes[1]?.reportedButIgnored).toBe(true)
  })
})

describe('simulate() for Kafka: batching and starting position', () => {
  it('opens a 500 ms batching window at the first record by default', async () => {
    const report = await simulate(
      failing(),
      kafka([
        { value: { i: 0 }, at: 0 },
        { value: { i: 1 }, at: 300 },
        { value: { i: 2 }, at: 700 },
      ]),
    )
    expect(batches(report)).toEqual([[0, 1], [2]])
    expect(report.invocations.map((i) => i.at)).toEqual(['2026-01-01T00:00:00.500Z', '2026-01-01T00:00:01.200Z'])
  })

  it('MaximumBatchingWindowInSeconds 0 invokes at once; BatchSize ends a batch early', async () => {
    const report = await simulate(failing(), kafka(produce(5), { MaximumBatchingWindowInSeconds: 0, BatchSize: 2 }))
    expect(batches(report)).toEqual([[0, 1], [2, 3], [4]])
    expect(report.invocations[0]?.at).toBe('2026-01-01T00:00:00.000Z')
  })

  it("LATEST skips the records already on the topic; a kafkaEvent's records keep their cluster", async () => {
    const event = kafkaEvent([{ i: 0 }, { i: 1 }], { topic: 'orders', source: 'self-managed', timestamp: new Date('2026-01-01T00:00:00Z') })
    const report = await simulate(failing(), {
      source: 'kafka',
      records: event,
      StartingPosition: 'LATEST',
      start: new Date('2026-01-01T00:00:00.001Z'),
    })
    expect(fates(report)).toEqual(['before-start', 'succeeded'])
    expect(report.invocations[0]?.event).toMatchObject({ eventSource: 'SelfManagedKafka', bootstrapServers: event.bootstrapServers })
    expect(report.invocations[0]?.event).not.toHaveProperty('eventSourceArn')
  })
})

describe('simulate() for Kafka: filtering', () => {
  it('records no pattern matches never reach the function and move the position', async () => {
    const report = await simulate(
      failing(),
      kafka(produce(3), { FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ value: { i: [{ numeric: ['>', 0] }] } }) }] } }),
    )
    expect(fates(report)).toEqual(['filtered', 'succeeded', 'succeeded'])
    expect(batches(report)).toEqual([[1, 2]])
    expect(report.shards).toEqual([{ shardId: 'orders-0', checkpoint: 'orders-0:2' }])
  })
})

describe('simulate() for Kafka: retries and record age', () => {
  it('outside provisioned mode a failing batch is retried until it succeeds', async () => {
    let calls = 0
    const report = await simulate(
      () => {
        if (calls++ < 2) throw new Error('down')
      },
      kafka(produce(2)),
    )
    expect(report.invocations.map((i) => i.trigger)).toEqual(['batch', 'retry', 'retry'])
    expect(fates(report)).toEqual(['succeeded', 'succeeded'])
    expect(report.costly.duplicates).toEqual([
      { id: 'orders-0:0', deliveries: 3 },
      { id: 'orders-0:1', deliveries: 3 },
    ])
  })

  it('outside provisioned mode a poison batch is retried until the topic drops it', async () => {
    const report = await simulate(throwsOn(0), kafka(produce(1), { retentionHours: 1 }))
    expect(report.outcomes[0]).toMatchObject({ fate: 'expired', expiredBy: 'retention' })
    expect(report.failureDestination).toEqual([])
    expect(report.invocations.length).toBeGreaterThan(60)
  })

  it('infinite retries with an on-failure destination stop after 10 retries', async () => {
    const report = await simulate(
      throwsOn(0),
      kafka(produce(1), { ...PROVISIONED, DestinationConfig: { OnFailure: { Destination: 'arn:aws:sns:us-east-1:123456789012:failed' } } }),
    )
    expect(report.invocations).toHaveLength(11)
    expect(report.failureDestination[0]?.requestContext.approximateInvokeCount).toBe(11)
  })

  it('MaximumRetryAttempts 0 discards after the first invocation', async () => {
    const report = await simulate(throwsOn(0), kafka(produce(1), { ...PROVISIONED, MaximumRetryAttempts: 0 }))
    expect(report.invocations).toHaveLength(1)
    expect(fates(report)).toEqual(['discarded'])
  })

  it('records older than MaximumRecordAgeInSeconds go to the destination unread, as RecordAgeExceeded', async () => {
    const report = await simulate(throwsOn(0), kafka(produce(1), { ...PROVISIONED, MaximumRecordAgeInSeconds: 60 }))
    expect(report.outcomes[0]).toMatchObject({ fate: 'expired', expiredBy: 'MaximumRecordAgeInSeconds' })
    const [sent] = report.failureDestination
    expect(sent?.requestContext.condition).toBe('RecordAgeExceeded')
    expect(sent).not.toHaveProperty('responseContext')
    // Retries wait 1, 2, 4, 8, 16, 32 s: the seventh invocation starts 63 s after the record, past 60.
    expect(report.invocations).toHaveLength(6)
  })
})

describe('simulate() for Kafka: what each destination receives', () => {
  const run = (Destination: string, extra: Partial<KafkaSimulation> = {}) =>
    simulate(
      throwsOn(1),
      kafka(produce(2), { ...PROVISIONED, MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination } }, ...extra }),
    )

  it('SQS and SNS: the batch info by partition, no records', async () => {
    const report = await run('arn:aws:sqs:us-east-1:123456789012:dlq')
    const [sent] = report.failureDestination
    expect(sent).toEqual({
      requestContext: {
        requestId: expect.any(String),
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:simulated-function',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: '2026-01-01T00:00:00.500Z',
      KafkaBatchInfo: {
        batchSize: 2,
        eventSourceArn: expect.stringMatching(/^arn:aws:kafka:/),
        bootstrapServers: expect.any(String),
        payloadSize: Buffer.byteLength(JSON.stringify(report.invocations[0]?.event)),
        recordsInfo: {
          'orders-0': {
            firstRecordOffset: '0',
            lastRecordOffset: '1',
            firstRecordTimestamp: '2026-01-01T00:00:00.000Z',
            lastRecordTimestamp: '2026-01-01T00:00:00.000Z',
          },
        },
      },
    })
  })

  it('S3: the same, with the whole event as a JSON string', async () => {
    const report = await run('arn:aws:s3:::failed-batches')
    const [sent] = report.failureDestination
    expect(typeof sent?.payload).toBe('string')
    expect(JSON.parse(sent?.payload as string)).toEqual(report.invocations[0]?.event)
  })

  it('a Kafka topic: one message per record, with its own event', async () => {
    const report = await run('kafka://orders-failed')
    expect(report.failureDestination).toHaveLength(2)
    const [a, b] = report.failureDestination
    expect(a?.requestContext.condition).toBe('RetriesExhausted')
    expect(a?.KafkaBatchInfo).toMatchObject({ batchSize: 1, recordInfo: { offset: '0', timestamp: '2026-01-01T00:00:00.000Z' } })
    expect(b?.KafkaBatchInfo?.recordInfo?.offset).toBe('1')
    expect(values(a?.payload as KafkaEvent)).toEqual([0])
    expect(report.outcomes.map((o) => o.failureRecord)).toEqual([a, b])
  })

  it('a self-managed cluster has no eventSourceArn in the batch info', async () => {
    const report = await run('arn:aws:sqs:us-east-1:123456789012:dlq', { cluster: 'self-managed' })
    expect(report.failureDestination[0]?.KafkaBatchInfo).not.toHaveProperty('eventSourceArn')
    expect(report.invocations[0]?.event).toMatchObject({ eventSource: 'SelfManagedKafka' })
  })
})

describe('simulate() for Kafka: settings Lambda refuses', () => {
  const refused = async (settings: Partial<KafkaSimulation>, message: RegExp): Promise<void> => {
    const run = simulate(failing(), kafka(produce(1), settings as Omit<KafkaSimulation, 'source' | 'records'>))
    await expect(run).rejects.toThrow(ConfigurationError)
    await expect(run).rejects.toThrow(message)
  }

  it('error handling outside provisioned mode', async () => {
    await refused({ MaximumRetryAttempts: 2 }, /`MaximumRetryAttempts` works for Kafka in provisioned mode only/)
    await refused(
      { FunctionResponseTypes: RBIF, BisectBatchOnFunctionError: true },
      /`BisectBatchOnFunctionError`, `FunctionResponseTypes` work/,
    )
    await refused({ ProvisionedPollerConfig: {}, MaximumRecordAgeInSeconds: 60 }, /provisioned mode only/)
    await refused({ DestinationConfig: { OnFailure: { Destination: 'kafka://failed' } } }, /needs provisioned mode/)
  })

  it('what Kafka mappings do not have, and destinations they cannot use', async () => {
    await refused({ TumblingWindowInSeconds: 60 } as never, /no tumbling windows for Kafka/)
    await refused({ ParallelizationFactor: 2 } as never, /each partition is read in order/)
    await refused({ ...PROVISIONED, DestinationConfig: { OnFailure: { Destination: 'kafka://orders' } } }, /a topic the mapping reads/)
    await refused({ DestinationConfig: { OnFailure: { Destination: 'arn:aws:lambda:us-east-1:1:function:f' } } }, /DestinationConfig/)
    await refused({ ProvisionedPollerConfig: { MinimumPollers: 5, MaximumPollers: 2 } }, /not below the minimum/)
    await refused({ ...PROVISIONED, MaximumRecordAgeInSeconds: 30 }, /MaximumRecordAgeInSeconds/)
    await refused({ MaximumBatchingWindowInSeconds: 301 }, /MaximumBatchingWindowInSeconds/)
  })

  it('records that are not Kafka records', async () => {
    await expect(simulate(failing(), kafka([{ nope: 1 } as never]))).rejects.toThrow(/records\[0\] must be a produced record/)
    await expect(
      simulate(
        failing(),
        kafka([{ topic: 'orders', partition: 0, offset: 2 ** 53, timestamp: 0, timestampType: 'CREATE_TIME', value: null, headers: [] }]),
      ),
    ).rejects.toThrow(/offset is not a whole number/)
    await expect(simulate(failing(), kafka([{ value: 1, partition: -1 }]))).rejects.toThrow(/partition must be a whole number/)
    const event = kafkaEvent([{ i: 0 }], { topic: 'orders', firstOffset: 0 })
    await expect(
      simulate(failing(), kafka([...Object.values(event.records).flat(), ...Object.values(event.records).flat()])),
    ).rejects.toThrow(/share partition orders-0 and offset 0/)
  })
  it('hostile records and options: refused with a reason, never a crash', async () => {
    const getter = { topic: 'orders', partition: 0, timestamp: 0, timestampType: 'CREATE_TIME', value: null, headers: [] }
    Object.defineProperty(getter, 'offset', {
      enumerable: true,
      get: () => {
        throw new Error('boom')
      },
    })
    await expect(simulate(failing(), kafka([getter as never]))).rejects.toThrow(ConfigurationError)
    await expect(simulate(failing(), kafka([{ value: { n: 1n } }]))).rejects.toThrow(/records\[0\]\.value cannot be encoded as JSON/)
    await expect(simulate(failing(), kafka([{ value: 1, at: 1e300 }]))).rejects.toThrow(/records\[0\]\.at/)
    await expect(simulate(failing(), kafka('nope' as never))).rejects.toThrow(/`records` must be an array of records or a Kafka event/)
    const event = kafkaEvent([{ i: 0 }], { topic: 'orders' })
    await expect(simulate(failing(), kafka({ ...event, eventSource: 'aws:kinesis' } as never))).rejects.toThrow(/`eventSource` must be/)
    await expect(simulate(failing(), kafka({ ...event, bootstrapServers: 7 } as never))).rejects.toThrow(/needs its `bootstrapServers`/)
    await expect(simulate(failing(), kafka([], { maxInvocations: 'x' as never }))).rejects.toThrow(/maxInvocations/)
    await expect(simulate(failing(), kafka([], { topic: '../etc' }))).rejects.toThrow(/topic/)
    const deep = {
      topic: 'orders',
      partition: 0,
      offset: 0,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      value: null,
      headers: [],
      extra: {},
    }
    let at: Record<string, unknown> = deep.extra
    for (let d = 0; d < 10_000; d++) at = (at.next = {}) as Record<string, unknown>
    // A record JSON cannot write could never be in an event.
    await expect(simulate(failing(), kafka([deep as never]))).rejects.toThrow(/orders-0:0 cannot be written as JSON/)
  })
})
