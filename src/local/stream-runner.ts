import type { Context } from 'aws-lambda'
import type { RecordLogger } from '../engine/logger.js'
import { describeValue } from '../engine/options.js'
import { toError } from '../engine/outcome.js'
import type { RecordFilter } from '../filtering/filter.js'
import type { InvocationReport, MappingReport } from './report.js'
import type { StreamItem, StreamSettings } from './rules.js'
import { realCaller, requestIds, type Caller } from './invocation.js'
import { configError } from './settings.js'
import { createStreamMapping, STREAM_ASSUMPTIONS, type StreamMapping } from './stream-mapping.js'
import { streamItem, type StreamSource } from './stream-rows.js'

/** A local run in progress. */
export interface LocalRun {
  /** Stops polling, waits for the running invocations, and resolves to the report. Records not settled are `pending`. */
  stop(): Promise<MappingReport>
  /** The report so far. */
  report(): MappingReport
  /**
   * Resolves when the run has nothing left to do until more records are written. Kinesis and
   * DynamoDB Streams: every shard's last read came back empty (the children of a split shard
   * included), every record read is settled and no invocation is running. SQS: the pollers found
   * the queue empty, nothing is running, and every message received has settled: deleted, or moved
   * to the dead-letter queue (a failed message is waited for until it comes back).
   *
   * Rejects with an {@link IdleTimeoutError} saying what is still unsettled when that takes longer
   * than `timeoutMs` (default 60,000): with the default retry settings a batch that keeps failing
   * is retried until its records expire, so the run would otherwise never be idle. The run goes on;
   * `stop()` ends it.
   */
  idle(options?: IdleOptions): Promise<void>
}

/**
 * Options of {@link LocalRun.idle}.
 *
 * @example
 * ```ts
 * await run.idle({ timeoutMs: 30_000 })
 * ```
 */
export interface IdleOptions {
  /** How long to wait, in ms. Default 60,000. */
  readonly timeoutMs?: number
}

/** The function's name in a local run's ARNs and context when `functionName` is not given. */
export const DEFAULT_FUNCTION_NAME = 'local-function'

/** How long `idle()` waits by default. */
export const IDLE_TIMEOUT_MS = 60_000

/**
 * What {@link LocalRun.idle} rejects with when the run is still busy after its timeout: the
 * message says what is unsettled and the last failure, `unsettled` lists the records' ids.
 *
 * @example
 * ```ts
 * await run.idle({ timeoutMs: 30_000 })
 * if (e instanceof IdleTimeoutError) console.error(`not drained: ${e.unsettled.length} records unsettled`)
 * ```
 */
export class IdleTimeoutError extends Error {
  override readonly name = 'IdleTimeoutError'
  /** The ids of the records (or messages) not settled yet. */
  readonly unsettled: readonly string[]
  constructor(message: string, unsettled: readonly string[]) {
    super(message)
    this.unsettled = unsettled
  }
}

/**
 * Waits for `ready` to be called, or rejects after the timeout with what `busy()` says is still
 * going on. `ready` is registered with `wait`, which the run calls when it becomes idle.
 */
export function idleWithin(
  options: IdleOptions | undefined,
  wait: (ready: () => void) => () => void,
  busy: () => { what: string; unsettled: readonly string[] },
): Promise<void> {
  const timeoutMs = options?.timeoutMs ?? IDLE_TIMEOUT_MS
  return new Promise<void>((resolve, reject) => {
    if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0))
      configError('runLocal', `idle(): \`timeoutMs\` must be a number of milliseconds, 0 or more; received ${describeValue(timeoutMs)}.`)
    const timer = setTimeout(() => {
      cancel()
      const { what, unsettled } = busy()
      reject(new IdleTimeoutError(`runLocal: not idle after ${timeoutMs} ms: ${what}.`, unsettled))
    }, timeoutMs)
    const cancel = wait(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/** What every {@link runLocal} run takes besides its source, its server and its settings. */
export interface LocalRunHooks {
  /** Stops the run when aborted, as `stop()` does. */
  readonly signal?: AbortSignal
  /** Called after each invocation, for progress. */
  readonly onInvocation?: (invocation: InvocationReport) => void
  /** Where read errors are logged. Default: the default logger (JSON lines, at `LOG_LEVEL`). */
  readonly logger?: RecordLogger
}

/** Loads an AWS SDK client package only when a run needs it, saying how to install it when it is missing. */
export async function loadSdk<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (e) {
    throw new Error(`runLocal needs ${name}: npm install -D ${name}`, { cause: e })
  }
}

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })

