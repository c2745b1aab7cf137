import type { SQSClient } from '@aws-sdk/client-sqs'
import { expectTypeOf, it } from 'vitest'
import * as z from 'zod'
import { sqsHandler } from 'lambda-stream-handlers'
import { IdleTimeoutError, runLocal, type IdleOptions, type LocalRun } from 'lambda-stream-handlers/local'

declare const run: LocalRun
declare const sqs: SQSClient
const handler = sqsHandler(z.object({ orderId: z.string() }), () => {})

it('idle() takes an optional timeout and resolves to nothing; its error lists what is unsettled', () => {
  expectTypeOf(run.idle()).toEqualTypeOf<Promise<void>>()
  expectTypeOf(run.idle({ timeoutMs: 30_000 })).toEqualTypeOf<Promise<void>>()
  expectTypeOf<IdleOptions>().toEqualTypeOf<{ readonly timeoutMs?: number }>()
  // @ts-expect-error the timeout is a number of milliseconds
  void run.idle({ timeoutMs: '30s' })
  expectTypeOf(new IdleTimeoutError('m', ['1']).unsettled).toEqualTypeOf<readonly string[]>()
  expectTypeOf<IdleTimeoutError>().toMatchTypeOf<Error>()
})

it('an SQS run takes MaximumBatchingWindowInSeconds', () => {
  void runLocal(handler, { source: 'sqs', client: sqs, queueUrl: 'q', BatchSize: 100, MaximumBatchingWindowInSeconds: 5 })
  // @ts-expect-error seconds, a number
  void runLocal(handler, { source: 'sqs', client: sqs, queueUrl: 'q', MaximumBatchingWindowInSeconds: '5' })
})
