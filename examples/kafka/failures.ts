import type { SQSEvent } from 'aws-lambda'
import type { KafkaFailureRecord } from 'lambda-stream-handlers/local'

/** Where the records of one discarded batch are: `orders-0 offsets 1-2 (RetryAttemptsExhausted)`. */
export function lostRanges(body: string): string[] {
  const failure = JSON.parse(body) as KafkaFailureRecord
  const { condition } = failure.requestContext
  return Object.entries(failure.KafkaBatchInfo.recordsInfo ?? {}).map(
    ([partition, info]) => `${partition} offsets ${info.firstRecordOffset}-${info.lastRecordOffset} (${condition})`,
  )
}

/** A function on the SQS queue a Kafka mapping sends its discarded batches to. */
export const handler = async (event: SQSEvent): Promise<void> => {
  for (const message of event.Records) for (const line of lostRanges(message.body)) console.warn(line)
}
