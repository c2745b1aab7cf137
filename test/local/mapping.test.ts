// Issue 27: the mapping as data. Real CDK stacks synthesised in-process and a SAM template written
// from the SAM specification; the checker holds each mapping against the handler it feeds, and
// simulate() runs exactly what deploys.
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, dynamodbHandler, kinesisHandler, kinesisWindowHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { checkMapping, checkTemplate, readMappings, simulate, type EventSourceMapping } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, modify } from 'lambda-stream-handlers/testing'
import { synthStacks } from './cdk-stacks.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
const kinesis = kinesisHandler({ schema: Order, logger: silentLogger }, (o) => {
  if (o.total < 0) throw new Error('negative total')
})
const changes = dynamodbHandler({ schema: Order, logger: silentLogger }, (c) => {
  if (c.eventName !== 'REMOVE' && c.newImage.total < 0) throw new Error('negative total')
})
const messages = sqsHandler({ schema: Order, logger: silentLogger }, (o) => {
  if (o.total < 0) throw new Error('negative total')
})

let stacks: Record<string, string>
beforeAll(() => {
  stacks = synthStacks()
}, 60_000)

const codes = (findings: readonly { severity: string; code: string }[]) => findings.map((f) => `${f.severity} ${f.code}`).sort()
const SAM = new URL('./fixtures/sam-template.yaml', import.meta.url).pathname

describe('readMappings (fact 114 and §2)', () => {
  it('reads a CDK Kinesis mapping with its stream, function and destination resolved', () => {
    const [mapping, ...rest] = readMappings(stacks.CarefulKinesis as string)
    expect(rest).toEqual([])
    expect(mapping?.source).toBe('kinesis')
    expect(mapping?.settings).toEqual({
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: expect.stringMatching(/^arn:aws:sqs:.*:OrderFailures/) } },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 3600,
      MaximumRetryAttempts: 2,
      ParallelizationFactor: 2,
      StartingPosition: 'TRIM_HORIZON',
    })
    expect(mapping?.sourceSettings).toMatchObject({ ShardCount: 3 })
    expect(mapping?.function).toMatchObject({ Timeout: 30, logicalId: expect.stringMatching(/^OrdersFunction/) })
    expect(mapping?.unresolved).toEqual([])
  })

  it('reads the same template from an object, and filters by function', () => {
    const object = JSON.parse(readFileSync(stacks.CarefulKinesis as string, 'utf8'))
    const [fromFile] = readMappings(stacks.CarefulKinesis as string)
    expect(readMappings(object)).toEqual([fromFile])
    expect(readMappings(object, { function: 'NotThere' })).toEqual([])
    expect(readMappings(object, { function: fromFile?.function.logicalId as string })).toEqual([fromFile])
  })

  it('reads DynamoDB and SQS resources: the view type, the visibility timeout, the redrive policy, FIFO', () => {
    expect(readMappings(stacks.KeysOnlyTable as string)[0]?.sourceSettings).toMatchObject({ StreamViewType: 'KEYS_ONLY' })
    const [queue] = readMappings(stacks.CarefulQueue as string)
    expect(queue?.source).toBe('sqs')
    expect(queue?.sourceSettings).toMatchObject({ VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 5 } })
    expect(queue?.settings).toMatchObject({ BatchSize: 5, ScalingConfig: { MaximumConcurrency: 4 } })
    expect(readMappings(stacks.FifoWindow as string)[0]?.sourceSettings).toMatchObject({ FifoQueue: true })
  })

  it('reads SAM events with Globals and short-form tags; a parameter is reported, not guessed', () => {
    const mappings = readMappings(SAM)
    expect(mappings.map((m) => [m.logicalId, m.source])).toEqual([
      ['StreamFunctionOrders', 'kinesis'],
      ['TableFunctionChanges', 'dynamodb'],
      ['QueueFunctionMessages', 'sqs'],
    ])
    const [stream, table, queue] = mappings as [EventSourceMapping, EventSourceMapping, EventSourceMapping]
    expect(stream.function).toEqual({ logicalId: 'StreamFunction', Timeout: 20 }) // from Globals
    expect(stream.sourceSettings.ShardCount).toBe(2)
    expect(stream.settings.DestinationConfig?.OnFailure?.Destination).toMatch(/^arn:aws:sqs:.*:Failures$/)
    expect(table.function.Timeout).toBe(10)
    expect(table.settings.BatchSize).toBeUndefined()
    expect(table.unresolved).toEqual([
      'TableFunctionChanges.BatchSize: {"Ref":"BatchSizeParam"}',
      expect.stringContaining('TableFunctionChanges.DestinationConfig.OnFailure.Destination: {"Fn::Sub"'),
    ])
    expect(queue.sourceSettings).toMatchObject({ VisibilityTimeout: 120, RedrivePolicy: { maxReceiveCount: 5 } })
  })

  it('refuses what is not a template', () => {
    expect(() => readMappings('/nonexistent.yaml')).toThrow(ConfigurationError)
    expect(() => readMappings({})).toThrow(/no `Resources`/)
    expect(() => readMappings(42 as never)).toThrow(/a path or an object/)
  })
})

