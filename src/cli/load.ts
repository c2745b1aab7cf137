/**
 * The user's handler, as `invoke` and `simulate` load and call it: a module that must finish
 * loading in bounded time, an export that must be the handler itself (not a factory, a class or an
 * inherited property), and any thrown value described safely, whatever its getters do.
 *
 * @module
 * @internal
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { UsageError } from './args.js'

/** A Lambda handler as the CLI calls it: `(event, context, callback)`. */
export type Handler = (event: unknown, context: unknown, callback?: (error?: unknown, result?: unknown) => void) => unknown

/** A loaded handler and the names to speak of it by. */
export interface Loaded {
  readonly handler: Handler
  /** The export's name, `handler` by default. */
  readonly name: string
  readonly file: string
}

/**
 * How long a module may take to load: 10 seconds, Lambda's limit for a function's initialisation
 * (a top-level `await` that never settles would otherwise leave the command waiting forever).
 */
export const INIT_SECONDS = 10

const LONGEST = 1000
const cut = (text: string): string => (text.length > LONGEST ? `${text.slice(0, LONGEST)}… (${text.length} characters)` : text)

function attempt<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** The name and message of a thrown value that has them as strings (read once, each in a try). */
export function errorParts(value: unknown): { name: string; message: string } | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined
  const name = attempt(() => (value as { name?: unknown }).name)
  const message = attempt(() => (value as { message?: unknown }).message)
  if (typeof message !== 'string') return undefined
  return { name: typeof name === 'string' && name !== '' ? cut(name) : 'Error', message: cut(message) }
}

/**
 * Any thrown value in words, without letting it run code that throws: an Error-like value as
 * `Name: message`; a string as itself; anything else by its type. Long texts are cut.
 */
export function describeThrown(value: unknown): string {
  if (value === null || value === undefined) return `${value} (not an Error)`
  if (typeof value === 'string') return cut(value)
  if (typeof value !== 'object' && typeof value !== 'function')
    return `${typeof value} ${cut(attempt(() => String(value)) ?? '?')} (not an Error)`
  const parts = errorParts(value)
  if (parts !== undefined) return `${parts.name}: ${parts.message}`
  const tag = (attempt(() => Object.prototype.toString.call(value)) ?? '[object Object]').slice(8, -1)
  return `${tag === 'Object' ? 'an object' : `a ${tag}`} (not an Error)`
}

/** Resolves `promise`, or throws `onTimeout()` after `seconds`. */
async function within<T>(promise: Promise<T>, seconds: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), seconds * 1000)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** The value of an own property, `undefined` when there is none or its getter throws (reported by the caller). */
function own(target: unknown, key: string): { found: boolean; value?: unknown; threw?: unknown } {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return { found: false }
  try {
    if (!Object.hasOwn(target, key)) return { found: false }
    return { found: true, value: (target as Record<string, unknown>)[key] }
  } catch (e) {
    return { found: true, threw: e }
  }
}

