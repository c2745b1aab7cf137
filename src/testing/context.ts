import type { Context } from 'aws-lambda'

/** Options of {@link lambdaContext}. */
export interface LambdaContextOptions {
  /** The function's timeout; the remaining time counts down from it. Default 30000. */
  readonly timeoutMs?: number | undefined
  /** The clock the remaining time is measured on; pass your own to control the deadline in a test. Default `Date.now`. */
  readonly now?: (() => number) | undefined
  readonly functionName?: string | undefined
  readonly awsRequestId?: string | undefined
  readonly region?: string | undefined
  readonly accountId?: string | undefined
  readonly memoryLimitInMB?: number | undefined
}

/**
 * A Lambda `Context` for tests, whose `getRemainingTimeInMillis()` counts down from `timeoutMs`
 * on the clock you give it.
 *
 * @example
 * ```ts
 * let now = 0
 * const context = lambdaContext({ timeoutMs: 3000, now: () => now })
 * now = 2500
 * expect(context.getRemainingTimeInMillis()).toBe(500)
 * ```
 */
export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const now = options.now ?? Date.now
  const timeoutMs = options.timeoutMs ?? 30_000
  const startedAt = now()
  const functionName = options.functionName ?? 'test-function'
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: options.awsRequestId ?? '00000000-0000-4000-8000-000000000000',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]00000000000000000000000000000000',
    getRemainingTimeInMillis: () => Math.max(0, startedAt + timeoutMs - now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }
}
