import { expectTypeOf, it } from 'vitest'
import type {
  EventSourceMapping,
  KafkaMappingSettings,
  MappingSettings,
  SqsMappingSettings,
  SqsSimulation,
  StreamMappingSettings,
} from 'lambda-stream-handlers/local'

it("a mapping's settings are the streams', SQS's and Kafka's, written once", () => {
  type Names = keyof Omit<StreamMappingSettings, 'windowGraceSeconds'> | keyof SqsMappingSettings | keyof KafkaMappingSettings
  expectTypeOf<keyof MappingSettings>().toEqualTypeOf<Names>()
  expectTypeOf<EventSourceMapping['settings']>().toEqualTypeOf<MappingSettings>()
  // Kafka's Topics and provisioned mode's poller group are part of the one value.
  expectTypeOf<MappingSettings['Topics']>().toEqualTypeOf<readonly string[] | undefined>()
  expectTypeOf<NonNullable<MappingSettings['ProvisionedPollerConfig']>>().toHaveProperty('PollerGroupName')
  // SQS's simulation takes its mapping's settings from the one type.
  expectTypeOf<SqsSimulation['ScalingConfig']>().toEqualTypeOf<SqsMappingSettings['ScalingConfig']>()
  expectTypeOf<SqsSimulation>().toExtend<SqsMappingSettings>()
})
