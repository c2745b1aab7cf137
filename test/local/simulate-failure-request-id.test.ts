// Issue 30: which request the failure record's requestContext.requestId names. Named after its fact.
import type { Context, KinesisStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'

/** A function that throws on records whose data is "bad", and notes each invocation's request id and records. */
function watched() {
  const calls: { requestId: string; data: string[] }[] = []
  const handler = (event: KinesisStreamEvent, context: Context): void => {
    const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())
    calls.push({ requestId: context.awsRequestId, data })
    if (data.includes('"bad"')) throw new Error('bad record')
  }
  return { handler, calls }
}

describe("fact 128: the failure record's requestId is the request id of the discarded records' last invocation", () => {
  it('after the retries: the id the function logged on its last try', async () => {
    const { handler, calls } = watched()
    const report = await simulate(handler, {
      source: 'kinesis',
      records: [{ data: 'bad' }, { data: 'ok', at: 5000 }],
      MaximumRetryAttempts: 2,
    })
    expect(calls.map((c) => c.data)).toEqual([['"bad"'], ['"bad"'], ['"bad"'], ['"ok"']])
    expect(report.failureDestination.map((f) => f.requestContext.requestId)).toEqual([calls[2]!.requestId])
    expect(report.outcomes[0]!.failureRecord?.requestContext.requestId).toBe(calls[2]!.requestId)
  })

  it('with bisection: the last invocation of the single-record piece, whose invocations alone are counted', async () => {
    const { handler, calls } = watched()
    const report = await simulate(handler, {
      source: 'kinesis',
      records: [{ data: 'ok' }, { data: 'bad' }, { data: 'ok' }, { data: 'ok' }],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
    })
    const [sent] = report.failureDestination
    const lastBad = calls.filter((c) => c.data.length === 1 && c.data[0] === '"bad"')
    expect(lastBad).toHaveLength(2)
    expect(sent!.requestContext.requestId).toBe(lastBad[1]!.requestId)
    // The piece's two invocations, not the four that held the record (the whole batch, its half, the piece twice).
    expect(calls.filter((c) => c.data.includes('"bad"'))).toHaveLength(4)
    expect(sent!.requestContext.approximateInvokeCount).toBe(2)
  })

  it('records that expired while being retried: the id of their last invocation', async () => {
    const { handler, calls } = watched()
    const report = await simulate(handler, {
      source: 'kinesis',
      records: [{ data: 'bad' }],
      MaximumRecordAgeInSeconds: 60,
      retryDelayMs: () => 25_000,
    })
    const [sent] = report.failureDestination
    expect(sent!.requestContext.condition).toBe('RecordAgeExceeded')
    expect(sent!.requestContext.requestId).toBe(calls[calls.length - 1]!.requestId)
    expect(report.assumptions.some((a) => a.startsWith("The failure record's requestContext.requestId"))).toBe(true)
  })

  it('records that expired before any invocation: a fresh id, none of the invocations', async () => {
    const { handler, calls } = watched()
    const report = await simulate(handler, {
      source: 'kinesis',
      records: [{ data: 'bad' }, { data: 'old' }, { data: 'ok', at: 200_000 }],
      BatchSize: 1,
      MaximumRecordAgeInSeconds: 60,
      retryDelayMs: () => 50_000,
    })
    const aged = report.failureDestination.filter((f) => f.KinesisBatchInfo?.startSequenceNumber === report.outcomes[1]!.id)
    expect(aged).toHaveLength(1)
    expect(calls.some((c) => c.data.includes('"old"'))).toBe(false)
    expect(calls.map((c) => c.requestId)).not.toContain(aged[0]!.requestContext.requestId)
    expect(aged[0]!.requestContext.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
