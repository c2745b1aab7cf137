/**
 * The SQS rules core: what an SQS event source mapping and its queue do with messages, as data in,
 * decisions out, with no clock of its own. What SQS shares with the streams comes from `rules.ts`:
 * the batching window and what a response means. What differs lives here: a received message is
 * hidden for the visibility timeout, success deletes it, failure lets it come back, the redrive
 * policy moves it to the dead-letter queue, and FIFO message groups keep order.
 */
import type { SQSRecord } from 'aws-lambda'
import { batchReadyAt, windowOpensAt, EVENT_OVERHEAD_BYTES, interpret, PAYLOAD_LIMIT_BYTES, type Verdict } from './rules.js'

/** A message in the simulated queue. */
export interface QueuedMessage {
  /** A record built by a test kit: delivered as it is, with the receive fields brought up to date. */
  readonly template?: SQSRecord
  readonly id: string
  readonly body: string
  readonly group: string
  readonly sentAt: number
  readonly seq: number
  /** Its size in the event, as JSON: what counts towards the 6 MB of one invocation. */
  readonly bytes: number // fact 16
  visibleAt: number
  receives: number
  firstReceiveAt?: number
  state: 'queued' | 'in-flight' | 'deleted' | 'dead-lettered' | 'filtered'
  deliveries: number
  reportedButIgnored?: boolean
  filteredBecause?: string
}

/** The queue and mapping settings the rules use, checked and in milliseconds. */
export interface QueueSettings {
  readonly fifo: boolean
  readonly batchSize: number
  readonly windowMs: number
  readonly visibilityMs: number
  /** The redrive policy's `maxReceiveCount`; `Infinity` without one. */
  readonly maxReceive: number
  readonly reportBatchItemFailures: boolean
}

/** The queue's messages in send order, and the FIFO groups with a batch in flight. */
export interface Queue {
  readonly messages: readonly QueuedMessage[]
  readonly busyGroups: Set<string>
  /** How many messages were deleted or dead-lettered. */
  settled: number
  /** Where the receives look, kept by `openMessages`. */
  readonly open: OpenMessages
}

/**
 * The messages receives have reached (`messages` before `next`) that may still be open, in send
 * order; `stale` of them were deleted or dead-lettered since.
 */
interface OpenMessages {
  reached: QueuedMessage[]
  next: number
  stale: number
}

/** A queue of messages in send order, none received yet. */
export function createQueue(messages: readonly QueuedMessage[]): Queue {
  return { messages, busyGroups: new Set(), settled: 0, open: { reached: [], next: 0, stale: 0 } }
}

const isClosed = (m: QueuedMessage): boolean => m.state === 'deleted' || m.state === 'dead-lettered' || m.state === 'filtered'

/** Marks a received message deleted or dead-lettered: it leaves the receives' view. */
function closeMessage(queue: Queue, m: QueuedMessage, state: 'deleted' | 'dead-lettered'): void {
  m.state = state
  queue.settled++
  queue.open.stale++
}

/**
 * The messages not deleted, dead-lettered or filtered, in send order, as far as the caller reads:
 * the ones reached before (dropping the closed ones once they are half of them), then further
 * into the queue. A receive thus walks the messages in flight, waiting and about to arrive, not
 * every message ever sent.
 */
function* openMessages(queue: Queue): Generator<QueuedMessage> {
  const o = queue.open
  if (o.stale * 2 > o.reached.length) {
    o.reached = o.reached.filter((m) => !isClosed(m))
    o.stale = 0
  }
  const reached = o.reached
  const n = reached.length
  for (let i = 0; i < n; i++) {
    const m = reached[i] as QueuedMessage
    if (!isClosed(m)) yield m
  }
  while (o.next < queue.messages.length) {
    const m = queue.messages[o.next++] as QueuedMessage
    if (isClosed(m)) continue
    reached.push(m)
    yield m
  }
}

/** The messages a poller could take at `t`, in the order it takes them. */
function* candidates(queue: Queue, t: number, q: QueueSettings): Generator<QueuedMessage> {
  const seen = new Set<string>()
  for (const m of openMessages(queue)) {
    // Messages are in send order and none is visible before it is sent: the rest come later.
    if (m.sentAt > t) return
    if (m.state !== 'queued') {
      if (q.fifo && m.state === 'in-flight') seen.add(m.group)
      continue
    }
    if (q.fifo) {
      // Fact 31: one group's messages in order, none while one of the group is in flight.
      if (seen.has(m.group) || queue.busyGroups.has(m.group)) continue
      if (m.visibleAt > t) {
        seen.add(m.group)
        continue
      }
    } else if (m.visibleAt > t) continue
    yield m
  }
}

