// Issue 25: every setting and input of simulate() is refused at once with a ConfigurationError, or
// the run ends within a bound. Hostile numbers, strings, dates and functions in every slot.
import type { Context, KinesisStreamEvent } from 'aws-lambda'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, dynamodbHandler, kinesisHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'

const fails = kinesisHandler({ schema: z.object({ ok: z.literal(true) }), logger: silentLogger }, () => {})
const sqsFails = sqsHandler({ schema: z.object({ ok: z.literal(true) }), logger: silentLogger }, () => {})
const ddb = dynamodbHandler({ schema: z.unknown(), logger: silentLogger }, () => {})

const hostile = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Infinity,
    -Infinity,
    1e300,
    -1e300,
    -1,
    0,
    0.5,
    2 ** 53,
    'x',
    '',
    '5',
    null,
    true,
    [],
    {},
    new Date(Number.NaN),
  ),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double(),
)
const STREAM_KEYS = [
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'ParallelizationFactor',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'TumblingWindowInSeconds',
  'StartingPositionTimestamp',
  'timeoutSeconds',
  'retentionHours',
  'maxInvocations',
  'seed',
  'shards',
  'durationMs',
  'start',
]
const SQS_KEYS = [
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'visibilityTimeoutSeconds',
  'maxReceiveCount',
  'timeoutSeconds',
  'maxInvocations',
  'seed',
  'durationMs',
  'start',
]

/** Runs `run`, which must end within `ms` by returning or by throwing a ConfigurationError. */
async function endsOrRefused(run: () => Promise<unknown>): Promise<'ran' | 'refused'> {
  const started = Date.now()
  try {
    await run()
    return 'ran'
  } catch (e) {
    if (!(e instanceof ConfigurationError)) throw e
    return 'refused'
  } finally {
    expect(Date.now() - started).toBeLessThan(5_000)
  }
}

describe('simulate() on hostile inputs: ConfigurationError at once, or a run that ends', () => {
  it('every numeric setting of a Kinesis simulation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...STREAM_KEYS), hostile, async (key, value) => {
        const options = {
          source: 'kinesis' as const,
          records: [{ data: { ok: false } }, { data: { ok: true }, at: 5 }],
          MaximumRetryAttempts: 2,
          maxInvocations: 1000,
          ...(key === 'StartingPositionTimestamp' ? { StartingPosition: 'AT_TIMESTAMP' as const } : {}),
          [key]: value,
        }
        await endsOrRefused(() => simulate(fails, options as never))
      }),
      { numRuns: 150 },
    )
  })

  it('every numeric setting of an SQS simulation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SQS_KEYS), hostile, async (key, value) => {
        const options = { source: 'sqs', records: [{ body: { ok: false } }], maxReceiveCount: 3, maxInvocations: 1000, [key]: value }
        await endsOrRefused(() => simulate(sqsFails, options as never))
      }),
      { numRuns: 120 },
    )
  })

  it('hostile records and arrival times in every source', async () => {
    const record = fc.oneof(
      fc.constantFrom(null, 1, 'x', [], {}),
      hostile.map((at) => ({ data: { ok: true }, at })),
      hostile.map((at) => ({ body: 'b', at })),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('kinesis', 'sqs', 'dynamodb'), fc.array(record, { maxLength: 3 }), async (source, records) => {
        const handler = source === 'kinesis' ? fails : source === 'sqs' ? sqsFails : ddb
        await endsOrRefused(() =>
          simulate(
            handler as never,
            { source, records, maxInvocations: 500, MaximumRetryAttempts: source === 'sqs' ? undefined : 1 } as never,
          ),
        )
      }),
      { numRuns: 120 },
    )
  })

  it('a retryDelayMs that gives anything', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (delay) => {
        await endsOrRefused(() =>
          simulate(fails, {
            source: 'kinesis',
            records: [{ data: { ok: false } }],
            MaximumRetryAttempts: 3,
            retryDelayMs: () => delay as number,
          }),
        )
      }),
      { numRuns: 60 },
    )
  })
})

