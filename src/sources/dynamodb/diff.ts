import type { ImageDiff } from './types.js'

/**
 * How deep {@link sameValue} goes: unmarshalled images stop at 32 levels, so only a schema's
 * output (a transform that nests, or a cycle) gets here, and it gets an error rather than a stack overflow.
 */
const MAX_COMPARE_DEPTH = 256

/** Deep equality for unmarshalled and schema-validated values. */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true
  if (depth > MAX_COMPARE_DEPTH) {
    throw new Error(
      `change.diff() compares values nested more than ${MAX_COMPARE_DEPTH} levels deep (does the schema's output hold a cycle?).`,
    )
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (a instanceof Uint8Array) {
    const y = b as Uint8Array
    if (a.length !== y.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== y[i]) return false
    return true
  }
  if (Array.isArray(a)) {
    const y = b as unknown[]
    return a.length === y.length && a.every((x, i) => sameValue(x, y[i], depth + 1))
  }
  if (a instanceof Set) {
    const y = b as Set<unknown>
    if (a.size !== y.size) return false
    for (const x of a) {
      if (y.has(x)) continue
      if (typeof x !== 'object' || x === null) return false
      let found = false
      for (const z of y) if (sameValue(x, z, depth + 1)) found = true
      if (!found) return false
    }
    return true
  }
  if (a instanceof Map) {
    const y = b as Map<unknown, unknown>
    if (a.size !== y.size) return false
    for (const [k, v] of a) if (!y.has(k) || !sameValue(v, y.get(k), depth + 1)) return false
    return true
  }
  if (a instanceof Date) return a.getTime() === (b as Date).getTime()
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  for (const k of ka)
    if (!Object.hasOwn(b, k) || !sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false
  return true
}

/** How a MODIFY changed the item's top-level attributes: see {@link ImageDiff}. */
export function diffImages<T>(oldImage: T, newImage: T): ImageDiff<T> {
  const before = (typeof oldImage === 'object' && oldImage !== null ? oldImage : {}) as Record<string, unknown>
  const after = (typeof newImage === 'object' && newImage !== null ? newImage : {}) as Record<string, unknown>
  const added: string[] = []
  const removed: string[] = []
  const changed: string[] = []
  for (const name of Object.keys(after)) {
    if (after[name] === undefined) continue
    if (before[name] === undefined || !Object.hasOwn(before, name)) added.push(name)
    else if (!sameValue(before[name], after[name])) changed.push(name)
  }
  for (const name of Object.keys(before)) {
    if (before[name] !== undefined && (after[name] === undefined || !Object.hasOwn(after, name))) removed.push(name)
  }
  const touched = new Set<string>([...added, ...removed, ...changed])
  const diff: ImageDiff<Record<string, unknown>> = { added, removed, changed, touches: (...names) => names.some((n) => touched.has(n)) }
  return diff as unknown as ImageDiff<T>
}
