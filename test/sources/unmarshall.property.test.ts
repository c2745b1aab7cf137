// The library's unmarshaller against @aws-sdk/util-dynamodb's `unmarshall` on random AttributeValues
// (fast-check). Equal results, apart from these documented differences:
//  1. Input form: Lambda events carry binary as base64 strings, which we decode to Uint8Array; the
//     SDK hands `unmarshall` Uint8Arrays. Each side gets its own form of the same value.
//  2. A decimal with more significant digits than a double keeps: util-dynamodb rounds it silently
//     (or throws, beyond 2^53); we fail with an AttributeValueError (default `unsafeNumbers: 'bigint'`).
//  3. An integer beyond 2^53 written with an exponent (`1e+21`): util-dynamodb throws (`BigInt()`
//     refuses the text); we give its exact bigint, the one util-dynamodb gives for the plain digits.
//  4. A `__proto__` attribute: util-dynamodb assigns it, which replaces the result's prototype; we
//     keep it as an own property (checked separately below).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { unmarshall } from '@aws-sdk/util-dynamodb'
import { AttributeValueError, unmarshallImage } from 'lambda-stream-handlers'

type Kind = 'exact' | 'inexact' | 'exp-int'
/**
 * Which kind of number the generators below made, read from its text: only String(double) writes
 * an exponent (`e+` for integers from 1e21 up), and only the inexact generator writes 18 or more
 * significant digits with a point.
 */
function kindOf(text: string): Kind {
  if (text.includes('e+')) return 'exp-int'
  const significant = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '')
  return !text.includes('e') && text.includes('.') && significant.length >= 18 ? 'inexact' : 'exact'
}

