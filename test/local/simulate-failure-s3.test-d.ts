import type { KafkaEvent } from 'lambda-stream-handlers'
import { expectTypeOf, it } from 'vitest'
import type { BatchInfo, FailureDestinationRecord, MappingReport, S3FailureObject, S3FailureRecord } from 'lambda-stream-handlers/local'

it('an S3 failure record is the failure record with its payload a JSON string, always there', () => {
  expectTypeOf<S3FailureRecord['payload']>().toEqualTypeOf<string>()
  expectTypeOf<FailureDestinationRecord['payload']>().toEqualTypeOf<string | KafkaEvent | undefined>()
  expectTypeOf<S3FailureRecord['KinesisBatchInfo']>().toEqualTypeOf<BatchInfo | undefined>()
  expectTypeOf<S3FailureRecord['DDBStreamBatchInfo']>().toEqualTypeOf<BatchInfo | undefined>()
  expectTypeOf<S3FailureRecord>().toMatchTypeOf<Omit<FailureDestinationRecord, 'payload'>>()
  // A consumer reads the object's body into it; a record without a payload is not one.
  const withoutPayload: Omit<S3FailureRecord, 'payload'> = {} as FailureDestinationRecord
  // @ts-expect-error the payload is required
  const noPayload: S3FailureRecord = withoutPayload
  void noPayload
})

it("the report's S3 objects and lost windows are typed to the field", () => {
  expectTypeOf<MappingReport['failureObjects']>().toEqualTypeOf<readonly S3FailureObject[] | undefined>()
  expectTypeOf<S3FailureObject>().toEqualTypeOf<{ readonly bucket: string; readonly key: string; readonly record: S3FailureRecord }>()
  expectTypeOf<MappingReport['costly']['lostWindows'][number]>().toEqualTypeOf<{
    readonly shardId: string
    readonly lane: number
    readonly start: string
    readonly end: string
    readonly invocations: readonly number[]
  }>()
})
