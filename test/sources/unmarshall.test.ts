import { describe, expect, it } from 'vitest'
import { AttributeValueError, unmarshallImage } from 'lambda-stream-handlers'

const fails = (image: unknown, options?: Parameters<typeof unmarshallImage>[1]): { path: string; message: string } => {
  try {
    unmarshallImage(image, options)
  } catch (e) {
    expect(e).toBeInstanceOf(AttributeValueError)
    return { path: (e as AttributeValueError).path, message: (e as AttributeValueError).message }
  }
  throw new Error('expected an AttributeValueError')
}

describe('unmarshallImage', () => {
  it('converts every AttributeValue type', () => {
    const image = {
      s: { S: 'text' },
      n: { N: '-12.75' },
      b: { B: 'AAEC/w==' },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '1.5', '12345678901234567890'] },
      bs: { BS: ['AQ==', 'AgM='] },
      m: { M: { inner: { L: [{ NULL: true }, { BOOL: false }] } } },
      l: { L: [] },
      nul: { NULL: true },
      bool: { BOOL: true },
      empty: { SS: [] },
    }
    expect(unmarshallImage(image)).toEqual({
      s: 'text',
      n: -12.75,
      b: new Uint8Array([0, 1, 2, 255]),
      ss: new Set(['a', 'b']),
      ns: new Set([1, 1.5, 12345678901234567890n]),
      bs: new Set([new Uint8Array([1]), new Uint8Array([2, 3])]),
      m: { inner: [null, false] },
      l: [],
      nul: null,
      bool: true,
      empty: new Set(),
    })
  })

  it('gives binary as a plain Uint8Array with a buffer of its own (not a view into a shared pool)', () => {
    const b = unmarshallImage({ b: { B: 'AAEC' } }).b as Uint8Array
    expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype)
    expect(b.buffer.byteLength).toBe(3)
  })

  it('keeps numbers exact: number when a double holds them, bigint or text or a failure otherwise', () => {
    const n = (text: string, unsafeNumbers?: 'bigint' | 'string' | 'fail') =>
      unmarshallImage({ x: { N: text } }, unsafeNumbers === undefined ? {} : { unsafeNumbers }).x
    expect(n('9007199254740991')).toBe(9007199254740991)
    expect(n('9007199254740992')).toBe(9007199254740992n) // 2^53 itself: the next integer would round to it
    expect(n('-9007199254740993')).toBe(-9007199254740993n)
    expect(n('0.30000000000000004')).toBe(0.30000000000000004) // 17 digits a double gives back
    expect(n('1E-130')).toBe(1e-130)
    expect(n('00012.5000')).toBe(12.5)
    expect(n('-0')).toBe(-0)
    expect(n('123456789012345678901234567890', 'string')).toBe('123456789012345678901234567890')
    expect(n('12', 'fail')).toBe(12)
    expect(fails({ x: { N: '9007199254740993' } }, { unsafeNumbers: 'fail' }).message).toBe(
      "x is a number that is an integer beyond ±(2^53 − 1), which a JavaScript number cannot hold exactly; set `unsafeNumbers: 'bigint'` or `'string'` to receive it.",
    )
    expect(fails({ x: { NS: ['1', '0.12345678901234567891'] } }).message).toMatch(/^x has NS\[1\], a number that has 20 significant digits/)
    expect(fails({ x: { N: '1e200' } }).message).toBe(
      'x has an N outside what DynamoDB stores (38 significant digits, magnitudes from 1E-130 to under 1E+126).',
    )
    expect(fails({ x: { N: ' 1' } }).message).toBe('x has an N that is not a decimal number.')
    expect(fails({ x: { N: '0x10' } }).message).toBe('x has an N that is not a decimal number.')
    expect(fails({ x: { N: 'Infinity' } }).message).toBe('x has an N that is not a decimal number.')
  })

  it('names the path of a malformed value, through maps and lists', () => {
    expect(fails({ a: { L: [{ L: [{ S: 'x' }, { M: { b: { NULL: false } } }] }] } })).toEqual({
      path: 'a[0][1].b',
      message: 'a[0][1].b has NULL that is not true; NULL is always true.',
    })
    expect(fails({ a: { M: { c: { BOOL: 'yes' } } } }).message).toBe('a.c has BOOL that is a string; BOOL must be true or false.')
    expect(fails({ a: ['S'] }).message).toBe(
      'a is an array, not an AttributeValue (an object with one of S, N, B, SS, NS, BS, M, L, NULL or BOOL).',
    )
    expect(fails({ a: { B: 'AAE' } }).message).toBe('a has B that is not valid base64.')
    expect(fails({ a: { BS: ['AA==', 7] } }).message).toBe('a has BS[1] that is a number; binary travels as a base64 string.')
    expect(fails({ a: { L: { S: 'x' } } }).message).toBe('a has L that is an object; L must be an array.')
    expect(fails('image')).toEqual({
      path: '',
      message: 'The value is a string, not an image (an object of attribute names to AttributeValues).',
    })
  })
})
