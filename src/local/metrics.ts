/**
 * The event source mapping's own CloudWatch metrics (the `EventCount` group of `MetricsConfig`,
 * `IteratorAge`, and Kafka's offset lag, the `KafkaMetrics` group) for a simulated run: a pure function of the report, the same for every
 * source. Each record's story (its fate, when it arrived, the invocations that carried it, the
 * failure record sent for it) says when the mapping read it, invoked the function with it,
 * dropped, sent, deleted or committed it; the counts are summed per UTC minute, as CloudWatch
 * shows them with a period of one minute.
 */
import type { MappingMetrics, MappingReport, MetricValues, MetricsMinute } from './report.js'

/** What the metrics need to know of the mapping besides the report. */
export interface MetricsMapping {
  readonly source: 'kinesis' | 'dynamodb' | 'sqs' | 'kafka'
  /** Whether it has an on-failure destination (`DestinationConfig.OnFailure.Destination`). */
  readonly destination: boolean
  /** Whether it has `FilterCriteria`. */
  readonly filter: boolean
}

/** The metrics that are a level at an instant (the largest in the minute), not a count. */
type Gauge = 'IteratorAge' | 'MaxOffsetLag' | 'SumOffsetLag'
type Count = Exclude<keyof MetricValues, Gauge>

const MINUTE = 60_000
const GAUGES: readonly Gauge[] = ['IteratorAge', 'MaxOffsetLag', 'SumOffsetLag']

/** Where the simulator chose, for the metrics, what AWS does not say; added to the report's assumptions. */
export function metricsAssumptions(source: MetricsMapping['source']): string[] {
  return [
    source === 'sqs'
      ? 'Metrics: PolledEventCount counts a message at each receive (a message that comes back after its visibility timeout is read again), and a filtered message once, when it is sent.'
      : 'Metrics: PolledEventCount counts a record once, when the mapping first reads it (a filtered record when it arrives, a delivered one with the first invocation that carries it); a retry, a bisected half or the rest of a partially failed batch is not read again (AWS counts retries in InvokedEventCount "for the same polled event").',
    'Metrics: FailedInvokeEventCount counts every record of an invocation that threw, timed out, answered with a response Lambda cannot read, or listed any batch item failure (AWS: "any event with a non-empty BatchItemFailures in the response"; counting only the listed records would be the other reading).',
    ...(source === 'sqs'
      ? [
          'Metrics: DeletedEventCount counts the messages deleted because the function succeeded with them, when the invocation ends; the messages Lambda deletes because no filter matched them are not counted (AWS does not say).',
        ]
      : [
          'Metrics: DroppedEventCount counts, as AWS documents, the records discarded (MaximumRetryAttempts) or aged out (MaximumRecordAgeInSeconds) when no on-failure destination is set; one capture on real AWS saw no DroppedEventCount for a DynamoDB batch discarded without a destination. With a destination they count in OnFailureDestinationDeliveredEventCount instead, as delivery never fails in the simulator.',
        ]),
    ...(source === 'kafka'
      ? [
          "Metrics: CommittedEventCount counts a record when every record before it in its partition is settled (Kafka commits offsets from time to time; the simulator as soon as it can); a record the topic no longer keeps is settled at the partition's next invocation.",
          "Metrics: a partition's offset lag is the records written to it since the mapping started reading minus those committed (the same commit times as CommittedEventCount); MaxOffsetLag is the largest partition's lag and SumOffsetLag the lags of all the mapping's partitions added up, over every topic it reads (AWS does not say whether they are per topic). Each minute shows the largest value the lag reached in it (AWS does not say how often Lambda samples it), and the total the largest of the run.",
        ]
      : []),
  ]
}

/** The metric names the mapping publishes, in AWS's order. */
function published(m: MetricsMapping): Count[] {
  const stream = m.source !== 'sqs'
  return [
    'PolledEventCount',
    ...(m.filter ? (['FilteredOutEventCount'] as const) : []),
    'InvokedEventCount',
    'FailedInvokeEventCount',
    ...(stream ? (['DroppedEventCount'] as const) : []),
    ...(stream && m.destination ? (['OnFailureDestinationDeliveredEventCount'] as const) : []),
    ...(m.source === 'sqs' ? (['DeletedEventCount'] as const) : []),
    ...(m.source === 'kafka' ? (['CommittedEventCount'] as const) : []),
  ]
}

type Row = Record<Count, number> & { [G in Gauge]?: number }

