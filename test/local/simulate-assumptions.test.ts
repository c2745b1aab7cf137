// Issue 30: where AWS is silent, the report says what the simulator chose, in words a user acts on.
import { describe, expect, it } from 'vitest'
import { simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent } from 'lambda-stream-handlers/testing'

const ok = (): void => {}
const window = () => ({ state: {} })
const has = (assumptions: readonly string[], ...words: string[]) => assumptions.some((a) => words.every((w) => a.includes(w)))

describe('the assumptions of a stream simulation name each choice AWS does not document', () => {
  it('facts 129 and 130 and 67: tumbling windows under a parallelization factor, the lost final window, the state of a retried batch', async () => {
    const report = await simulate(window, {
      source: 'kinesis',
      records: [{ data: 1 }],
      TumblingWindowInSeconds: 60,
      ParallelizationFactor: 2,
    })
    const { assumptions } = report
    expect(
      has(assumptions, 'ParallelizationFactor above 1', 'each lane keeps its own window and state', 'one final invocation per lane'),
    ).toBe(true)
    expect(
      has(
        assumptions,
        'final invocation that runs out of retries',
        'without a failure record',
        'still show succeeded',
        'costly.lostWindows',
      ),
    ).toBe(true)
    expect(
      has(assumptions, 'retried window batch gets the state of the last successful invocation', 'delivered again with that state'),
    ).toBe(true)
    // Without windows, none of them.
    const plain = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }] })
    expect(plain.assumptions.some((a) => a.includes('window'))).toBe(false)
  })

  it('fact 131: lanes are hash(key) mod the factor; a failure holds its lane, the others go on, a few keys may leave lanes unused', async () => {
    const { assumptions } = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }], ParallelizationFactor: 3 })
    expect(
      has(
        assumptions,
        'hash(partitionKey) mod N',
        'holds back every other key of its lane',
        'other lanes go on',
        'the keys a to f use only two lanes',
      ),
    ).toBe(true)
    // And the example holds: six keys, a factor of 3, two lanes used.
    const report = await simulate(ok, {
      source: 'kinesis',
      records: ['a', 'b', 'c', 'd', 'e', 'f'].map((partitionKey) => ({ data: 1, partitionKey })),
      ParallelizationFactor: 3,
    })
    expect(new Set(report.invocations.map((i) => i.lane)).size).toBe(2)
  })

  it("facts 37 and 42: bisection's failure record counts only the invocations of the last single-record piece", async () => {
    const { assumptions } = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }], BisectBatchOnFunctionError: true })
    expect(
      has(assumptions, 'BisectBatchOnFunctionError', 'approximateInvokeCount only the invocations of its last single-record piece'),
    ).toBe(true)
  })

  it('fact 132: LATEST with records put at time 0 and no `start` reads them all, as TRIM_HORIZON does', async () => {
    const report = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }, { data: 2 }], StartingPosition: 'LATEST' })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
    expect(has(report.assumptions, 'StartingPosition LATEST', 'as with TRIM_HORIZON', 'give a `start` after them')).toBe(true)
    // And a `start` after a record makes LATEST skip it.
    const t0 = Date.UTC(2026, 0, 1)
    const later = await simulate(ok, {
      source: 'kinesis',
      records: kinesisEvent([{ n: 1 }], { arrivedAt: new Date(t0 - 1000) }),
      StartingPosition: 'LATEST',
      start: new Date(t0),
    })
    expect(later.outcomes.map((o) => o.fate)).toEqual(['before-start'])
    const trim = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }] })
    expect(has(trim.assumptions, 'StartingPosition LATEST')).toBe(false)
  })

  it('fact 128: the failure record names the last invocation, for streams and Kafka alike', async () => {
    const kinesis = await simulate(ok, { source: 'kinesis', records: [{ data: 1 }] })
    const kafka = await simulate(ok, { source: 'kafka', records: [{ value: 1 }] })
    for (const r of [kinesis, kafka])
      expect(has(r.assumptions, "requestContext.requestId is the request id of the discarded records' last invocation")).toBe(true)
  })
})