/** Why `value` cannot be called as a handler, or undefined when it can. */
function notAHandler(value: unknown): string | undefined {
  if (typeof value !== 'function') return `is not a function but ${describeType(value)}`
  const tag = attempt(() => Object.prototype.toString.call(value))
  if (tag === '[object GeneratorFunction]' || tag === '[object AsyncGeneratorFunction]') return 'is a generator function, not a handler'
  if (/^class\b/.test(attempt(() => Function.prototype.toString.call(value)) ?? ''))
    return 'is a class, not a handler: export the handler function'
  return undefined
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** Loads `<module>[#<export>]`: the module within {@link INIT_SECONDS}, and its own export, which must be a function. */
export async function loadHandler(spec: string | undefined): Promise<Loaded> {
  if (spec === undefined) throw new UsageError('name the handler as <module>#<export>, e.g. ./handler.ts#handler.')
  const hash = spec.lastIndexOf('#')
  const file = hash < 0 ? spec : spec.slice(0, hash)
  const name = hash < 0 ? 'handler' : spec.slice(hash + 1)
  if (file === '' || name === '')
    throw new UsageError(`name the handler as <module>#<export>, e.g. ./handler.ts#handler; received ${spec}.`)
  const path = resolve(file)
  if (/\.[cm]?tsx?$/.test(path) && !process.execArgv.some((a) => a.includes('tsx'))) {
    try {
      const api = (await import('tsx/esm/api' as string)) as { register: () => unknown }
      api.register()
    } catch {
      throw new UsageError(`${file} is TypeScript: install tsx (npm install -D tsx) or pass the compiled .js file.`)
    }
  }
  let mod: unknown
  try {
    mod = await within(
      import(pathToFileURL(path).href),
      INIT_SECONDS,
      () => new UsageError(`${file} did not finish loading in ${INIT_SECONDS} seconds, Lambda's limit for initialisation.`),
    )
  } catch (e) {
    if (e instanceof UsageError) throw e
    const code = attempt(() => (e as { code?: unknown } | null)?.code)
    const message = attempt(() => (e as { message?: unknown } | null)?.message)
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(path))
      throw new UsageError(`cannot find the module ${file}.`)
    throw new UsageError(`cannot load ${file}: it threw ${describeThrown(e)}`)
  }
  // Own exports only: `#constructor` or `#toString` must not find what every object inherits.
  let found = own(mod, name)
  if (!found.found) found = own(own(mod, 'default').value, name)
  if (found.threw !== undefined) throw new UsageError(`reading the export \`${name}\` of ${file} threw ${describeThrown(found.threw)}`)
  if (!found.found) {
    const exported = Object.keys(mod as object).filter((k) => typeof own(mod, k).value === 'function')
    throw new UsageError(`${file} has no exported function \`${name}\`; its functions are: ${exported.join(', ') || '(none)'}.`)
  }
  const why = notAHandler(found.value)
  if (why !== undefined) throw new UsageError(`the export \`${name}\` of ${file} ${why}.`)
  return { handler: found.value as Handler, name, file }
}

/** The message for an export that built a handler instead of being one. */
export const factoryMessage = (name: string, returned: 'a function' | 'nothing'): string =>
  `\`${name}\` looks like a factory: export the handler it builds. It returned ${returned} when called as a handler` +
  (returned === 'nothing' ? ' (a handler returns its response, or a promise of it).' : '.')

/** What a handler call came to: its response, what it threw, or a sign that it is a factory. */
export type Answer = { readonly response: unknown } | { readonly thrown: unknown } | { readonly factory: 'a function' | 'nothing' }

/**
 * Calls the handler as Lambda's Node.js runtime does: a promise is awaited; a handler that takes
 * a callback (three parameters) answers through it. One that returns a function, or returns
 * nothing at once without taking a callback, is a factory.
 */
export function callHandler(handler: Handler, event: unknown, context: unknown): Promise<Answer> {
  return new Promise<Answer>((settle) => {
    const callback = (error?: unknown, result?: unknown): void =>
      settle(error !== undefined && error !== null ? { thrown: error } : { response: result })
    let returned: unknown
    try {
      returned = handler(event, context, callback)
    } catch (e) {
      settle({ thrown: e })
      return
    }
    if (typeof returned === 'function') return settle({ factory: 'a function' })
    const then = attempt(() => (returned as { then?: unknown } | null)?.then)
    if (typeof then === 'function') {
      Promise.resolve(returned).then(
        (value) => settle(typeof value === 'function' ? { factory: 'a function' } : { response: value }),
        (e: unknown) => settle({ thrown: e }),
      )
      return
    }
    if (returned !== undefined) return settle({ response: returned })
    if ((attempt(() => handler.length) ?? 0) < 3) settle({ factory: 'nothing' })
    // Otherwise its callback answers.
  })
}