describe('checkMapping: issue 27 done-when', () => {
  it('a careless Kinesis stack: an error (partial failures ignored) and warnings', () => {
    const findings = checkTemplate(kinesis, stacks.CarelessKinesis as string)
    expect(codes(findings)).toEqual([
      'error partial-failures-ignored',
      'warning infinite-retries',
      'warning no-bisect',
      'warning no-failure-destination',
    ])
    const error = findings.find((f) => f.severity === 'error')
    expect(error?.fix).toEqual({ cdk: 'reportBatchItemFailures: true', cloudFormation: 'FunctionResponseTypes: [ReportBatchItemFailures]' })
    expect(error?.logicalId).toMatch(/^OrdersFunctionKinesisEventSource/)
  })

  it('the same stack made careful: no finding', () => {
    expect(checkTemplate(kinesis, stacks.CarefulKinesis as string)).toEqual([])
  })

  it('a KEYS_ONLY table read by a NEW_AND_OLD_IMAGES handler is an error; the same handler on its table is fine (facts 7 and 8)', () => {
    expect(codes(checkTemplate(changes, stacks.KeysOnlyTable as string))).toEqual(['error view-type-mismatch'])
    expect(checkTemplate(changes, stacks.ImagesTable as string)).toEqual([])
    const keysOnly = dynamodbHandler(
      { schema: z.object({ orderId: z.string() }), streamViewType: 'KEYS_ONLY', logger: silentLogger },
      () => {},
    )
    expect(checkTemplate(keysOnly, stacks.KeysOnlyTable as string)).toEqual([])
  })

  it('SQS: a visibility timeout under the function timeout is an error, under six times it a warning (fact 50)', () => {
    expect(codes(checkTemplate(messages, stacks.ShortVisibility as string))).toEqual(['error visibility-below-timeout'])
    expect(codes(checkTemplate(messages, stacks.UnderSixTimes as string))).toEqual(['warning visibility-under-six-times'])
    expect(checkTemplate(messages, stacks.CarefulQueue as string)).toEqual([])
    expect(codes(checkTemplate(messages, stacks.NoRedrive as string))).toEqual(['warning no-redrive-policy'])
  })

  it('a FIFO queue with a batching window is refused, as AWS refuses it', () => {
    const [finding, ...rest] = checkTemplate(messages, stacks.FifoWindow as string)
    // The window also counts in the visibility timeout AWS advises: 6 × 30 s + 5 s.
    expect(codes(rest)).toEqual(['warning visibility-under-six-times'])
    expect(finding).toMatchObject({ severity: 'error', code: 'refused-setting', message: expect.stringMatching(/not supported for FIFO/) })
    const unordered = sqsHandler({ schema: Order, ordering: 'unordered', logger: silentLogger }, () => {})
    expect(codes(checkTemplate(unordered, stacks.FifoWindow as string))).toContain('warning fifo-unordered')
  })

  it('the same mapping is fine for one handler and wrong for another', () => {
    const [mapping] = readMappings(stacks.CarefulKinesis as string) as [EventSourceMapping]
    expect(checkMapping(kinesis, mapping)).toEqual([])
    expect(codes(checkMapping(messages, mapping))).toEqual(['error wrong-source'])
    const windowed = kinesisWindowHandler({
      schema: Order,
      state: z.object({ total: z.number() }),
      initial: () => ({ total: 0 }),
      reduce: (s, o) => ({ total: s.total + o.total }),
      onWindowEnd: () => {},
      logger: silentLogger,
    })
    expect(codes(checkMapping(windowed, mapping))).toEqual(['error window-missing'])
    expect(codes(checkMapping(kinesis, { ...mapping, settings: { ...mapping.settings, TumblingWindowInSeconds: 60 } }))).toEqual([
      'error window-unexpected',
    ])
    expect(codes(checkMapping(async () => ({}), mapping))).toEqual(['warning handler-unknown'])
  })

  it('settings AWS refuses are errors, from the same tables simulate() reads', () => {
    const [mapping] = readMappings(stacks.CarefulKinesis as string) as [EventSourceMapping]
    const bad = (settings: object) => checkMapping(kinesis, { ...mapping, settings: { ...mapping.settings, ...settings } })
    expect(bad({ MaximumRecordAgeInSeconds: 30 })[0]?.message).toMatch(/MaximumRecordAgeInSeconds/)
    expect(bad({ BatchSize: 20_000 })[0]?.message).toMatch(/`BatchSize` must be a whole number from 1 to 10000/)
    expect(bad({ FilterCriteria: { Filters: [{ Pattern: '{not json' }] } })[0]?.code).toBe('refused-setting')
    expect(bad({ StartingPosition: undefined }).map((f) => f.code)).toEqual(['no-starting-position'])
  })
})

