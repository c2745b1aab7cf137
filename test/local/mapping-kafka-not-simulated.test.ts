// A Kafka mapping can set what simulate() does not model (a schema registry, queue mode). The
// reader says so on the mapping, and a simulation of it lists it among its assumptions: a template's
// setting is never dropped without a word.
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { kafkaHandler, silentLogger } from 'lambda-stream-handlers'
import { readMappings, simulate } from 'lambda-stream-handlers/local'

const handler = kafkaHandler({ schema: z.object({ n: z.number() }), logger: silentLogger }, () => {})

/** A CloudFormation template with one self-managed Kafka mapping, its cluster config as given. */
const template = (config: object) => ({
  Resources: {
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Timeout: 10 } },
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: ['broker-1:9092'] } },
        Topics: ['orders'],
        StartingPosition: 'TRIM_HORIZON',
        SelfManagedKafkaEventSourceConfig: config,
      },
    },
  },
})

describe('readMappings: what a Kafka mapping sets that the simulator does not model', () => {
  it('a schema registry and queue mode are named on the mapping and in the simulation report', async () => {
    const [mapping] = readMappings(
      template({
        ConsumerGroupId: 'orders-consumer',
        ConsumptionMode: 'Queue',
        SchemaRegistryConfig: { SchemaRegistryURI: 'https://registry.example', EventRecordFormat: 'JSON' },
      }),
    )
    expect(mapping?.notSimulated).toEqual([
      expect.stringMatching(/^SchemaRegistryConfig is not simulated/),
      expect.stringMatching(/^ConsumptionMode Queue is not simulated/),
    ])
    if (mapping === undefined) throw new Error('no mapping')
    const report = await simulate(handler, { mapping, records: [{ value: { n: 1 } }] })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
    for (const sentence of mapping.notSimulated ?? []) expect(report.assumptions).toContain(sentence)
  })

  it('a consumer group alone is simulated as it is: nothing to say', async () => {
    const [mapping] = readMappings(template({ ConsumerGroupId: 'orders-consumer' }))
    expect(mapping?.notSimulated).toBeUndefined()
    if (mapping === undefined) throw new Error('no mapping')
    const report = await simulate(handler, { mapping, records: [{ value: { n: 1 } }] })
    expect(report.assumptions.some((a) => a.includes('not simulated'))).toBe(false)
  })
})
