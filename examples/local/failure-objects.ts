// Reading back what Lambda put in an S3 on-failure destination: the discarded records themselves.
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda'
import type { MappingReport, S3FailureRecord } from 'lambda-stream-handlers/local'

/** The records of a discarded batch, from the body of the object Lambda put in the bucket. */
export function discardedRecords(objectBody: string): KinesisStreamRecord[] {
  const failure = JSON.parse(objectBody) as S3FailureRecord
  const { Records } = JSON.parse(failure.payload) as KinesisStreamEvent
  return Records
}

/** Where a simulated run's failure records would land in the bucket. */
export function printKeys(report: MappingReport): void {
  for (const { key, record } of report.failureObjects ?? []) console.log(key, record.requestContext.condition)
}