/** A map of shards, each a map of record ids: two strings looked up without joining them. */
class ByRecord<T> {
  private readonly shards = new Map<string, Map<string, T>>()
  get(shardId: string, id: string): T | undefined {
    return this.shards.get(shardId)?.get(id)
  }
  of(shardId: string): Map<string, T> {
    let ids = this.shards.get(shardId)
    if (ids === undefined) this.shards.set(shardId, (ids = new Map()))
    return ids
  }
}

/** The metrics of a simulated run: totals and one entry per minute, under AWS's metric names. */
export function mappingMetrics(report: MappingReport, m: MetricsMapping): MappingMetrics {
  const names = published(m)
  const publishes = new Set<Count>(names)
  const zero = Object.fromEntries(names.map((n) => [n, 0])) as Row
  const ended = Date.parse(report.endedAt)
  // Minute by minute, made as the counts come; the minutes between them are added at the end.
  const minutes = new Map<number, Row>()
  let first = Math.floor(ended / MINUTE)
  let last = first
  const rowAt = (at: number): Row => {
    const k = Math.floor(at / MINUTE)
    let row = minutes.get(k)
    if (row === undefined) {
      minutes.set(k, (row = { ...zero }))
      if (k < first) first = k
      if (k > last) last = k
    }
    return row
  }
  const count = (name: Count, at: number, n = 1): void => {
    if (publishes.has(name)) rowAt(at)[name] += n
  }
  const arrivals = new ByRecord<number>()
  for (const o of report.outcomes) if (o.arrivedAt !== undefined) arrivals.of(o.shardId).set(o.id, Date.parse(o.arrivedAt))

  // Each invocation: its records invoked at its start, failed at its end (facts 137-138); read again at each SQS receive.
  const firstRead = new ByRecord<number>()
  const lastEnd = new ByRecord<number>()
  const startsByShard = new Map<string, number[]>()
  const streams = m.source === 'kinesis' || m.source === 'dynamodb'
  for (const inv of report.invocations) {
    const start = Date.parse(inv.at)
    const end = start + inv.durationMs
    count('InvokedEventCount', start, inv.records.length)
    if (inv.result !== 'success') count('FailedInvokeEventCount', end, inv.records.length)
    if (m.source === 'sqs') count('PolledEventCount', start, inv.records.length)
    const read = firstRead.of(inv.shardId)
    const ends = lastEnd.of(inv.shardId)
    for (const id of inv.records) {
      if (!read.has(id)) read.set(id, start)
      ends.set(id, end)
    }
    const starts = startsByShard.get(inv.shardId)
    if (starts === undefined) startsByShard.set(inv.shardId, [start])
    else starts.push(start)
    // Fact 143: the age of the event's last record when the mapping invoked the function with it.
    const lastId = inv.records[inv.records.length - 1]
    const arrived = lastId === undefined ? undefined : arrivals.get(inv.shardId, lastId)
    if (streams && arrived !== undefined) {
      const row = rowAt(start)
      row.IteratorAge = Math.max(row.IteratorAge ?? 0, start - arrived, 0)
    }
  }

  for (const o of report.outcomes) {
    if (o.fate === 'before-start') continue
    const arrived = arrivals.get(o.shardId, o.id)
    if (arrived !== undefined) rowAt(arrived) // the mapping was reading from then on
    const failedAt = o.failureRecord === undefined ? undefined : Date.parse(o.failureRecord.timestamp)
    if (o.fate === 'filtered') {
      // Facts 134 and 136: read, then dropped by the filter.
      count('PolledEventCount', arrived ?? ended)
      count('FilteredOutEventCount', arrived ?? ended)
      continue
    }
    if (m.source !== 'sqs') {
      // Fact 135: a stream record is read once, however many times it is invoked.
      const read = firstRead.get(o.shardId, o.id) ?? failedAt
      if (read !== undefined) count('PolledEventCount', read)
      // Facts 139-140.
      const lost = o.fate === 'discarded' || (o.fate === 'expired' && o.expiredBy === 'MaximumRecordAgeInSeconds')
      if (lost && failedAt !== undefined) count(m.destination ? 'OnFailureDestinationDeliveredEventCount' : 'DroppedEventCount', failedAt)
    } else if (o.fate === 'succeeded') {
      // Fact 141.
      const end = lastEnd.get(o.shardId, o.id)
      if (end !== undefined) count('DeletedEventCount', end)
    }
  }
  if (m.source === 'kafka') {
    const committed = commits(report, arrivals, lastEnd, startsByShard)
    for (const c of committed) count('CommittedEventCount', c.at)
    offsetLag(report, arrivals, committed, rowAt)
  }

  const perMinute: MetricsMinute[] = []
  const total: Row = { ...zero }
  for (let k = first; k <= last; k++) {
    const row = minutes.get(k) ?? zero
    perMinute.push({ minute: new Date(k * MINUTE).toISOString(), ...row })
    for (const n of names) total[n] += row[n]
    for (const g of GAUGES) {
      const v = row[g]
      if (v !== undefined) total[g] = Math.max(total[g] ?? 0, v)
    }
  }
  return { total, perMinute }
}

