// The sources the benchmark measures: one row each (SQS twice: a standard queue and a FIFO queue).
import type { Workload } from './harness.js'
import { dynamodb } from './dynamodb.js'
import { kinesis } from './kinesis.js'
import { sqsFifo } from './sqs-fifo.js'
import { sqs } from './sqs-queue.js'

// Safe to erase the event type: a workload's contenders only ever get events from its own makeEvent.
const row = <E>(w: Workload<E>): Workload<unknown> => w as unknown as Workload<unknown>

export const workloads: readonly Workload<unknown>[] = [row(kinesis), row(dynamodb), row(sqs), row(sqsFifo)]
