import type { DynamoDBStreamEvent } from 'aws-lambda'
import { expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, silentLogger } from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { dynamodbEvent, insert, modify, sampleEvents } from 'lambda-stream-handlers/testing'

const Order = z.object({ orderId: z.string(), total: z.number() })

it('dynamodbHandler through the stream rules: order per item key under ParallelizationFactor (fact 27), the poison change isolated by bisect (fact 37)', async () => {
  const seen: string[] = []
  const handler = dynamodbHandler({ schema: Order, logger: silentLogger }, (change) => {
    if (change.eventName !== 'REMOVE' && change.newImage.total < 0) throw new Error('negative total')
    if (change.eventName !== 'REMOVE') seen.push(`${change.newImage.orderId}:${change.newImage.total}`)
  })
  const o = (orderId: string, total: number) => ({ orderId, total })
  const event = dynamodbEvent(
    [
      insert(o('a', 1)),
      insert(o('b', 1)),
      modify(o('a', 1), o('a', 2)),
      modify(o('b', 1), o('b', -1)),
      modify(o('a', 2), o('a', 3)),
      insert(o('c', 1)),
    ],
    { schema: Order, keys: ['orderId'], createdAt: new Date('2026-01-01T00:00:00Z') },
  )
  const report = await simulate(handler, {
    source: 'dynamodb',
    records: event,
    BatchSize: 10,
    ParallelizationFactor: 2,
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: 0,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  })
  const fateOf = new Map(report.outcomes.map((r) => [r.id, r.fate]))
  const poison = event.Records[3]!.dynamodb!.SequenceNumber!
  expect(fateOf.get(poison)).toBe('discarded')
  expect(report.outcomes.filter((r) => r.fate === 'succeeded')).toHaveLength(5)
  expect(report.failureDestination[0]!.DDBStreamBatchInfo).toMatchObject({
    startSequenceNumber: poison,
    endSequenceNumber: poison,
    batchSize: 1,
  })
  // Item a's changes reached the function in order, whatever the lanes did.
  expect(seen.filter((s) => s.startsWith('a:'))).toEqual(['a:1', 'a:2', 'a:3'])
  for (const inv of report.invocations) {
    const keys = (inv.event as DynamoDBStreamEvent).Records.map((r) => r.dynamodb!.Keys!.orderId!.S)
    expect(keys.every((k) => k !== undefined)).toBe(true)
  }
})

it('records without ApproximateCreationDateTime (as in AWS sample events) reach the stream when the simulation starts, not in 1970', async () => {
  const calls: number[] = []
  const handler = (event: DynamoDBStreamEvent) => void calls.push(event.Records.length)
  const start = new Date('2026-01-01T00:00:00Z')
  const started = await simulate(handler, { source: 'dynamodb', records: sampleEvents.dynamodb(), start })
  expect(started.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  expect(calls).toEqual([3])
  const unstarted = await simulate(handler, { source: 'dynamodb', records: sampleEvents.dynamodb() })
  expect(unstarted.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  expect(new Date(unstarted.endedAt).getUTCFullYear()).toBeGreaterThan(2000)
})
