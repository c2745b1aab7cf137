import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { silentLogger, sqsHandler, type SqsAttribute } from 'lambda-stream-handlers'
import { sqsEvent } from 'lambda-stream-handlers/testing'

const Msg = z.object({ i: z.number(), group: z.string(), fails: z.boolean() })
type Msg = z.infer<typeof Msg>

// Random batches of up to 10 messages (a FIFO batch holds at most 10) or 40 (standard), over a few groups.
const message = fc.record({
  group: fc.constantFrom('a', 'b', 'c', 'd'),
  fails: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
  slow: fc.boolean(),
})

async function run(list: { group: string; fails: boolean; slow: boolean }[], fifo: boolean, concurrency: number) {
  const started: number[] = []
  const handler = sqsHandler({ schema: Msg, logger: silentLogger, allFailed: 'report', concurrency }, async (m: Msg) => {
    started.push(m.i)
    if (list[m.i]!.slow) await new Promise((resolve) => setImmediate(resolve))
    if (m.fails) throw new Error(`message ${m.i}`)
  })
  const bodies = list.map((m, i) => ({ i, group: m.group, fails: m.fails }))
  const event = sqsEvent(bodies, fifo ? { schema: Msg, messageGroupId: (b) => (b as Msg).group } : { schema: Msg })
  const ids = event.Records.map((r) => r.messageId)
  const report = await handler.process(event)
  return { started, reported: report.batchItemFailures.map((f) => ids.indexOf(f.itemIdentifier)).sort((x, y) => x - y) }
}

// An oracle for "the same decimal number", independent of the library: exact, with bigints.
function sameDecimal(a: string, b: string): boolean {
  const exact = (t: string): [bigint, number] => {
    const [mantissa = '', exp = '0'] = t.toLowerCase().split('e')
    const [whole = '', fraction = ''] = mantissa.split('.')
    const digits = `${whole}${fraction}`
    return [BigInt(/\d/.test(digits) ? digits : '0'), Number(exp) - fraction.length]
  }
  const [ma, ea] = exact(a)
  const [mb, eb] = exact(b)
  return ea >= eb ? ma * 10n ** BigInt(ea - eb) === mb : mb * 10n ** BigInt(eb - ea) === ma
}

describe('sqsHandler properties (fast-check)', () => {
  it('FIFO: exactly the failed messages and every later message of their groups are reported; those later ones never start; order holds in each group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 4 }), async (list, concurrency) => {
        const { started, reported } = await run(list, true, concurrency)
        const firstFailure = new Map<string, number>()
        list.forEach((m, i) => {
          if (m.fails && !firstFailure.has(m.group)) firstFailure.set(m.group, i)
        })
        const expected = list.map((_, i) => i).filter((i) => (firstFailure.get(list[i]!.group) ?? Infinity) <= i)
        expect(reported).toEqual(expected)
        const expectedStarts = list.map((_, i) => i).filter((i) => (firstFailure.get(list[i]!.group) ?? Infinity) >= i)
        expect([...started].sort((x, y) => x - y)).toEqual(expectedStarts)
        for (const group of ['a', 'b', 'c', 'd']) {
          const order = started.filter((i) => list[i]!.group === group)
          expect(order).toEqual([...order].sort((x, y) => x - y))
        }
      }),
      { numRuns: 300 },
    )
  })

  it('standard: every message starts, and exactly the failed ones are reported', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 12 }), async (list, concurrency) => {
        const { started, reported } = await run(list, false, concurrency)
        expect([...started].sort((x, y) => x - y)).toEqual(list.map((_, i) => i))
        expect(reported).toEqual(list.map((_, i) => i).filter((i) => list[i]!.fails))
      }),
      { numRuns: 200 },
    )
  })

  it('Number attributes are never rounded: a number value prints back as sent, a bigint is the exact integer', async () => {
    let attrs: Readonly<Record<string, SqsAttribute>> = {}
    const handler = sqsHandler(z.unknown(), (_b, meta) => void (attrs = meta.attributes))
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
          fc.bigInt({ min: -(10n ** 38n), max: 10n ** 38n }).map(String),
          fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 38n }), fc.integer({ min: 1, max: 38 })).map(([digits, scale]) => {
            const s = digits.toString().padStart(scale + 1, '0')
            return `${s.slice(0, -scale)}.${s.slice(-scale)}`
          }),
        ),
        async (text) => {
          await handler(sqsEvent([{}], { messageAttributes: { n: { dataType: 'Number', value: text } } }))
          const a = attrs.n!
          expect(a).toMatchObject({ type: 'Number', text })
          if (a.type !== 'Number') return
          if (typeof a.value === 'number') expect(sameDecimal(String(a.value), text)).toBe(true)
          if (typeof a.value === 'bigint') expect(a.value).toBe(BigInt(text))
          if (typeof a.value === 'string') {
            expect(a.value).toBe(text)
            expect(sameDecimal(String(Number(text)), text)).toBe(false) // text only when a double cannot say it
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})
