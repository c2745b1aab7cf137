/**
 * `lambda-stream-handlers demo` (and `npm run demo`): a Kinesis stream and an idempotency table on
 * the laptop (kinesalite and dynalite, in this process, on 127.0.0.1), a stream of order events
 * with malformed records, poison records and duplicates, and the orders handler run by `runLocal`
 * with the settings a production mapping would have. Prints progress and a summary.
 *
 * @module
 * @internal
 */
import { writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RecordLogger } from '../engine/logger.js'
import type { MappingReport } from '../local/report.js'
import { runLocal } from '../local/run-local.js'
import { renderTimeline } from '../local/timeline.js'
import { ordersHandler, orderStream, windowTotalsHandler, type Ledger, type StreamMix, type WindowTotal } from './demo-orders.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** How many records the producer puts. Default 600. */
  readonly records?: number
  /** Where the story and the summary go. */
  readonly print: (line: string) => void
  /** Where progress goes (a line that rewrites itself on a terminal). */
  readonly progress?: (line: string, final: boolean) => void
  /** Stops the demo early (Ctrl-C). */
  readonly signal?: AbortSignal
}

/** The demo's numbers, as printed in its summary. */
export interface DemoSummary {
  readonly mix: StreamMix
  readonly shards: Record<string, number>
  readonly invocations: number
  readonly triggers: Record<'batch' | 'retry' | 'bisect' | 'remainder', number>
  readonly failedInvocations: number
  readonly succeeded: number
  readonly discarded: number
  readonly discardedWhy: Record<string, number>
  readonly discardedBehindFailure: number
  readonly failureRecords: number
  readonly redelivered: number
  readonly duplicatesSuppressed: number
  readonly charged: number
  readonly chargedTwice: number
  readonly pending: number
  /** The order-totals consumer: one entry per tumbling window and shard. */
  readonly windows: readonly {
    readonly shardId: string
    readonly start: string
    readonly orders: number
    readonly EUR: number
    readonly USD: number
  }[]
  /** Its records, by fate (all `succeeded` when every window closed). */
  readonly windowRecords: Record<string, number>
}

const STREAM = 'orders'
const TABLE = 'idempotency'
const SETTINGS = {
  BatchSize: 100,
  MaximumBatchingWindowInSeconds: 0,
  StartingPosition: 'TRIM_HORIZON',
  FunctionResponseTypes: ['ReportBatchItemFailures'],
  BisectBatchOnFunctionError: true,
  MaximumRetryAttempts: 2,
  timeoutSeconds: 30,
  functionName: 'orders',
} as const
// Lambda backs off 1 s, 2 s, 4 s… between retries; the demo waits 200 ms so that it ends in seconds.
const RETRY_DELAY_MS = 200
// The order-totals consumer's mapping: 1-second tumbling windows, closed 1 s after their end when
// no later record came (Lambda waits up to 2 minutes, fact 64).
const WINDOW_SETTINGS = {
  TumblingWindowInSeconds: 1,
  windowGraceSeconds: 1,
  BatchSize: 100,
  MaximumRetryAttempts: 2,
  StartingPosition: 'TRIM_HORIZON',
  timeoutSeconds: 30,
  functionName: 'order-totals',
} as const

type ServerFactory = (options: object) => Server

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()))

/** The reason the handler logged for each record it did not process, by sequence number. */
function reasonLogger(reasons: Map<string, string>): RecordLogger {
  const keep = (extra: unknown): void => {
    const x = extra as { recordId?: unknown; reason?: unknown; path?: unknown; error?: { message?: unknown } } | undefined
    if (typeof x?.recordId !== 'string') return
    if (x.reason === 'decode') reasons.set(x.recordId, 'not JSON')
    else if (x.reason === 'validation') reasons.set(x.recordId, `failed the schema at \`${String(x.path ?? '(root)')}\``)
    else if (x.error !== undefined) reasons.set(x.recordId, `the handler threw: ${String(x.error.message).replace(/o-\d+/, 'o-…')}`)
  }
  return { debug() {}, info() {}, warn: (_m, extra) => keep(extra), error: (_m, extra) => keep(extra) }
}

const money = (cents: number): string => (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })

