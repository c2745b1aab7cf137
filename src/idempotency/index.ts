/**
 * Record-level idempotency, `lambda-stream-handlers/idempotency`: the {@link idempotent}
 * middleware on `@aws-lambda-powertools/idempotency`. Kept out of the root entry point so that
 * handlers without it do not load Powertools idempotency. Neither this entry point nor the root
 * loads the AWS SDK: the DynamoDB store comes from `@aws-lambda-powertools/idempotency/dynamodb`,
 * imported by those who use it.
 *
 * @module idempotency
 */
export { idempotent, type IdempotentOptions } from './idempotent.js'