/** What a shard reader gets from the run: where to put records, and how to say it has read everything. */
export interface ShardFeed<R> {
  readonly signal: AbortSignal
  /** Records read from a shard, in order. */
  add(shardId: string, records: readonly R[]): void
  /** Whether everything on the shard has been read (its last read was empty, or it is closed). */
  caughtUp(shardId: string, yes: boolean): void
}

/** One page of a polled shard: its records and the iterator for the next read (none once the shard is closed). */
export interface ShardPage<R> {
  readonly records: readonly R[]
  readonly next: string | undefined
}

/** A shard as the stream lists it. */
export interface ShardInfo {
  readonly shardId: string
  /** Its parent, and after a merge its adjacent parent too: both are read to their end before it. */
  readonly parents: readonly string[]
}

/** How a source lists and reads a stream's shards; the run follows their lineage (see `followLineage`). */
export interface ShardReader<R> {
  /** Every shard of the stream, closed ones included. */
  list(): Promise<readonly ShardInfo[]>
  /**
   * Reads a shard until it is closed and read to its end (resolves true; the run then marks it
   * caught up, once it is looking for its children) or the run stops (false).
   * `atStart`: the shard was listed when the run started, so reading begins at the mapping's
   * starting position; a shard found later (the child of a split) is read from its beginning.
   */
  read(feed: ShardFeed<R>, shardId: string, atStart: boolean): Promise<boolean>
}

/**
 * Polls one shard with its iterator until it is closed or the run stops: a backlog back to back,
 * then every `intervalMs` after an empty read. Read errors are logged and retried. Resolves true
 * when the shard is closed and read to its end (no next iterator).
 */
export async function pollShard<R>(
  feed: ShardFeed<R>,
  shardId: string,
  iterator: string | undefined,
  read: (iterator: string) => Promise<ShardPage<R>>,
  o: { intervalMs: number; logger: RecordLogger; what: string },
): Promise<boolean> {
  while (iterator !== undefined && !feed.signal.aborted) {
    try {
      const page = await read(iterator)
      iterator = page.next
      if (page.records.length > 0) {
        feed.caughtUp(shardId, false)
        feed.add(shardId, page.records)
        continue // a backlog is read back to back (fact 17)
      }
      if (iterator === undefined) break // closed: the run marks it read once its children are being looked for
      feed.caughtUp(shardId, true)
    } catch (e) {
      if (feed.signal.aborted) break
      o.logger.warn(`runLocal: ${o.what} on ${shardId} failed: ${toError(e).message}; trying again.`)
    }
    await sleep(o.intervalMs, feed.signal)
  }
  if (iterator !== undefined) feed.caughtUp(shardId, true) // stopping
  return iterator === undefined
}

/** A sleep that `wake()` ends early; one sleeper at a time. */
function alarm(signal: AbortSignal): { wake: () => void; sleep: (ms: number) => Promise<void> } {
  let wake = (): void => {}
  return {
    wake: () => wake(),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(0, ms))
        function done(): void {
          clearTimeout(t)
          signal.removeEventListener('abort', done)
          wake = () => {}
          resolve()
        }
        wake = done
        if (signal.aborted) done()
        else signal.addEventListener('abort', done)
      }),
  }
}

/**
 * Runs a stream event source mapping on the real clock: the shard readers feed the rules
 * (`createStreamMapping`, the same as `simulate`'s), a scheduler invokes the handler for the lanes
 * that are due, and `stop()` waits for everything it started.
 */
