// Data and patterns nested deeper than filtering can evaluate: the record does not match, with a
// reason in the simulator's report; a pattern is refused with a ConfigurationError. Never a RangeError.
import type { DynamoDBRecord, SQSRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import {
  compileFilter,
  ConfigurationError,
  InvalidFilterPatternError,
  kinesisFilter,
  kinesisHandler,
  matchesFilter,
  silentLogger,
  sqsFilter,
} from 'lambda-stream-handlers'
import { simulate } from 'lambda-stream-handlers/local'
import { kinesisEvent, raw, sqsEvent } from 'lambda-stream-handlers/testing'

const arrays = (levels: number, leaf = '1'): string => `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`
const objects = (levels: number, leaf = '1'): string => `${'{"a":'.repeat(levels)}${leaf}${'}'.repeat(levels)}`
const criteria = (...patterns: object[]) => ({ Filters: patterns.map((p) => ({ Pattern: JSON.stringify(p) })) })
const kinesis = (text: string) => kinesisEvent([raw(text)]).Records[0]!
const sqs = (body: string): SQSRecord => sqsEvent([raw(body)]).Records[0]!

describe('data nested deeper than 1,000 levels does not match, and nothing throws', () => {
  // 1,000 levels below the top: `{"a": [[...]]}` with the arrays inside the object.
  const patterns = [{ a: ['x'] }, { a: [1] }, { a: [{ exists: true }] }, { a: [{ 'anything-but': ['y'] }] }, { a: [{ numeric: ['>', 0] }] }]

  it.each([100_000, 1_001])('Kinesis data with %i levels of arrays', (levels) => {
    const record = kinesis(`{"a": ${arrays(levels - 1)}}`)
    for (const pattern of patterns) {
      expect(matchesFilter(criteria({ data: pattern }), record)).toBe(false)
      expect(compileFilter(criteria({ data: pattern }), 'kinesis')(record)).toBe(false)
    }
  })

  it('1,000 levels are evaluated as usual', () => {
    const record = kinesis(`{"a": ${arrays(999)}}`)
    expect(matchesFilter(criteria({ data: { a: [1] } }), record)).toBe(true)
    expect(matchesFilter(criteria({ data: { a: [{ exists: true }] } }), record)).toBe(true)
    expect(matchesFilter(criteria({ data: { a: [2] } }), record)).toBe(false)
  })

  it('Kinesis data with 100,000 levels of objects, below a field the pattern does not read', () => {
    const record = kinesis(`{"kind": "x", "deep": ${objects(100_000)}}`)
    expect(matchesFilter(criteria({ data: { kind: ['x'] } }), record)).toBe(false)
  })

  it('SQS body: a JSON pattern does not match; the body is read as text, as a body that is not JSON is', () => {
    const body = `{"a": ${arrays(100_000)}}`
    expect(matchesFilter(criteria({ body: { a: [1] } }), sqs(body))).toBe(false)
    expect(matchesFilter({ Filters: [{ Pattern: '{"body": [{"prefix": "{\\"a\\": [[["}]}' }] }, sqs(body))).toBe(true)
  })

  it('a DynamoDB record (or any record field) holding 100,000 levels of arrays', () => {
    let deep: unknown = 1
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const record = { eventSource: 'aws:dynamodb', eventName: deep, dynamodb: { NewImage: { a: deep } } } as unknown as DynamoDBRecord
    expect(matchesFilter(criteria({ eventName: ['INSERT'] }), record)).toBe(false)
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { a: [1] } } }), record)).toBe(false)
  })

  it('simulate: the record ends `filtered`, and its report says why; the others run', async () => {
    const Order = z.object({ total: z.number() })
    const seen: number[] = []
    const handler = kinesisHandler({ schema: Order, logger: silentLogger }, (o) => void seen.push(o.total))
    const event = kinesisEvent([{ total: 150 }, raw(`{"total": 200, "items": ${arrays(100_000)}}`), { total: 300 }], { schema: Order })
    const report = await simulate(handler, {
      source: 'kinesis',
      records: event,
      FilterCriteria: kinesisFilter(Order, { data: { total: [{ numeric: ['>=', 100] }] } }),
    })
    expect(seen).toEqual([150, 300])
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered', 'succeeded'])
    expect(report.outcomes[1]!.filteredBecause).toMatch(/^The data is nested more than 1000 levels deep/)
    expect(report.outcomes[0]!.filteredBecause).toBeUndefined()
  })

  it('simulate on SQS: the same', async () => {
    const handler = (): void => {}
    const report = await simulate(handler, {
      source: 'sqs',
      records: [{ body: '{"kind": "a"}' }, { body: `{"kind": "a", "x": ${arrays(100_000)}}` }],
      FilterCriteria: sqsFilter(z.object({ kind: z.string() }), { body: { kind: ['a'] } }),
    })
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'filtered'])
    expect(report.outcomes[1]!.filteredBecause).toMatch(/^The body is nested more than 1000 levels deep/)
  })
})

describe('hostile patterns are refused with a ConfigurationError that says why', () => {
  it('InvalidFilterPatternError is a ConfigurationError', () => {
    expect(() => compileFilter({ Filters: [{ Pattern: '{"data": {"a": "x"}}' }] }, 'kinesis')).toThrow(ConfigurationError)
  })

  it('a pattern of 4,000 nested arrays', () => {
    const error = (() => {
      try {
        compileFilter({ Filters: [{ Pattern: `{"data": {"a": ${arrays(2000)}}}` }] }, 'kinesis')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(InvalidFilterPatternError)
    expect((error as Error).message).toBe(
      'Invalid filter pattern definition. Filters[0] at data.a: a rule inside a rule array cannot be an array.',
    )
  })

  it('a pattern too long, however it is nested', () => {
    expect(() => compileFilter({ Filters: [{ Pattern: objects(100_000) }] }, 'kinesis')).toThrow(
      /Filters\[0\]: Pattern is 600001 characters; the limit is 4096/,
    )
  })

  it('a typed pattern object 100,000 levels deep, or one that refers back to itself', () => {
    let deep: Record<string, unknown> = { a: ['x'] }
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const Any = z.object({})
    expect(() => kinesisFilter(Any, { data: deep } as never)).toThrow(ConfigurationError)
    expect(() => kinesisFilter(Any, { data: deep } as never)).toThrow(
      /^Invalid filter pattern definition\. Filters\[0\]: the pattern cannot be written as JSON: it is nested too deeply/,
    )
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => kinesisFilter(Any, { data: cyclic } as never)).toThrow(
      /^Invalid filter pattern definition\. Filters\[0\]: the pattern cannot be written as JSON: /,
    )
  })
})
