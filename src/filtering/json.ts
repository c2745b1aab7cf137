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
  // The rewritten text is only parsed once the original is known to be JSON. The original's value
  // says which marked objects are numbers: data that spells the marker itself
  // (`{"\u0000lsh-number":"100"}`) is an object there, never a number, so it stays data.
  const original = { value: JSON.parse(text) as unknown }
  const marked = text.replace(TOKENS, (token) => (token.charCodeAt(0) === 34 ? token : `{"${MARK_JSON}":"${token}"}`))
  const root = { value: JSON.parse(marked) as unknown }
  const stack: [Record<string, unknown>, Record<string, unknown>][] = [[root, original]]
  for (let pair = stack.pop(); pair !== undefined; pair = stack.pop()) {
    const [parent, plain] = pair
    for (const key of Object.keys(parent)) {
      const value = parent[key]
      if (typeof value !== 'object' || value === null) continue
      const number = plain[key]
      if (typeof number !== 'number') stack.push([value as Record<string, unknown>, number as Record<string, unknown>])
      else {
        const t = (value as Record<string, string>)[MARK] as string
        // An own `__proto__` key (JSON.parse makes one) stays an own key: assigning it would set the prototype.
        if (key === '__proto__')
          Object.defineProperty(parent, key, { value: new JsonNumber(number, t), writable: true, enumerable: true, configurable: true })
        else parent[key] = new JsonNumber(number, t)
      }
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