export function startStreamRun<R>(
  handler: (event: never, context: Context) => unknown,
  o: {
    source: StreamSource<R>
    settings: StreamSettings & { timeoutMs: number }
    functionArn: string
    accept?: RecordFilter
    /** The shards listed when the run started. */
    shards: readonly ShardInfo[]
    reader: ShardReader<R>
    pollIntervalMs: number
    logger: RecordLogger
    signal?: AbortSignal | undefined
    onInvocation?: ((invocation: InvocationReport) => void) | undefined
    /** When a record arrived, for its age and its window, if not the time it carries: read at `readAtMs`. */
    arrival?: (item: StreamItem<R>, readAtMs: number) => number
    /** What the report says besides the stream rules' assumptions. */
    assumptions?: readonly string[]
    /** The mapping's `DestinationConfig.OnFailure.Destination`: an S3 bucket gives the failure records' S3 form. */
    destination?: string | undefined
    /** Cleans up after the readers and invocations are done (e.g. deregisters a consumer). */
    cleanup?: () => Promise<void>
  },
): LocalRun {
  const s = o.settings
  const stopping = new AbortController()
  const mapping = createStreamMapping(o.source, s, {
    functionArn: o.functionArn,
    timeoutMs: s.timeoutMs,
    nextRequestId: requestIds(Date.now()),
    destination: o.destination,
    ...(o.accept === undefined ? {} : { accept: o.accept }),
    ...(o.assumptions === undefined ? {} : { assumptions: [...STREAM_ASSUMPTIONS, ...o.assumptions] }),
    // A window closes by time only once its shard's reader has caught up (see readerCaughtUp).
    readerCaughtUp: (shardId) => run.caughtUp.has(shardId),
  })
  const run: StreamRun<R> = {
    mapping,
    stopping,
    running: new Set(),
    caughtUp: new Set(),
    shards: new Set(),
    listing: 0,
    idleWaiters: new Set(),
    alarm: alarm(stopping.signal),
    lastError: undefined,
  }
  const kick = (): void => run.alarm.wake()
  const feed: ShardFeed<R> = {
    signal: stopping.signal,
    add: (shardId, records) => {
      const now = Date.now()
      mapping.add(
        records.map((r) => {
          const item = streamItem(o.source, r, shardId)
          return o.arrival === undefined ? item : { ...item, arrivalMs: o.arrival(item, now) }
        }),
      )
      kick()
    },
    caughtUp: (shardId, yes) => {
      if (yes) run.caughtUp.add(shardId)
      else run.caughtUp.delete(shardId)
      kick()
    },
  }

  const readers = followLineage(run, o.reader, o.shards, feed, o)
  const scheduler = schedule(run, o, realCaller(handler, s.timeoutMs))
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      stopping.abort()
      await Promise.all([readers, scheduler])
      while (run.running.size > 0) await Promise.all([...run.running])
      await o.cleanup?.()
      for (const w of [...run.idleWaiters]) w()
      return mapping.report(Date.now(), true)
    })())
  o.signal?.addEventListener('abort', () => void stop(), { once: true })
  if (o.signal?.aborted === true) void stop()

  return {
    stop,
    report: () => mapping.report(Date.now(), true),
    idle: (options) =>
      idleWithin(
        options,
        (ready) => {
          run.idleWaiters.add(ready)
          kick()
          return () => run.idleWaiters.delete(ready)
        },
        () => streamBusy(run),
      ),
  }
}

/** What keeps a stream run from being idle, for `idle()`'s timeout. */
function streamBusy<R>(run: StreamRun<R>): { what: string; unsettled: readonly string[] } {
  const unsettled = run.mapping
    .report(Date.now(), true)
    .outcomes.filter((r) => r.fate === 'pending')
    .map((r) => r.id)
  const behind = [...run.shards].filter((id) => !run.caughtUp.has(id))
  const parts = [
    `${unsettled.length} record${unsettled.length === 1 ? '' : 's'} not settled`,
    `${run.running.size} invocation${run.running.size === 1 ? '' : 's'} running`,
    ...(behind.length > 0 ? [`shards not read to their tip: ${behind.join(', ')}`] : []),
    ...(run.lastError === undefined ? [] : [`the last failed invocation: ${run.lastError}`]),
  ]
  return { what: parts.join('; '), unsettled }
}

