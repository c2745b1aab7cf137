/**
 * Record-level idempotency, `lambda-stream-handlers/idempotency`: the {@link idempotent}
 * middleware on `@aws-lambda-powertools/idempotency`, and an in-memory store for unit tests.
 * `@aws-lambda-powertools/idempotency` is an optional peer dependency (2.26.0 or later): install
 * it beside this package, at the version you pin the other Powertools packages to. Only this entry
 * point loads it, so the root, `/testing` and `/local` work without it. Neither this entry point nor the root
 * loads the AWS SDK: the DynamoDB store comes from `@aws-lambda-powertools/idempotency/dynamodb`,
 * imported by those who use it.
 *
 * @module idempotency
 */
export { idempotent, type IdempotentOptions } from './idempotent.js'
export { InMemoryPersistenceStore } from './in-memory-store.js'
