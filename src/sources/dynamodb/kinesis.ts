/**
 * DynamoDB changes delivered through a Kinesis data stream (Kinesis Data Streams for DynamoDB):
 * each Kinesis record's data is a DynamoDB change record as JSON, with no `SequenceNumber` or
 * `StreamViewType`, and `ApproximateCreationDateTime` in milliseconds (or microseconds, when the
 * table's `ApproximateCreationDateTimePrecision` is `MICROSECOND`) where DynamoDB Streams gives
 * seconds. This turns each one into the DynamoDB Streams record the handler reads, identified by
 * the Kinesis sequenceNumber, which is what Lambda's Kinesis mapping expects in
 * `batchItemFailures`.
 */
import type { DynamoDBRecord, KinesisStreamRecord } from 'aws-lambda'
import { MalformedEventError } from '../../engine/errors.js'
import { InvalidRecord } from '../../engine/schema.js'
import { base64ToBytes, bytesToText, describeSource, isSequenceNumber, parseJson, unreadable } from '../decode.js'
import { jsonType } from '../unmarshall.js'

const KINESIS = Symbol('the Kinesis record')
const UNDECODABLE = Symbol('why the Kinesis data is not a DynamoDB change')

/** A DynamoDB record made from a Kinesis record, remembering it (and why it could not be decoded, if so). */
export interface ViaKinesis {
  readonly [KINESIS]?: KinesisStreamRecord
  readonly [UNDECODABLE]?: InvalidRecord
}

/** The Kinesis record a DynamoDB change came through, or `undefined` for one from DynamoDB Streams. */
export function kinesisRecordOf(record: object): KinesisStreamRecord | undefined {
  return (record as ViaKinesis)[KINESIS]
}

/** Throws the decode failure of a change whose Kinesis data could not be read. */
export function throwIfUndecodable(record: object): void {
  const broken = (record as ViaKinesis)[UNDECODABLE]
  if (broken !== undefined) throw broken
}

function notAChange(message: string): InvalidRecord {
  return new InvalidRecord({ kind: 'decode', message: `The Kinesis record's data is not a DynamoDB change record: ${message}` })
}

/** Milliseconds (the default) or microseconds since the epoch, as seconds. */
function toSeconds(value: unknown, precision: unknown): unknown {
  if (typeof value !== 'number') return value
  // 1e14 ms is the year 5138; a microsecond timestamp of today is above 1e15.
  return precision === 'MICROSECOND' || (precision === undefined && value > 1e14) ? value / 1e6 : value / 1e3
}

function change(record: KinesisStreamRecord): DynamoDBRecord {
  const value = parseJson(bytesToText(base64ToBytes(record.kinesis.data, 'kinesis.data')))
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw notAChange(`it is ${jsonType(value)}.`)
  const v = value as Record<string, unknown>
  const dynamodb = v.dynamodb as Record<string, unknown> | undefined
  if (typeof dynamodb !== 'object' || dynamodb === null || Array.isArray(dynamodb)) throw notAChange('it has no `dynamodb` object.')
  if (v.eventSource !== undefined && v.eventSource !== 'aws:dynamodb')
    throw notAChange(`its eventSource is not "aws:dynamodb" (it is ${jsonType(v.eventSource)}).`)
  const { ApproximateCreationDateTimePrecision: precision, ...rest } = dynamodb
  return {
    ...(v as DynamoDBRecord),
    eventSource: 'aws:dynamodb',
    eventSourceARN: record.eventSourceARN,
    dynamodb: {
      ...rest,
      ApproximateCreationDateTime: toSeconds(dynamodb.ApproximateCreationDateTime, precision),
      SequenceNumber: record.kinesis.sequenceNumber,
    } as DynamoDBRecord['dynamodb'],
  }
}

/**
 * The DynamoDB records of a Kinesis event. A record whose data is not a DynamoDB change still
 * becomes one (so it is reported by its sequence number) and fails when it is parsed; a record
 * that is not from Kinesis, or cannot be reported, fails the event.
 */
export function fromKinesis(records: readonly unknown[], name: string): DynamoDBRecord[] {
  return records.map((raw, i) => {
    try {
      return fromKinesisRecord(raw, i, name)
    } catch (e) {
      throw e instanceof MalformedEventError ? e : unreadable(name, i, e)
    }
  })
}

function fromKinesisRecord(raw: unknown, i: number, name: string): DynamoDBRecord {
  const r = raw as Partial<KinesisStreamRecord> | null
  if (r?.eventSource !== 'aws:kinesis') {
    throw new MalformedEventError(
      `${name} received a Kinesis event with a record that is not from Kinesis at Records[${i}] (${describeSource(r)}).`,
    )
  }
  if (!isSequenceNumber(r.kinesis?.sequenceNumber)) {
    throw new MalformedEventError(`${name} received a record without a valid kinesis.sequenceNumber at Records[${i}].`)
  }
  const record = r as KinesisStreamRecord
  let out: DynamoDBRecord & ViaKinesis
  try {
    out = { ...change(record), [KINESIS]: record }
  } catch (e) {
    if (!(e instanceof InvalidRecord)) throw e
    out = { eventSource: 'aws:dynamodb', dynamodb: { SequenceNumber: record.kinesis.sequenceNumber }, [KINESIS]: record, [UNDECODABLE]: e }
  }
  return out
}
