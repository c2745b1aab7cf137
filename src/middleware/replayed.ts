/**
 * How the `metrics` middleware learns that `idempotent` handed back a stored result instead of
 * running a record: a count per invocation, found by its Lambda context. Kept on `globalThis`
 * under a `Symbol.for` key, so that an ESM and a CommonJS copy of the package share it. No
 * per-record work and no async context tracking: `metrics` opens a count around a batch,
 * `idempotent` adds to the count of its record's context, if one is open.
 *
 * @internal
 */
interface Registry {
  readonly byContext: WeakMap<object, { replayed: number }>
  /** The batch run without a context (tests, tools), if one is running. */
  withoutContext: { replayed: number } | undefined
}

const KEY = Symbol.for('lambda-stream-handlers.replays')
const global = globalThis as { [KEY]?: Registry }
const registry: Registry = global[KEY] ?? (global[KEY] = { byContext: new WeakMap(), withoutContext: undefined })

/** Counts the replays of the records of the invocation with this context until `stop()`. */
export function watchReplays(context: object | undefined): { readonly counts: { replayed: number }; stop(): void } {
  const counts = { replayed: 0 }
  if (context === undefined) registry.withoutContext = counts
  else registry.byContext.set(context, counts)
  return {
    counts,
    stop() {
      if (context === undefined) {
        if (registry.withoutContext === counts) registry.withoutContext = undefined
      } else if (registry.byContext.get(context) === counts) registry.byContext.delete(context)
    },
  }
}

/** A record of the invocation with this context was not run: its stored result was handed back. */
export function replayed(context: object | undefined): void {
  const counts = context === undefined ? registry.withoutContext : registry.byContext.get(context)
  if (counts !== undefined) counts.replayed++
}