/**
 * When the next receive can start after `now`, or `Infinity` when nothing is queued: with a batching
 * window, when it closes or the batch is full (the rule streams use, over visibility times).
 * FIFO: the head of a blocked group may not be deliverable yet; the receive decides at that time.
 */
export function nextReceiveAt(queue: Queue, now: number, q: QueueSettings, previousEnd = -Infinity): number {
  const ready: { arrivalMs: number; bytes: number }[] = []
  // Only the `batchSize` soonest count. They are known once no later message can arrive before
  // them: none arrives before `now` nor before it is sent, and the sort keeps send order among equals.
  let soon = 0
  let bound = -Infinity
  for (const m of openMessages(queue)) {
    if (ready.length >= q.batchSize && (soon >= q.batchSize || Math.max(now, m.sentAt) >= bound)) break
    if (m.state !== 'queued') continue
    const arrivalMs = Math.max(now, m.visibleAt)
    if (arrivalMs === now) soon++
    if (ready.length < q.batchSize) bound = Math.max(bound, arrivalMs)
    ready.push({ arrivalMs, bytes: m.bytes })
  }
  if (ready.length === 0) return Infinity
  ready.sort((a, b) => a.arrivalMs - b.arrivalMs)
  const first = (ready[0] as { arrivalMs: number }).arrivalMs
  return Math.max(now, batchReadyAt(windowOpensAt(previousEnd, first, q.windowMs), ready, q.batchSize, q.windowMs))
}

/**
 * Receives a batch at `now`: up to `batchSize` visible messages, and no more than one invocation's
 * 6 MB of them, each hidden for the visibility
 * timeout and counted as received. A message already received `maxReceiveCount` times is moved to
 * the dead-letter queue instead of being delivered again, as the redrive policy does.
 */
export function receive(queue: Queue, now: number, q: QueueSettings): { batch: QueuedMessage[]; deadLettered: QueuedMessage[] } {
  const batch: QueuedMessage[] = []
  const deadLettered: QueuedMessage[] = []
  let bytes = EVENT_OVERHEAD_BYTES
  for (const m of candidates(queue, now, q)) {
    if (batch.length === q.batchSize) break
    if (m.receives >= q.maxReceive) {
      // Fact 51: the redrive policy moves it instead of delivering it again.
      closeMessage(queue, m, 'dead-lettered')
      deadLettered.push(m)
      continue
    }
    if (batch.length > 0 && bytes + m.bytes + 1 > PAYLOAD_LIMIT_BYTES) break // fact 16
    bytes += m.bytes + 1
    batch.push(m)
  }
  for (const m of batch) {
    m.receives++
    m.deliveries++
    m.firstReceiveAt ??= now
    m.state = 'in-flight'
    m.visibleAt = now + q.visibilityMs
    if (q.fifo) queue.busyGroups.add(m.group)
  }
  return { batch, deadLettered }
}

/** When a hidden message next becomes visible, or `Infinity`. */
export function nextVisibleAt(queue: Queue, now: number): number {
  let min = Infinity
  for (const m of openMessages(queue)) {
    if (m.sentAt >= min) break // none of the rest is visible sooner
    if (m.state === 'queued' && m.visibleAt > now) min = Math.min(min, m.visibleAt)
  }
  return min
}

/**
 * What an SQS answer means: as for streams (`interpret`), except that an array is an object without
 * `batchItemFailures` here, so a success.
 */
export function sqsVerdict(response: unknown, ids: readonly string[], reportBatchItemFailures: boolean): Verdict {
  return interpret(Array.isArray(response) ? {} : response, ids, reportBatchItemFailures)
}

/** Whether the verdict leaves a message in the queue: all of them on a failure, the reported ones on a partial one. */
export function failedBy(verdict: Verdict, id: string): boolean {
  return verdict.kind === 'failure' || (verdict.kind === 'partial' && verdict.reported.includes(id))
}

/**
 * Applies the verdict to a received batch: Lambda deletes what succeeded; failed
 * messages stay and reappear when their visibility timeout ends.
 */
export function settleReceive(queue: Queue, batch: readonly QueuedMessage[], verdict: Verdict, q: QueueSettings): void {
  // Facts 48 and 52.
  for (const m of batch) {
    if (q.fifo) queue.busyGroups.delete(m.group)
    if (failedBy(verdict, m.id)) m.state = 'queued'
    else closeMessage(queue, m, 'deleted')
  }
}