describe('simulate() fed readMappings() gives the report of the same settings by hand', () => {
  const kinesisRecords = [
    { data: { orderId: 'a', total: 1 }, partitionKey: 'a' },
    { data: { orderId: 'b', total: -1 }, partitionKey: 'b' },
    { data: { orderId: 'c', total: 3 }, partitionKey: 'c', at: 500 },
  ]

  it('Kinesis (CDK)', async () => {
    const [mapping] = readMappings(stacks.CarefulKinesis as string) as [EventSourceMapping]
    const fromTemplate = await simulate(kinesis, { mapping, records: kinesisRecords })
    const byHand = await simulate(kinesis, {
      source: 'kinesis',
      records: kinesisRecords,
      shards: 3,
      timeoutSeconds: 30,
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: 3600,
      MaximumRetryAttempts: 2,
      ParallelizationFactor: 2,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: mapping.settings.DestinationConfig as never,
    })
    expect(fromTemplate).toEqual(byHand)
    expect(fromTemplate.outcomes.map((o) => o.fate)).toContain('discarded')
  })

  it('DynamoDB (CDK)', async () => {
    const [mapping] = readMappings(stacks.ImagesTable as string) as [EventSourceMapping]
    const records = dynamodbEvent([insert({ orderId: 'a', total: 1 }), modify({ orderId: 'a', total: 1 }, { orderId: 'a', total: -2 })], {
      keys: ['orderId'],
      createdAt: new Date('2026-01-01T00:00:00Z'),
    })
    const fromTemplate = await simulate(changes, { mapping, records })
    const byHand = await simulate(changes, {
      source: 'dynamodb',
      records,
      timeoutSeconds: 30,
      BatchSize: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 3,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: mapping.settings.DestinationConfig as never,
    })
    expect(fromTemplate).toEqual(byHand)
    expect(fromTemplate.failureDestination.length).toBe(1)
  })

  it('SQS (CDK)', async () => {
    const [mapping] = readMappings(stacks.CarefulQueue as string) as [EventSourceMapping]
    const records = [{ body: { orderId: 'a', total: 1 } }, { body: { orderId: 'b', total: -1 } }]
    const fromTemplate = await simulate(messages, { mapping, records })
    const byHand = await simulate(messages, {
      source: 'sqs',
      records,
      timeoutSeconds: 30,
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    })
    expect(fromTemplate).toEqual(byHand)
    expect(fromTemplate.deadLetters?.map((d) => d.receiveCount)).toEqual([5])
  })

  it('every source of the SAM template', async () => {
    const [stream, , queue] = readMappings(SAM) as [EventSourceMapping, EventSourceMapping, EventSourceMapping]
    expect(await simulate(kinesis, { mapping: stream, records: kinesisRecords })).toEqual(
      await simulate(kinesis, {
        source: 'kinesis',
        records: kinesisRecords,
        shards: 2,
        timeoutSeconds: 20,
        BatchSize: 10,
        MaximumRetryAttempts: 2,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: stream.settings.DestinationConfig as never,
      }),
    )
    const records = [{ body: { orderId: 'a', total: -1 } }]
    expect(await simulate(messages, { mapping: queue, records })).toEqual(
      await simulate(messages, {
        source: 'sqs',
        records,
        timeoutSeconds: 20,
        visibilityTimeoutSeconds: 120,
        maxReceiveCount: 5,
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 3 },
      }),
    )
  })

  it('a setting given beside the mapping is refused: the mapping decides it', async () => {
    const [mapping] = readMappings(stacks.CarefulQueue as string) as [EventSourceMapping]
    await expect(simulate(messages, { mapping, records: [], BatchSize: 1 } as never)).rejects.toThrow(/`BatchSize` comes from `mapping`/)
  })
})

describe('simulate() takes any (event, context, callback?) handler (issue 26 item 5)', () => {
  it('a callback-style handler is called with a callback and its answer read from it', async () => {
    const callbackStyle = (
      event: { Records: { messageId: string; body: string }[] },
      _context: unknown,
      callback: (error: Error | null, result?: unknown) => void,
    ) => {
      const failed = event.Records.filter((r) => r.body.includes('-1')).map((r) => ({ itemIdentifier: r.messageId }))
      setTimeout(() => callback(null, { batchItemFailures: failed }), 1)
    }
    const report = await simulate(callbackStyle as never, {
      source: 'sqs',
      records: [{ body: { total: 1 } }, { body: { total: -1 } }],
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      maxReceiveCount: 2,
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'dead-lettered'])
  })
})
