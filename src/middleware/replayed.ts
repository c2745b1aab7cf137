/**
 * The key under which the `metrics` middleware gives the middleware inside it a function to call
 * when a record was not run because its stored result was handed back (`idempotent` calls it).
 * `Symbol.for`, so that an ESM and a CJS copy of the package agree on it.
 *
 * @internal
 */
export const REPLAYED: unique symbol = Symbol.for('lambda-stream-handlers.replayed') as never
