// Started by dynamodb-local.test.ts in a process of its own: starts DynamoDB Local, says it is
// ready, and waits to be killed.
import { startDynamoDBLocal } from './dynamodb-local.js'

await startDynamoDBLocal()
process.stdout.write('ready\n')
setInterval(() => {}, 60_000)
