// Started by dynamodb-local.test.ts in a process of its own: starts DynamoDB Local, prints its
// process id, and waits to be killed.
import { startDynamoDBLocal } from './dynamodb-local.js'

const server = await startDynamoDBLocal()
process.stdout.write(`${JSON.stringify({ pid: server.pid })}\n`)
setInterval(() => {}, 60_000)
