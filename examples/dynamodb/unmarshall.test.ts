import { expect, it } from 'vitest'
import { item, problemPath } from './unmarshall.js'

it('unmarshalls without rounding and names the path of a malformed value', () => {
  expect(item).toEqual({ id: 'a-1', views: 9007199254740993n, tags: new Set(['x']) })
  expect(problemPath({ total: { N: 'abc' } })).toBe('total')
  expect(problemPath({ total: { N: '1' } })).toBeUndefined()
})
