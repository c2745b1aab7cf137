import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { type KafkaEvent, kafkaHandler, kinesisHandler } from 'lambda-stream-handlers'
import {
  simulate,
  type KafkaBatchInfo,
  type KafkaFailureRecord,
  type KafkaSimulation,
  type MappingReport,
} from 'lambda-stream-handlers/local'
import { kafkaEvent } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string() })
const kafka = kafkaHandler(Order, () => {})
const kinesis = kinesisHandler(Order, () => {})

it('simulate() takes a Kafka handler with Kafka settings, produced records or a built event', () => {
  expectTypeOf(simulate(kafka, { source: 'kafka', records: [{ value: { orderId: 'o-1' }, partition: 1 }] })).toEqualTypeOf<
    Promise<MappingReport>
  >()
  void simulate(kafka, { source: 'kafka', records: kafkaEvent([{ orderId: 'o-1' }]), ProvisionedPollerConfig: { MinimumPollers: 1 } })
  void simulate(kafka, {
    source: 'kafka',
    records: [],
    ProvisionedPollerConfig: { MinimumPollers: 1 },
    DestinationConfig: { OnFailure: { Destination: 'kafka://failed' } },
    durationMs: (event) => Object.keys(event.records).length,
  })
  // @ts-expect-error a Kinesis handler cannot read a Kafka event
  void simulate(kinesis, { source: 'kafka', records: [] })
  // @ts-expect-error Kafka mappings have no parallelization factor
  void simulate(kafka, { source: 'kafka', records: [], ParallelizationFactor: 2 })
  // @ts-expect-error nor tumbling windows
  void simulate(kafka, { source: 'kafka', records: [], TumblingWindowInSeconds: 60 })
})

it('the on-failure record says where the records are, by destination kind', () => {
  expectTypeOf<MappingReport['failureDestination'][number]['KafkaBatchInfo']>().toEqualTypeOf<KafkaBatchInfo | undefined>()
  expectTypeOf<KafkaBatchInfo['recordsInfo']>().toEqualTypeOf<
    | Readonly<
        Record<
          string,
          {
            readonly firstRecordOffset: string
            readonly lastRecordOffset: string
            readonly firstRecordTimestamp: string
            readonly lastRecordTimestamp: string
          }
        >
      >
    | undefined
  >()
  expectTypeOf<KafkaBatchInfo['recordInfo']>().toEqualTypeOf<{ readonly offset: string; readonly timestamp: string } | undefined>()
  expectTypeOf<KafkaSimulation['records']>().not.toBeAny()
  // A consumer of the destination reads KafkaBatchInfo without a check; the stream sources' infos are not there.
  expectTypeOf<KafkaFailureRecord['KafkaBatchInfo']>().toEqualTypeOf<KafkaBatchInfo>()
  expectTypeOf<KafkaFailureRecord>().not.toHaveProperty('KinesisBatchInfo')
  expectTypeOf<KafkaFailureRecord['payload']>().toEqualTypeOf<string | KafkaEvent | undefined>()
})
