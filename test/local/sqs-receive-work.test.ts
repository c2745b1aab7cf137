// The SQS simulation's receives must cost what is in flight and about to arrive, not every message
// ever sent: a queue twice as long must take about twice the work, not four times. Counted, not
// timed: every read of a message's fields by the rules goes through a proxy that counts it.
// Tested through the internal rules module, driven as simulate() drives it.
import { expect, it } from 'vitest'
import {
  createQueue,
  nextReceiveAt,
  nextVisibleAt,
  receive,
  settleReceive,
  type QueuedMessage,
  type QueueSettings,
} from '../../src/local/sqs-rules.js'

/** Runs `n` messages (one every `every` ms, every 50th failing) through the queue; the reads of message fields it took. */
function work(n: number, fifo: boolean, every: number): { reads: number; deleted: number; deadLettered: number } {
  let reads = 0
  const messages = Array.from(
    { length: n },
    (_, seq): QueuedMessage =>
      new Proxy(
        {
          id: `m-${seq}`,
          body: seq % 50 === 49 ? 'poison' : 'ok',
          group: `g-${seq % 4}`,
          sentAt: seq * every,
          seq,
          bytes: 100,
          visibleAt: seq * every,
          receives: 0,
          state: 'queued',
          deliveries: 0,
        } satisfies QueuedMessage,
        {
          get(target, key, receiver) {
            reads++
            return Reflect.get(target, key, receiver)
          },
        },
      ),
  )
  const q: QueueSettings = { fifo, batchSize: 10, windowMs: 0, visibilityMs: 5000, maxReceive: 3, reportBatchItemFailures: true }
  const queue = createQueue(messages)
  let now = 0
  let deadLettered = 0
  for (let receives = 0; receives < 10 * n; receives++) {
    const at = nextReceiveAt(queue, now, q, now)
    if (at === Infinity) break
    now = at
    const got = receive(queue, now, q)
    deadLettered += got.deadLettered.length
    if (got.batch.length === 0) {
      now = nextVisibleAt(queue, now)
      continue
    }
    const failed = got.batch.filter((m) => m.body === 'poison').map((m) => ({ itemIdentifier: m.id }))
    settleReceive(
      queue,
      got.batch,
      failed.length === 0 ? { kind: 'success', ignored: [] } : { kind: 'partial', index: 0, reported: failed.map((f) => f.itemIdentifier) },
      q,
    )
  }
  return { reads, deleted: messages.filter((m) => m.state === 'deleted').length, deadLettered }
}

// One message every 200 ms. A poison message comes back twice, 5 s apart, before it is
// dead-lettered; on a FIFO queue it holds its group meanwhile, and its group catches up before the
// next one. (When a FIFO queue cannot keep up, the messages waiting behind a blocked group grow
// with the queue, and each receive still walks them.)
for (const fifo of [false, true]) {
  it(`${fifo ? 'FIFO' : 'standard'} queue: doubling the messages doubles the work of the receives (linear, not quadratic)`, () => {
    const small = work(1000, fifo, 200)
    const large = work(2000, fifo, 200)
    // The run is the one simulate() makes: every good message deleted, every poison one dead-lettered.
    expect(small).toMatchObject({ deleted: 980, deadLettered: 20 })
    expect(large).toMatchObject({ deleted: 1960, deadLettered: 40 })
    // Linear work gives a ratio of 2; a scan of the whole queue per receive gives 4.
    expect(large.reads / small.reads).toBeLessThan(2.5)
  })
}
