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
 * when a pattern compares numbers by equality.
 */
export function parseKeepingNumberText(text: string): unknown {
  JSON.parse(text) // the rewritten text is only parsed once the original is known to be JSON
  const marked = text.replace(TOKENS, (token) => (token.charCodeAt(0) === 34 ? token : `{"${MARK_JSON}":"${token}"}`))
  return JSON.parse(marked, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const t = (value as Record<string, unknown>)[MARK]
      if (typeof t === 'string') return new JsonNumber(Number(t), t)
    }
    return value
  })
}
