import fc from 'fast-check'
import { expect, it } from 'vitest'
import { compileFilter, InvalidFilterPatternError, type FilterSource, type RecordFilter } from 'lambda-stream-handlers'
import { kinesisEvent, raw } from 'lambda-stream-handlers/testing'

const sources: FilterSource[] = ['kinesis', 'dynamodb', 'sqs']
const operators = fc.oneof(
  fc.record({ prefix: fc.string() }),
  fc.record({ suffix: fc.string() }),
  fc.record({ 'equals-ignore-case': fc.string() }),
  fc.record({ 'anything-but': fc.oneof(fc.string(), fc.array(fc.oneof(fc.string(), fc.integer()))) }),
  fc.record({
    numeric: fc.oneof(
      fc.tuple(fc.constantFrom('=', '<', '>='), fc.double({ noNaN: true, noDefaultInfinity: true })),
      fc.array(fc.jsonValue(), { maxLength: 5 }),
    ),
  }),
  fc.record({ exists: fc.oneof(fc.boolean(), fc.jsonValue()) }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 }),
)
const rules = fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), operators), { maxLength: 4 })
const pattern: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.dictionary(
    fc.constantFrom('data', 'body', 'dynamodb', 'a', 'b', '$or', 'eventName'),
    fc.oneof({ depthSize: 'small' }, rules, tie('node'), fc.array(tie('node'), { maxLength: 3 }), fc.jsonValue()),
    { maxKeys: 3 },
  ),
})).node

it('compiling any pattern either succeeds or throws InvalidFilterPatternError', () => {
  fc.assert(
    fc.property(pattern, fc.constantFrom(...sources), (p, source) => {
      try {
        compileFilter({ Filters: [{ Pattern: JSON.stringify(p) }] }, source)
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidFilterPatternError)
      }
    }),
    { numRuns: 500 },
  )
})

it('a compiled filter answers true or false for any record, never throws', () => {
  fc.assert(
    fc.property(pattern, fc.jsonValue(), fc.string(), (p, value, text) => {
      let passes: RecordFilter
      try {
        passes = compileFilter({ Filters: [{ Pattern: JSON.stringify(p) }] }, 'kinesis')
      } catch {
        return
      }
      for (const record of kinesisEvent([value as never, raw(text)]).Records) expect(typeof passes(record)).toBe('boolean')
      const sqs = compileFilter({ Filters: [{ Pattern: JSON.stringify({ body: p }) }] }, 'sqs')
      for (const body of [JSON.stringify(value), text]) expect(typeof sqs({ eventSource: 'aws:sqs', body })).toBe('boolean')
      expect(typeof passes(value)).toBe('boolean')
    }),
    { numRuns: 500 },
  )
})
