// Kafka mappings from templates (issue 27/28 review, item 4): real CDK stacks synthesised in-process
// and a SAM template written from the SAM specification; the checker holds a Kafka mapping against
// the handler it feeds, and simulate() fed readMappings() gives the report of the same settings by hand.
import { beforeAll, describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kafkaHandler, kinesisHandler, silentLogger } from 'lambda-stream-handlers'
import { checkMapping, checkTemplate, readMappings, simulate, type EventSourceMapping } from 'lambda-stream-handlers/local'
import { kafkaEvent } from 'lambda-stream-handlers/testing'
import { synthStacks } from './cdk-stacks.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
const kafka = kafkaHandler({ schema: Order, logger: silentLogger }, (o) => {
  if (o === null || o.total < 0) throw new Error('negative total, or a tombstone')
})
const kinesis = kinesisHandler({ schema: Order, logger: silentLogger }, () => {})

let stacks: Record<string, string>
beforeAll(() => {
  stacks = synthStacks()
}, 90_000)

const SAM = new URL('./fixtures/sam-kafka.yaml', import.meta.url).pathname
const codes = (findings: readonly { severity: string; code: string }[]) => findings.map((f) => `${f.severity} ${f.code}`).sort()
const one = (template: string): EventSourceMapping => {
  const [mapping, ...rest] = readMappings(template)
  expect(rest).toEqual([])
  return mapping as EventSourceMapping
}

describe('readMappings: Kafka mappings (facts 144 and 145)', () => {
  it('an Amazon MSK mapping of CDK (ManagedKafkaEventSource) in provisioned mode, its Kafka topic destination as written', () => {
    const mapping = one(stacks.MskProvisioned as string)
    expect(mapping.source).toBe('kafka')
    expect(mapping.settings).toEqual({
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders-failed' } },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 2,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
      StartingPosition: 'TRIM_HORIZON',
      Topics: ['orders'],
    })
    // A cluster outside the stack is named by its ARN; nothing of it changes the mapping.
    expect(mapping.sourceSettings).toEqual({ Cluster: 'msk' })
    expect(mapping.function).toMatchObject({ Timeout: 30, logicalId: expect.stringMatching(/^OrdersFunction/) })
    expect(mapping.unresolved).toEqual([])
  })

  it('a self-managed Kafka mapping of CDK (SelfManagedKafkaEventSource): its cluster is its brokers', () => {
    const mapping = one(stacks.SelfManagedKafka as string)
    expect(mapping.source).toBe('kafka')
    expect(mapping.sourceSettings).toEqual({ Cluster: 'self-managed' })
    expect(mapping.settings).toMatchObject({
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: { OnFailure: { Destination: expect.stringMatching(/^arn:aws:sqs:.*:OrderFailures/) } },
    })
    expect(mapping.unresolved).toEqual([])
  })

  it("SAM's MSK and SelfManagedKafka events, with Globals, an MSK cluster of the template and text numbers", () => {
    const [msk, selfManaged, ...rest] = readMappings(SAM)
    expect(rest).toEqual([])
    expect(msk).toMatchObject({
      logicalId: 'MskFunctionOrders',
      source: 'kafka',
      sourceSettings: { logicalId: 'OrdersCluster', Cluster: 'msk' },
      function: { logicalId: 'MskFunction', Timeout: 20 },
      settings: { Topics: ['orders'], BatchSize: 10, ProvisionedPollerConfig: { MinimumPollers: 1 }, MaximumRetryAttempts: 1 },
      unresolved: [],
    })
    expect(msk?.settings.DestinationConfig?.OnFailure?.Destination).toMatch(/^arn:aws:sqs:.*:Failures$/)
    expect(selfManaged).toMatchObject({
      logicalId: 'SelfManagedFunctionOrders',
      source: 'kafka',
      sourceSettings: { Cluster: 'self-managed' },
      function: { Timeout: 5 },
      settings: { Topics: ['orders'], StartingPosition: 'LATEST', BatchSize: 50 },
    })
    expect(readMappings(SAM, { function: 'SelfManagedFunction' })).toEqual([selfManaged])
  })
})