/** A stream run on the real clock: the mapping, what is running, and the readers' progress. */
interface StreamRun<R> {
  readonly mapping: StreamMapping<R>
  readonly stopping: AbortController
  readonly running: Set<Promise<void>>
  /** Shards whose last read was empty (or that are closed): everything on them has been read. */
  readonly caughtUp: Set<string>
  /** Every shard known: the run is idle only when each has been read to its tip. */
  readonly shards: Set<string>
  /** Listings of the stream under way (after a shard closed): the run is not idle meanwhile. */
  listing: number
  readonly idleWaiters: Set<() => void>
  /** Wakes the scheduler early: records came, an invocation ended. */
  readonly alarm: ReturnType<typeof alarm>
  /** Why the last invocation failed, for `idle()`'s timeout. */
  lastError: string | undefined
}

// Facts 108 and 109: a shard closed by a split or merge has children, found by listing the stream
// again; a child is read once its parents are read to their end and their records settled, so a
// key's records stay in order across the split.
/** Reads the stream's shards as their lineage allows, listing the stream again whenever a shard closes. */
async function followLineage<R>(
  run: StreamRun<R>,
  reader: ShardReader<R>,
  atStart: readonly ShardInfo[],
  feed: ShardFeed<R>,
  o: { pollIntervalMs: number; logger: RecordLogger },
): Promise<void> {
  const parents = new Map<string, readonly string[]>()
  const initial = new Set(atStart.map((s) => s.shardId))
  const reading = new Map<string, Promise<void>>()
  const ended = new Set<string>() // read to their end
  const done = new Set<string>() // read to their end, every record settled
  const waker = alarm(feed.signal)
  const learn = (shards: readonly ShardInfo[]): void => {
    for (const shard of shards) {
      if (parents.has(shard.shardId)) continue
      parents.set(shard.shardId, shard.parents)
      run.shards.add(shard.shardId)
    }
  }
  learn(atStart)
  while (!feed.signal.aborted) {
    if (run.listing > 0) {
      const asked = run.listing // shards closing while the stream is listed are listed again after
      try {
        learn(await reader.list())
        run.listing -= asked
      } catch (e) {
        if (feed.signal.aborted) break
        o.logger.warn(`runLocal: listing the shards failed: ${toError(e).message}; trying again.`)
      }
    }
    if (ended.size > done.size) {
      const pending = new Set(
        run.mapping
          .report(Date.now(), true)
          .outcomes.filter((r) => r.fate === 'pending')
          .map((r) => r.shardId),
      )
      for (const id of ended) if (!pending.has(id)) done.add(id)
    }
    for (const [id, ps] of parents) {
      if (reading.has(id) || !ps.every((p) => !parents.has(p) || done.has(p))) continue
      const p = reader.read(feed, id, initial.has(id)).then(
        (closed) => {
          if (!closed) return
          ended.add(id)
          run.listing++ // its children are listed next; the run is not idle before
          feed.caughtUp(id, true)
          waker.wake()
        },
        (e: unknown) => o.logger.error(`runLocal: reading ${id} failed: ${toError(e).message}`),
      )
      reading.set(id, p)
    }
    await waker.sleep(o.pollIntervalMs)
  }
  await Promise.all(reading.values())
}

/** Invokes the lanes that are due, then sleeps until the next one is or something changes, until the run stops. */
async function schedule<R>(
  run: StreamRun<R>,
  o: {
    pollIntervalMs: number
    logger: RecordLogger
    onInvocation?: ((invocation: InvocationReport) => void) | undefined
  },
  call: Caller,
): Promise<void> {
  const { mapping, running, stopping } = run
  while (!stopping.signal.aborted) {
    const now = Date.now()
    const { lanes, wake } = mapping.due(now)
    for (const lane of lanes) {
      const p = mapping
        .run(lane, now, call, () => Date.now())
        .then((invocation) => {
          if (invocation === undefined) return
          if (invocation.error !== undefined) run.lastError = `${invocation.error.name}: ${invocation.error.message}`
          o.onInvocation?.(invocation)
        })
        .catch((e: unknown) => o.logger.error(`runLocal: an invocation could not be run: ${toError(e).message}`))
        .finally(() => {
          running.delete(p)
          run.alarm.wake()
        })
      running.add(p)
    }
    if (running.size === 0 && run.listing === 0 && [...run.shards].every((id) => run.caughtUp.has(id)) && mapping.settled()) {
      for (const w of [...run.idleWaiters]) w()
      run.idleWaiters.clear()
    }
    await run.alarm.sleep(Math.min(wake - Date.now(), o.pollIntervalMs))
  }
}
