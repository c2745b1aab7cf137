/**
 * A JSON number as it was written. Lambda compares numbers in equality rules by their text, so
 * `300`, `300.0` and `3.0e2` differ; `JSON.parse` would make them equal.
 */
export class JsonNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}

const MARK = '\u0000lsh-number'
const MARK_JSON = '\\u0000lsh-number' // the same key as JSON text (a raw NUL is not allowed in JSON)
// Outside strings, the only JSON tokens with digits or '-' are numbers; strings are skipped whole.
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g

/**
 * Parses JSON text keeping each number's text as a {@link JsonNumber}. Throws `SyntaxError` on
 * text that is not JSON. Slower than `JSON.parse`: used for patterns, and for record data only
 * when a pattern compares numbers by equality. No recursion, so deep text cannot overflow the stack.
 */
export function parseKeepingNumberText(text: string): unknown {
  JSON.parse(text) // the rewritten text is only parsed once the original is known to be JSON
  const marked = text.replace(TOKENS, (token) => (token.charCodeAt(0) === 34 ? token : `{"${MARK_JSON}":"${token}"}`))
  const root = { value: JSON.parse(marked) as unknown }
  const stack: Record<string, unknown>[] = [root]
  for (let parent = stack.pop(); parent !== undefined; parent = stack.pop()) {
    for (const key of Object.keys(parent)) {
      const value = parent[key]
      if (typeof value !== 'object' || value === null) continue
      const t = Array.isArray(value) ? undefined : (value as Record<string, unknown>)[MARK]
      if (typeof t !== 'string') stack.push(value as Record<string, unknown>)
      // An own `__proto__` key (JSON.parse makes one) stays an own key: assigning it would set the prototype.
      else if (key === '__proto__')
        Object.defineProperty(parent, key, { value: new JsonNumber(Number(t), t), writable: true, enumerable: true, configurable: true })
      else parent[key] = new JsonNumber(Number(t), t)
    }
  }
  return root.value
}

/** Whether a parsed JSON value holds objects or arrays nested more than `limit` levels deep; no recursion. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: object; depth: number }[] = typeof value === 'object' && value !== null ? [{ value, depth: 1 }] : []
  for (let at = stack.pop(); at !== undefined; at = stack.pop()) {
    if (at.depth > limit) return true
    for (const child of Object.values(at.value))
      if (typeof child === 'object' && child !== null && !(child instanceof JsonNumber)) stack.push({ value: child, depth: at.depth + 1 })
  }
  return false
}