const digit = fc.integer({ min: 0, max: 9 })
const numberText = fc.oneof(
  fc.maxSafeInteger().map(String),
  fc
    .tuple(fc.integer({ min: -99_999_999, max: 99_999_999 }), fc.integer({ min: 0, max: 999_999 }))
    .map(([a, b]) => `${a}.${String(b).padStart(6, '0')}`),
  fc
    .double({ noNaN: true, noDefaultInfinity: true, min: -1e125, max: 1e125 })
    .filter((d) => d === 0 || Math.abs(d) >= 1e-129)
    .map(String),
  fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }).map(String),
  // 20 to 38 significant digits, the last one not zero, with a fraction: no double gives them back.
  fc
    .tuple(
      fc.integer({ min: 1, max: 9 }),
      fc.array(digit, { minLength: 18, maxLength: 35 }),
      fc.integer({ min: 1, max: 9 }),
      fc.nat(),
      fc.boolean(),
    )
    .map(([first, mid, last, at, negative]) => {
      const digits = `${first}${mid.join('')}${last}`
      const point = 1 + (at % (digits.length - 1))
      return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`
    }),
)

/** An AttributeValue in the SDK's form (binary as Uint8Array). */
type SdkAV = Record<string, unknown>

const avArb = (numbers: fc.Arbitrary<string>, key: fc.Arbitrary<string>) =>
  fc.letrec<{ av: SdkAV }>((tie) => ({
    av: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string().map((S) => ({ S })),
      numbers.map((N) => ({ N })),
      fc.uint8Array({ maxLength: 12 }).map((B) => ({ B })),
      fc.boolean().map((BOOL) => ({ BOOL })),
      fc.constant({ NULL: true }),
      fc.uniqueArray(fc.string(), { maxLength: 4 }).map((SS) => ({ SS })),
      fc.uniqueArray(numbers, { maxLength: 4 }).map((NS) => ({ NS })),
      fc.array(fc.uint8Array({ maxLength: 4 }), { maxLength: 3 }).map((BS) => ({ BS })),
      fc.array(tie('av'), { maxLength: 4 }).map((L) => ({ L })),
      fc.dictionary(key, tie('av'), { maxKeys: 4 }).map((M) => ({ M })),
    ),
  })).av

const anyKey = fc.string().filter((k) => k !== '__proto__')
const imageArb = fc.dictionary(anyKey, avArb(numberText, anyKey), { maxKeys: 8 })

/** The same value as Lambda delivers it: binary as base64. */
function toEventForm(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(toEventForm)
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, { value: toEventForm(v), enumerable: true, writable: true, configurable: true })
    return out
  }
  return value
}

/** Every number's text in an image (walked as AttributeValues: an attribute may be named "N"). */
function numbersIn(image: Record<string, SdkAV>): string[] {
  const out: string[] = []
  const av = (v: SdkAV): void => {
    if ('N' in v) out.push(v.N as string)
    if ('NS' in v) out.push(...(v.NS as string[]))
    if ('L' in v) (v.L as SdkAV[]).forEach(av)
    if ('M' in v) Object.values(v.M as Record<string, SdkAV>).forEach(av)
  }
  Object.values(image).forEach(av)
  return out
}

/** An exponent-form integer (`1.5e+21`) in plain digits. */
function plainDigits(text: string): string {
  const [mantissa, exp] = text.split('e') as [string, string]
  const negative = mantissa.startsWith('-')
  const [int, frac = ''] = mantissa.replace('-', '').split('.') as [string, string?]
  return `${negative ? '-' : ''}${int}${frac}${'0'.repeat(Number(exp) - frac.length)}`
}

/** The same image with exponent-form integers written as plain digits. */
function withPlainIntegers(image: Record<string, SdkAV>): Record<string, SdkAV> {
  const plain = (n: string): string => (kindOf(n) === 'exp-int' ? plainDigits(n) : n)
  const av = (v: SdkAV): SdkAV => {
    if ('N' in v) return { N: plain(v.N as string) }
    if ('NS' in v) return { NS: (v.NS as string[]).map(plain) }
    if ('L' in v) return { L: (v.L as SdkAV[]).map(av) }
    if ('M' in v) return { M: withPlainIntegers(v.M as Record<string, SdkAV>) }
    return v
  }
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, av(v)]))
}

describe('unmarshallImage against @aws-sdk/util-dynamodb unmarshall (fast-check)', () => {
  it('gives the same values, apart from the documented differences', () => {
    fc.assert(
      fc.property(imageArb, (image) => {
        const numbers = numbersIn(image)
        let ours: unknown
        try {
          ours = unmarshallImage(toEventForm(image))
        } catch (e) {
          // Difference 2, and only then: a number no double holds, named by its path.
          expect(e).toBeInstanceOf(AttributeValueError)
          expect((e as AttributeValueError).problem).toMatch(/significant digits, more than a JavaScript number keeps/)
          expect(numbers.some((n) => kindOf(n) === 'inexact')).toBe(true)
          return
        }
        expect(numbers.some((n) => kindOf(n) === 'inexact')).toBe(false)
        if (numbers.some((n) => kindOf(n) === 'exp-int')) {
          expect(() => unmarshall(image as never)).toThrow() // difference 3
          expect(ours).toEqual(unmarshall(withPlainIntegers(image) as never))
        } else {
          expect(ours).toEqual(unmarshall(image as never))
        }
      }),
      { numRuns: 400 },
    )
  })

  it("with unsafeNumbers: 'string', gives the text of exactly the numbers util-dynamodb cannot give exactly", () => {
    fc.assert(
      fc.property(fc.array(numberText, { minLength: 1, maxLength: 6 }), (texts) => {
        const image = Object.fromEntries(texts.map((N, i) => [`n${i}`, { N }]))
        const ours = unmarshallImage(image, { unsafeNumbers: 'string' })
        texts.forEach((text, i) => {
          const value = ours[`n${i}`]
          if (kindOf(text) === 'exact' && (typeof value === 'number' || typeof value === 'bigint')) {
            expect(value).toEqual(unmarshall({ x: { N: text } }).x)
          } else {
            expect(value).toBe(text) // an inexact decimal, or an integer beyond 2^53 kept as written
            expect(typeof value === 'string' && (kindOf(text) !== 'exact' || !Number.isSafeInteger(Number(text)))).toBe(true)
          }
        })
      }),
    )
  })

  // Difference 4: prototype safety, at any depth.
  it('keeps __proto__ and constructor attributes as own properties at any depth', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'a', 'toString')
    fc.assert(
      fc.property(fc.dictionary(key, avArb(fc.constant('1'), key), { maxKeys: 4 }), (image) => {
        const json = JSON.parse(JSON.stringify(toEventForm(image))) as unknown // JSON.parse makes __proto__ an own key
        // `av` is the AttributeValue `value` came from.
        const walk = (value: unknown, av: { M?: Record<string, unknown>; L?: unknown[] }): void => {
          if (av.M !== undefined) {
            expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
            expect(Object.keys(value as object)).toEqual(Object.keys(av.M))
            for (const k of Object.keys(av.M)) walk((value as Record<string, unknown>)[k], av.M[k] as object)
          }
          if (av.L !== undefined) for (const [i, item] of av.L.entries()) walk((value as unknown[])[i], item as object)
        }
        walk(unmarshallImage(json), { M: json as Record<string, unknown> })
        expect(({} as Record<string, unknown>).a).toBeUndefined()
      }),
    )
  })

  it('fails a malformed AttributeValue anywhere in an image with an AttributeValueError naming its path', () => {
    const name = fc.stringMatching(/^[a-z]{1,4}$/)
    const malformed = fc.constantFrom<unknown>(
      {},
      { S: 1 },
      { S: 'a', N: '1' },
      { N: 'abc' },
      { N: '' },
      { N: 'NaN' },
      { X: 1 },
      null,
      [],
      'S',
      { NULL: false },
      { B: '***' },
      { L: {} },
      { M: [] },
      { SS: [1] },
      { NS: ['1', 'x'] },
      { BOOL: 'true' },
    )
    fc.assert(
      fc.property(
        fc.dictionary(name, avArb(fc.maxSafeInteger().map(String), name), { minKeys: 1, maxKeys: 5 }),
        fc.nat(),
        malformed,
        (image, pick, bad) => {
          const json = toEventForm(image) as Record<string, unknown>
          // Every AttributeValue position, with the path the error should name.
          const slots: { path: string; set: (v: unknown) => void }[] = []
          const visit = (container: Record<string, unknown> | unknown[], key: string | number, path: string): void => {
            const av = (container as Record<string, unknown>)[key] as Record<string, unknown>
            slots.push({ path, set: (v) => ((container as Record<string, unknown>)[key] = v) })
            if (Array.isArray(av.L)) for (let i = 0; i < av.L.length; i++) visit(av.L as unknown[], i, `${path}[${i}]`)
            if (av.M !== undefined) for (const k of Object.keys(av.M as object)) visit(av.M as Record<string, unknown>, k, `${path}.${k}`)
          }
          for (const k of Object.keys(json)) visit(json, k, k)
          const slot = slots[pick % slots.length]!
          slot.set(bad)
          let error: unknown
          try {
            unmarshallImage(json)
          } catch (e) {
            error = e
          }
          expect(error).toBeInstanceOf(AttributeValueError)
          expect((error as AttributeValueError).path).toBe(slot.path)
          expect((error as AttributeValueError).message.startsWith(`${slot.path} `)).toBe(true)
        },
      ),
      { numRuns: 300 },
    )
  })
})