/** Runs the demo and resolves to its numbers; leaves no server, client or timer behind. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = Date.now()
  const { print } = options
  const kinesalite = ((await import('kinesalite' as string)) as { default: ServerFactory }).default
  const dynalite = ((await import('dynalite' as string)) as { default: ServerFactory }).default
  const kinesisSdk = await import('@aws-sdk/client-kinesis')
  const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb')
  const { NodeHttpHandler } = await import('@smithy/node-http-handler')
  const { DynamoDBPersistenceLayer } = await import('@aws-lambda-powertools/idempotency/dynamodb')

  const kinesisServer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 })
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 })
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' }
  const clients: { destroy(): void }[] = []
  let run: Awaited<ReturnType<typeof runLocal>> | undefined
  let windowRun: Awaited<ReturnType<typeof runLocal>> | undefined
  try {
    const [kinesisEndpoint, dynamoEndpoint] = await Promise.all([listen(kinesisServer), listen(dynamoServer)])
    // kinesalite speaks HTTP/1.1 only: the Kinesis client's default HTTP/2 handler fails there.
    const kinesis = new kinesisSdk.KinesisClient({
      endpoint: kinesisEndpoint,
      region: 'us-east-1',
      credentials,
      requestHandler: new NodeHttpHandler({ requestTimeout: 5000, throwOnRequestTimeout: true }),
    })
    const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region: 'us-east-1', credentials })
    clients.push(kinesis, dynamo)

    await kinesis.send(new kinesisSdk.CreateStreamCommand({ StreamName: STREAM, ShardCount: 2 }))
    await dynamo.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    )
    for (;;) {
      const d = await kinesis.send(new kinesisSdk.DescribeStreamSummaryCommand({ StreamName: STREAM }))
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break
      await new Promise((r) => setTimeout(r, 20))
    }
    print(`kinesalite on ${kinesisEndpoint}: stream "${STREAM}", 2 shards`)
    print(`dynalite on ${dynamoEndpoint}: table "${TABLE}" (Powertools DynamoDBPersistenceLayer)`)
    print(
      `mapping: BatchSize ${SETTINGS.BatchSize}, ReportBatchItemFailures on, BisectBatchOnFunctionError, MaximumRetryAttempts ${SETTINGS.MaximumRetryAttempts}, ` +
        `function timeout ${SETTINGS.timeoutSeconds} s (retries wait ${RETRY_DELAY_MS} ms here, not Lambda's 1 s and up)`,
    )

    const { puts, mix } = orderStream(options.records ?? 600)
    const ledger: Ledger = { charges: new Map(), cents: { EUR: 0, USD: 0 } }
    const reasons = new Map<string, string>()
    let repeats = 0
    const handler = ordersHandler({
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: TABLE, awsSdkV3Client: dynamo }),
      ledger,
      logger: reasonLogger(reasons),
      onRepeat: () => void repeats++,
    })

    let shown = 0
    const progress = (final: boolean): void => {
      if (options.progress === undefined || run === undefined) return
      const report = run.report()
      const settled = report.outcomes.filter((o) => o.fate !== 'pending').length
      const retries = report.invocations.filter((i) => i.trigger === 'retry').length
      const now = Date.now()
      if (!final && now - shown < 500) return
      shown = now
      options.progress(
        `${settled}/${mix.records} records settled · ${report.invocations.length} invocations · ${retries} retries · ${ledger.charges.size} orders charged`,
        final,
      )
    }
    run = await runLocal(handler, {
      source: 'kinesis',
      client: kinesis,
      streamName: STREAM,
      pollIntervalMs: 100,
      retryDelayMs: () => RETRY_DELAY_MS,
      onInvocation: () => progress(false),
      ...SETTINGS,
    })
    const published: WindowTotal[] = []
    windowRun = await runLocal(windowTotalsHandler(published, reasonLogger(new Map())), {
      source: 'kinesis',
      client: kinesis,
      streamName: STREAM,
      pollIntervalMs: 100,
      retryDelayMs: () => RETRY_DELAY_MS,
      ...WINDOW_SETTINGS,
    })
    print(
      `order totals: a second mapping on the stream, TumblingWindowInSeconds ${WINDOW_SETTINGS.TumblingWindowInSeconds} (kinesisWindowHandler; a window closes ${WINDOW_SETTINGS.windowGraceSeconds} s after its end here, up to 2 min on Lambda)`,
    )
    const stopOnSignal = (): void => {
      void run?.stop()
      void windowRun?.stop()
    }
    options.signal?.addEventListener('abort', stopOnSignal, { once: true })

    // The checkout service puts its orders in bursts while the mapping is already polling.
    print(
      'progress: a record is settled once its batch is done (it succeeded, or was discarded after its retries); ' +
        'an order is charged as soon as its record runs, so charges run ahead of settled records while a batch holding a bad record is retried',
    )
    print(
      `producing ${mix.records} order events: ${mix.malformed} malformed, ${mix.review} the handler refuses (total above 10,000), ` +
        `${mix.duplicates} sent twice by the producer`,
    )
    for (let i = 0; i < puts.length && options.signal?.aborted !== true; i += 100) {
      const chunk = puts.slice(i, i + 100)
      const out = await kinesis.send(
        new kinesisSdk.PutRecordsCommand({
          StreamName: STREAM,
          Records: chunk.map((p) => ({ Data: p.data, PartitionKey: p.partitionKey })),
        }),
      )
      if ((out.FailedRecordCount ?? 0) > 0) throw new Error(`PutRecords refused ${out.FailedRecordCount} records`)
      await new Promise((r) => setTimeout(r, 300))
    }
    if (options.signal?.aborted !== true) {
      await Promise.race([
        Promise.all([run.idle(), windowRun.idle()]),
        new Promise((r) => options.signal?.addEventListener('abort', r, { once: true })),
      ])
    }
    const report = await run.stop()
    const windowReport = await windowRun.stop()
    options.signal?.removeEventListener('abort', stopOnSignal)
    progress(true)

    const summary = summarize(report, mix, reasons, ledger, repeats, published, windowReport)
    for (const line of summaryLines(summary, ledger, Date.now() - started)) print(line)
    const page = join(tmpdir(), 'lambda-stream-handlers-demo-timeline.html')
    writeFileSync(page, renderTimeline(report, { reasons, title: 'Demo: the orders stream' }))
    print(`timeline: ${page} (open it in a browser)`)
    return summary
  } finally {
    await run?.stop()
    await windowRun?.stop()
    for (const c of clients) c.destroy()
    await Promise.all([close(kinesisServer), close(dynamoServer)])
  }
}

function summarize(
  report: MappingReport,
  mix: StreamMix,
  reasons: Map<string, string>,
  ledger: Ledger,
  repeats: number,
  published: readonly WindowTotal[],
  windowReport: MappingReport,
): DemoSummary {
  const windowRecords: Record<string, number> = {}
  for (const o of windowReport.outcomes) windowRecords[o.fate] = (windowRecords[o.fate] ?? 0) + 1
  const shards: Record<string, number> = {}
  for (const o of report.outcomes) shards[o.shardId] = (shards[o.shardId] ?? 0) + 1
  const triggers = { batch: 0, retry: 0, bisect: 0, remainder: 0 }
  for (const i of report.invocations) if (i.trigger in triggers) triggers[i.trigger as keyof typeof triggers]++
  const discarded = report.outcomes.filter((o) => o.fate === 'discarded')
  const discardedWhy: Record<string, number> = {}
  for (const o of discarded) {
    const why = o.discardedBehindFailure === true ? 'not started: behind a failed record' : (reasons.get(o.id) ?? 'unknown')
    discardedWhy[why] = (discardedWhy[why] ?? 0) + 1
  }
  return {
    mix,
    shards,
    invocations: report.invocations.length,
    triggers,
    failedInvocations: report.invocations.filter((i) => i.result !== 'success').length,
    succeeded: report.outcomes.filter((o) => o.fate === 'succeeded').length,
    discarded: discarded.length,
    discardedWhy,
    discardedBehindFailure: report.costly.discardedBehindFailure.length,
    failureRecords: report.failureDestination.length,
    redelivered: report.costly.duplicates.length,
    duplicatesSuppressed: repeats,
    charged: ledger.charges.size,
    chargedTwice: [...ledger.charges.values()].filter((n) => n > 1).length,
    pending: report.outcomes.filter((o) => o.fate === 'pending').length,
    windows: [...published]
      .sort((a, b) => a.start.getTime() - b.start.getTime() || a.shardId.localeCompare(b.shardId))
      .map((w) => ({ shardId: w.shardId, start: w.start.toISOString(), orders: w.orders, EUR: w.cents.EUR, USD: w.cents.USD })),
    windowRecords,
  }
}

function summaryLines(s: DemoSummary, ledger: Ledger, elapsedMs: number): string[] {
  const t = s.triggers
  const bad = s.mix.malformed + s.mix.review
  const lines = [
    '',
    'summary',
    `  records                ${s.mix.records} (${Object.entries(s.shards)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, n]) => `${id}: ${n}`)
      .join(', ')})`,
    `  invocations            ${s.invocations}: ${t.batch} new batches, ${t.retry} retries, ${t.bisect} bisected halves, ${t.remainder} remainders after a partial failure`,
    `  failed invocations     ${s.failedInvocations} (threw, or reported records in batchItemFailures)`,
    `  succeeded              ${s.succeeded}`,
    `  discarded              ${s.discarded} (after ${SETTINGS.MaximumRetryAttempts} retries; ${s.failureRecords} failure records for the OnFailure destination)`,
    ...Object.entries(s.discardedWhy)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([why, n]) => `    ${String(n).padStart(3)}  ${why}`),
    s.discardedBehindFailure === 0
      ? '  discarded behind a poison record: 0 (bisect isolated every failing record)'
      : `  discarded behind a poison record: ${s.discardedBehindFailure} (they did not fail themselves)`,
    `  delivered more than once: ${s.redelivered} records (retries and bisect re-deliver records that did not run)`,
    // Why a few bad records cost this many invocations and deliveries.
    `  why so many: each of the ${bad} bad records (${s.mix.malformed} malformed, ${s.mix.review} refused) stops its batch. The orders handler keeps`,
    "    onInvalid at its default, 'fail', so a malformed record stops it as a poison one does: it and every record after it are",
    '    reported, the batch comes back from it, fails whole, and BisectBatchOnFunctionError halves it until the bad record is',
    `    alone (${t.bisect} halves); Lambda retries it alone ${SETTINGS.MaximumRetryAttempts} times, then discards it. The records after a bad one come again each`,
    `    time (${s.redelivered} records delivered more than once; idempotency kept each order to one charge). With onInvalid: 'skip', or a`,
    `    function that stores the record, the ${s.mix.malformed} malformed records would not be retried at all.`,
    `  duplicates suppressed  ${s.duplicatesSuppressed} (idempotency on dynalite: the order had been charged already)`,
    `  orders charged         ${s.charged}, each once (charged twice: ${s.chargedTwice}); EUR ${money(ledger.cents.EUR)}, USD ${money(ledger.cents.USD)}`,
  ]
  const counted = s.windows.reduce((n, w) => n + w.orders, 0)
  lines.push(
    `  window totals          ${s.windows.length} windows of ${WINDOW_SETTINGS.TumblingWindowInSeconds} s over both shards; ${counted} order events that passed the schema, each counted once`,
    // The two consumers count different things: the totals are of events, the charges of orders.
    `    ${counted} events − ${s.duplicatesSuppressed} sent twice (no idempotency in this consumer) − ${s.mix.review} refused by the orders handler = ${counted - s.duplicatesSuppressed - s.mix.review}, the orders charged`,
    '    start (UTC)  shard',
  )
  for (const w of s.windows) {
    lines.push(
      `    ${w.start.slice(11, 19)}Z    ${w.shardId}  ${String(w.orders).padStart(4)} orders  EUR ${money(w.EUR).padStart(10)}  USD ${money(w.USD).padStart(10)}`,
    )
  }
  if (s.pending > 0) lines.push(`  pending                ${s.pending} (stopped before they settled)`)
  lines.push(`  time                   ${(elapsedMs / 1000).toFixed(1)} s; servers stopped`)
  return lines
}
