import type { Context } from 'aws-lambda'
import type { RecordLogger } from '../engine/logger.js'
import { toError } from '../engine/outcome.js'
import type { RecordFilter } from '../filtering/filter.js'
import type { InvocationReport, MappingReport } from './report.js'
import type { StreamSettings } from './rules.js'
import { realCaller, requestIds, type Caller } from './invocation.js'
import { createStreamMapping, type StreamMapping } from './stream-mapping.js'
import { streamItem, type StreamSource } from './stream-rows.js'

/** A local run in progress. */
export interface LocalRun {
  /** Stops polling, waits for the running invocations, and resolves to the report. Records not settled are `pending`. */
  stop(): Promise<MappingReport>
  /** The report so far. */
  report(): MappingReport
  /**
   * Kinesis and DynamoDB Streams: resolves when every shard's last read came back empty, every
   * record read is settled and no invocation is running: the stream is drained (until more records
   * are written). SQS: when the pollers found the queue empty with nothing running; messages
   * waiting out a visibility timeout are invisible then, so they may still come back.
   */
  idle(): Promise<void>
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

/**
 * Polls one shard with its iterator until it is closed or the run stops: a backlog back to back,
 * then every `intervalMs` after an empty read. Read errors are logged and retried.
 */
export async function pollShard<R>(
  feed: ShardFeed<R>,
  shardId: string,
  iterator: string | undefined,
  read: (iterator: string) => Promise<ShardPage<R>>,
  o: { intervalMs: number; logger: RecordLogger; what: string },
): Promise<void> {
  while (iterator !== undefined && !feed.signal.aborted) {
    try {
      const page = await read(iterator)
      iterator = page.next
      if (page.records.length > 0) {
        feed.caughtUp(shardId, false)
        feed.add(shardId, page.records)
        continue // a backlog is read back to back (fact 17)
      }
      feed.caughtUp(shardId, true)
    } catch (e) {
      if (feed.signal.aborted) return
      o.logger.warn(`runLocal: ${o.what} on ${shardId} failed: ${toError(e).message}; trying again.`)
    }
    await sleep(o.intervalMs, feed.signal)
  }
  feed.caughtUp(shardId, true) // closed (no next iterator) or stopping
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
    shardIds: readonly string[]
    pollIntervalMs: number
    logger: RecordLogger
    signal?: AbortSignal | undefined
    onInvocation?: ((invocation: InvocationReport) => void) | undefined
    /** Starts reading the shards; resolves when they are all done (after the feed's signal aborts). */
    read(feed: ShardFeed<R>): Promise<unknown>
    /** Cleans up after the readers and invocations are done (e.g. deregisters a consumer). */
    cleanup?: () => Promise<void>
  },
): LocalRun {
  const s = o.settings
  const mapping = createStreamMapping(o.source, s, {
    functionArn: o.functionArn,
    timeoutMs: s.timeoutMs,
    nextRequestId: requestIds(Date.now()),
    ...(o.accept === undefined ? {} : { accept: o.accept }),
    // A window closes by time only once its shard's reader has caught up (see readerCaughtUp).
    readerCaughtUp: (shardId) => caughtUp.has(shardId),
  })
  const run: StreamRun<R> = {
    mapping,
    stopping: new AbortController(),
    running: new Set(),
    caughtUp: new Set(),
    idleWaiters: [],
    wake: () => {},
  }
  const kick = (): void => run.wake()
  const { stopping, running, caughtUp } = run
  const feed: ShardFeed<R> = {
    signal: stopping.signal,
    add: (shardId, records) => {
      mapping.add(records.map((r) => streamItem(o.source, r, shardId)))
      kick()
    },
    caughtUp: (shardId, yes) => {
      if (yes) caughtUp.add(shardId)
      else caughtUp.delete(shardId)
      kick()
    },
  }

  const readers = o.read(feed)
  const scheduler = schedule(run, o, realCaller(handler, s.timeoutMs))
  let stopped: Promise<MappingReport> | undefined
  const stop = (): Promise<MappingReport> =>
    (stopped ??= (async () => {
      stopping.abort()
      await Promise.all([readers, scheduler])
      while (running.size > 0) await Promise.all([...running])
      await o.cleanup?.()
      for (const w of run.idleWaiters.splice(0)) w()
      return mapping.report(Date.now(), true)
    })())
  o.signal?.addEventListener('abort', () => void stop(), { once: true })
  if (o.signal?.aborted === true) void stop()

  return {
    stop,
    report: () => mapping.report(Date.now(), true),
    idle: () =>
      new Promise<void>((resolve) => {
        run.idleWaiters.push(resolve)
        kick()
      }),
  }
}

/** A stream run on the real clock: the mapping, what is running, and the readers' progress. */
interface StreamRun<R> {
  readonly mapping: StreamMapping<R>
  readonly stopping: AbortController
  readonly running: Set<Promise<void>>
  /** Shards whose last read was empty (or that are closed): everything on them has been read. */
  readonly caughtUp: Set<string>
  idleWaiters: (() => void)[]
  /** Wakes the scheduler early: records came, or an invocation ended. */
  wake: () => void
}

/** Invokes the lanes that are due, then sleeps until the next one is or something changes, until the run stops. */
async function schedule<R>(
  run: StreamRun<R>,
  o: {
    shardIds: readonly string[]
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
          if (invocation !== undefined) o.onInvocation?.(invocation)
        })
        .catch((e: unknown) => o.logger.error(`runLocal: an invocation could not be run: ${toError(e).message}`))
        .finally(() => {
          running.delete(p)
          run.wake()
        })
      running.add(p)
    }
    if (running.size === 0 && o.shardIds.every((id) => run.caughtUp.has(id)) && mapping.settled()) {
      for (const w of run.idleWaiters.splice(0)) w()
    }
    await new Promise<void>((resolve) => {
      const delay = Math.max(0, Math.min(wake - Date.now(), o.pollIntervalMs))
      const t = setTimeout(done, delay)
      function done(): void {
        clearTimeout(t)
        stopping.signal.removeEventListener('abort', done)
        run.wake = () => {}
        resolve()
      }
      run.wake = done
      stopping.signal.addEventListener('abort', done)
    })
  }
}