describe('checkMapping: a Kafka mapping', () => {
  it('a careful MSK mapping in provisioned mode, held against its Kafka handler: no finding', () => {
    expect(checkTemplate(kafka, stacks.MskProvisioned as string)).toEqual([])
  })

  it('a Kinesis handler on a Kafka mapping is an error', () => {
    expect(codes(checkTemplate(kinesis, stacks.MskProvisioned as string))).toEqual(['error wrong-source'])
  })

  it('outside provisioned mode, the fixes name provisioned mode: the partial response is ignored and a poison record holds its partition', () => {
    const findings = checkTemplate(kafka, stacks.SelfManagedKafka as string)
    expect(codes(findings)).toEqual(['error partial-failures-ignored', 'warning infinite-retries'])
    const error = findings.find((f) => f.code === 'partial-failures-ignored')
    expect(error?.message).toMatch(/provisioned mode only.*commits the offsets/)
    expect(error?.fix.cloudFormation).toBe(
      'ProvisionedPollerConfig: { MinimumPollers: 1 }, FunctionResponseTypes: [ReportBatchItemFailures]',
    )
    expect(findings.find((f) => f.code === 'infinite-retries')?.message).toMatch(/holds its partition for the topic's retention/)
    // Without the handler: the template rules only, and nothing crashes.
    expect(codes(checkTemplate(undefined, stacks.SelfManagedKafka as string))).toEqual(['warning infinite-retries'])
  })

  it('error handling outside provisioned mode is refused, as the simulator refuses it (facts 106 and 124)', () => {
    const findings = checkTemplate(kafka, stacks.MskRetriesOnDemand as string)
    expect(codes(findings)).toEqual(['error refused-setting', 'warning no-failure-destination'])
    expect(findings[0]?.message).toMatch(/`MaximumRetryAttempts`, `FunctionResponseTypes` work for Kafka in provisioned mode only/)
  })

  it('settings Kafka does not have are refused, with the reason', () => {
    const mapping = one(stacks.MskProvisioned as string)
    const bad = (settings: object) => checkMapping(kafka, { ...mapping, settings: { ...mapping.settings, ...settings } })
    expect(bad({ TumblingWindowInSeconds: 60 })[0]?.message).toMatch(/`TumblingWindowInSeconds` does not apply to Kafka/)
    expect(bad({ ParallelizationFactor: 2 })[0]?.message).toMatch(/`ParallelizationFactor` does not apply to Kafka/)
    expect(bad({ Topics: ['a', 'b'] })[0]?.message).toMatch(/`Topics` must be one topic name/)
    // Fact 123: the destination topic must not be the one the mapping reads.
    expect(bad({ DestinationConfig: { OnFailure: { Destination: 'kafka://orders' } } })[0]?.message).toMatch(
      /kafka:\/\/orders is a topic the mapping reads/,
    )
    expect(codes(bad({ StartingPosition: undefined }))).toEqual(['error no-starting-position'])
  })
})

describe('simulate() fed readMappings() gives the report of the same settings by hand', () => {
  const produced = [
    { value: { orderId: 'a', total: 1 } },
    { value: { orderId: 'b', total: -1 } },
    { value: { orderId: 'c', total: 3 } },
    { value: { orderId: 'd', total: 4 }, partition: 1 },
  ]

  it('Amazon MSK in provisioned mode (CDK): a poison record bisected out, sent to the Kafka topic destination', async () => {
    const mapping = one(stacks.MskProvisioned as string)
    const fromTemplate = await simulate(kafka, { mapping, records: produced })
    const byHand = await simulate(kafka, {
      source: 'kafka',
      records: produced,
      timeoutSeconds: 30,
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders-failed' } },
    })
    expect(fromTemplate).toEqual(byHand)
    expect(fromTemplate.outcomes.map((o) => `${o.id} ${o.fate}`)).toEqual([
      'orders-0:0 succeeded',
      'orders-0:1 discarded',
      'orders-0:2 succeeded',
      'orders-1:0 succeeded',
    ])
    expect(fromTemplate.failureDestination.map((f) => f.KafkaBatchInfo?.recordInfo?.offset)).toEqual(['1'])
  })

  it('self-managed Kafka (CDK): the event is a self-managed one', async () => {
    const mapping = one(stacks.SelfManagedKafka as string)
    const good = produced.filter((p) => p.value.total > 0)
    const fromTemplate = await simulate(kafka, { mapping, records: good })
    const byHand = await simulate(kafka, {
      source: 'kafka',
      cluster: 'self-managed',
      records: good,
      timeoutSeconds: 30,
      Topics: ['orders'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      DestinationConfig: mapping.settings.DestinationConfig as never,
    })
    expect(fromTemplate).toEqual(byHand)
    expect(fromTemplate.invocations[0]?.event).toMatchObject({ eventSource: 'SelfManagedKafka' })
  })

  it("SAM's MSK event", async () => {
    const [msk] = readMappings(SAM) as [EventSourceMapping]
    expect(await simulate(kafka, { mapping: msk, records: produced })).toEqual(
      await simulate(kafka, {
        source: 'kafka',
        records: produced,
        timeoutSeconds: 20,
        Topics: ['orders'],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 10,
        ProvisionedPollerConfig: { MinimumPollers: 1 },
        MaximumRetryAttempts: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: msk.settings.DestinationConfig as never,
      }),
    )
  })

  it("the mapping's topic is the one read: a record of another topic is refused, and so is a topic beside the mapping's", async () => {
    const mapping = one(stacks.MskProvisioned as string)
    await expect(simulate(kafka, { mapping, records: kafkaEvent([{ orderId: 'a', total: 1 }]) })).rejects.toThrow(
      /a record is on topic "test-topic", which the mapping does not read \(`Topics: \['orders'\]`\)/,
    )
    await expect(simulate(kafka, { mapping, records: produced, cluster: 'self-managed' } as never)).rejects.toThrow(
      /`cluster` comes from `mapping`/,
    )
    await expect(simulate(kafka, { source: 'kafka', records: produced, Topics: ['orders'], topic: 'other' })).rejects.toThrow(
      /`topic` \(other\) is not the mapping's topic/,
    )
  })
})
