import { randomInt } from 'node:crypto'

/**
 * Where a builder's next event starts when the test gives no `firstSequenceNumber`: each call takes
 * the numbers after the previous call's, from a start drawn once per process, so two events built
 * in one test (or in two runs against one idempotency table) never share an id, and a later event
 * reads as later on its shard. `first` keeps the shape of a real number (its digit count): the
 * random part is far smaller than it.
 */
export function sequenceAllocator(first: bigint, step: bigint): (count: number) => bigint {
  let next = first + BigInt(randomInt(2 ** 40)) * step
  return function allocate(count) {
    const start = next
    // One step of room between events, so that consecutive events are not read as one batch.
    next += BigInt(count + 1) * step
    return start
  }
}