describe('simulate() names the input it refuses (issue 25)', () => {
  const poison = [{ data: { ok: false } }]
  it.each([Number.NaN, Infinity, 'x', 0, -1, 1.5])('maxInvocations %s is refused before any invocation', async (maxInvocations) => {
    let calls = 0
    const counting = (event: KinesisStreamEvent, context: Context) => {
      calls++
      return fails(event, context)
    }
    await expect(simulate(counting, { source: 'kinesis', records: poison, maxInvocations: maxInvocations as number })).rejects.toThrow(
      /`maxInvocations` must be a whole number/,
    )
    await expect(
      simulate(sqsFails, { source: 'sqs', records: [{ body: '{}' }], maxInvocations: maxInvocations as number }),
    ).rejects.toThrow(/`maxInvocations` must be a whole number/)
    expect(calls).toBe(0)
  })

  it.each([
    ['an invalid start', { start: new Date('nope') }, /`start` must be a valid Date/],
    ['a string start', { start: '2026-01-01' }, /`start` must be a valid Date/],
    ['a put at 1e300', { records: [{ data: 1, at: 1e300 }] }, /records\[0\]\.at .* past the latest time a Date holds/],
    ['a put at NaN', { records: [{ data: 1, at: Number.NaN }] }, /records\[0\]\.at must be a number/],
    ['retryDelayMs giving NaN', { MaximumRetryAttempts: 2, retryDelayMs: () => Number.NaN }, /`retryDelayMs\(1\)` must give a number/],
    ['retryDelayMs giving Infinity', { MaximumRetryAttempts: 2, retryDelayMs: () => Infinity }, /`retryDelayMs\(1\)` must give/],
  ])('%s: a ConfigurationError naming it', async (_, extra, message) => {
    const run = simulate(fails, { source: 'kinesis', records: poison, ...extra } as never)
    await expect(run).rejects.toBeInstanceOf(ConfigurationError)
    await expect(simulate(fails, { source: 'kinesis', records: poison, ...extra } as never)).rejects.toThrow(message)
  })

  it('an SQS message at NaN, or a built one with no SentTimestamp, is refused naming it', async () => {
    await expect(simulate(sqsFails, { source: 'sqs', records: [{ body: 'b', at: Number.NaN }] })).rejects.toThrow(
      /records\[0\]\.at must be a number/,
    )
    const built = sqsEvent([{ ok: true }]).Records.map((r) => ({ ...r, attributes: { ...r.attributes, SentTimestamp: 'soon' } }))
    await expect(simulate(sqsFails, { source: 'sqs', records: built })).rejects.toThrow(/records\[0\]\.attributes\.SentTimestamp/)
  })

  it('a clean run cut short by maxInvocations does not say it was retrying', async () => {
    const ok = kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
    const records = [{ data: 1 }, { data: 2, at: 1000 }]
    const run = simulate(ok, { source: 'kinesis', records, maxInvocations: 1 })
    await expect(run).rejects.toThrow(/records still to deliver/)
    await expect(simulate(ok, { source: 'kinesis', records, maxInvocations: 1 })).rejects.not.toThrow(/retrying/)
    const sqsOk = sqsHandler({ schema: z.unknown(), logger: silentLogger }, () => {})
    await expect(
      simulate(sqsOk, { source: 'sqs', records: [{ body: '1' }, { body: '2', at: 60_000 }], maxInvocations: 1 }),
    ).rejects.toThrow(/messages still to deliver/)
  })

  it.each([1e13, 1e300, -1e13, Number.NaN])(
    'a built record whose arrival time is %s seconds is refused naming its sequence number',
    async (seconds) => {
      const d = dynamodbEvent([insert({ id: '1' })], { keys: ['id'] }).Records
      const badD = d.map((r) => ({ ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: seconds } }))
      const runD = simulate(ddb, { source: 'dynamodb', records: badD })
      await expect(runD).rejects.toBeInstanceOf(ConfigurationError)
      await expect(simulate(ddb, { source: 'dynamodb', records: badD })).rejects.toThrow(
        !Number.isNaN(seconds)
          ? new RegExp(`${d[0]?.dynamodb?.SequenceNumber}.*ApproximateCreationDateTime`)
          : /records\[0\]: dynamodb\.ApproximateCreationDateTime/,
      )
      const k = kinesisEvent([1]).Records
      const badK = k.map((r) => ({ ...r, kinesis: { ...r.kinesis, approximateArrivalTimestamp: seconds } }))
      await expect(simulate(fails, { source: 'kinesis', records: badK })).rejects.toThrow(
        new RegExp(`${k[0]?.kinesis.sequenceNumber}.*approximateArrivalTimestamp`),
      )
    },
  )

  it('DynamoDB and Kinesis built events run as before', async () => {
    const report = await simulate(ddb, { source: 'dynamodb', records: dynamodbEvent([insert({ id: '1' })], { keys: ['id'] }) })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
    const k = await simulate(
      kinesisHandler({ schema: z.unknown(), logger: silentLogger }, () => {}),
      { source: 'kinesis', records: kinesisEvent([1, 2]) },
    )
    expect(k.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded'])
  })
})