// Fact 142.
/**
 * Kafka's commits: a partition's committed offset passes a record once it and every record before
 * it are settled; one entry per record, with when the offset passed it.
 */
function commits(
  report: MappingReport,
  arrivals: ByRecord<number>,
  lastEnd: ByRecord<number>,
  startsByShard: ReadonlyMap<string, readonly number[]>,
): { readonly shardId: string; readonly at: number }[] {
  const ended = Date.parse(report.endedAt)
  const high = new Map<string, number>()
  const committed: { shardId: string; at: number }[] = []
  for (const o of report.outcomes) {
    if (o.fate === 'before-start' || o.fate === 'pending') continue
    const arrived = arrivals.get(o.shardId, o.id) ?? ended
    let settled: number
    if (o.fate === 'succeeded') settled = lastEnd.get(o.shardId, o.id) ?? ended
    else if (o.fate === 'filtered') settled = arrived
    else if (o.failureRecord !== undefined) settled = Date.parse(o.failureRecord.timestamp)
    else {
      // Gone with the topic's retention: settled when the partition next invokes the function.
      const after = lastEnd.get(o.shardId, o.id) ?? arrived
      settled = startsByShard.get(o.shardId)?.find((s) => s > after) ?? ended
    }
    const at = Math.max(settled, high.get(o.shardId) ?? -Infinity)
    high.set(o.shardId, at)
    committed.push({ shardId: o.shardId, at })
  }
  return committed
}

// Fact 146.
/**
 * Kafka's MaxOffsetLag and SumOffsetLag: each partition's lag (records written since the mapping
 * started reading, less records committed) after every change, the largest per minute.
 */
function offsetLag(
  report: MappingReport,
  arrivals: ByRecord<number>,
  committed: readonly { readonly shardId: string; readonly at: number }[],
  rowAt: (at: number) => Row,
): void {
  const ended = Date.parse(report.endedAt)
  // +1 when a record is written, -1 when the committed offset passes it.
  const changes: { at: number; shardId: string; by: number }[] = committed.map((c) => ({ ...c, by: -1 }))
  for (const o of report.outcomes)
    if (o.fate !== 'before-start') changes.push({ at: arrivals.get(o.shardId, o.id) ?? ended, shardId: o.shardId, by: 1 })
  changes.sort((a, b) => a.at - b.at)
  const lag = new Map<string, number>()
  let sum = 0
  let carried = { max: 0, sum: 0, minute: Math.floor((changes[0]?.at ?? ended) / MINUTE) - 1 }
  const record = (at: number, max: number, total: number): void => {
    const row = rowAt(at)
    row.MaxOffsetLag = Math.max(row.MaxOffsetLag ?? 0, max)
    row.SumOffsetLag = Math.max(row.SumOffsetLag ?? 0, total)
  }
  for (let i = 0; i < changes.length; ) {
    const at = (changes[i] as (typeof changes)[number]).at
    // The lag a minute starts with is the one the minute before ended with.
    for (let k = carried.minute + 1; k <= Math.floor(at / MINUTE); k++) record(k * MINUTE, carried.max, carried.sum)
    // Every change at the same instant at once: a filtered record is written and committed together.
    for (; i < changes.length && (changes[i] as (typeof changes)[number]).at === at; i++) {
      const c = changes[i] as (typeof changes)[number]
      lag.set(c.shardId, (lag.get(c.shardId) ?? 0) + c.by)
      sum += c.by
    }
    carried = { max: Math.max(0, ...lag.values()), sum, minute: Math.floor(at / MINUTE) }
    record(at, carried.max, carried.sum)
  }
  for (let k = carried.minute + 1; k <= Math.floor(ended / MINUTE); k++) record(k * MINUTE, carried.max, carried.sum)
}

/** The report with the mapping's metrics, and the assumptions they rest on. */
export function withMetrics(report: MappingReport, m: MetricsMapping): MappingReport {
  return { ...report, metrics: mappingMetrics(report, m), assumptions: [...report.assumptions, ...metricsAssumptions(m.source)] }
}
