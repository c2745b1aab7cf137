/**
 * What `lambda-stream-handlers <command> --help` prints: each command's usage and examples.
 *
 * @module
 * @internal
 */

import { CHECK_HELP } from './check.js'

const EVENT = `usage: lambda-stream-handlers event kinesis|dynamodb|sqs [payload …] [--file payloads.json|payloads.jsonl|-] [options]

Prints a Lambda event as Lambda delivers it, built by the test kit from your payloads: arguments,
a JSON file (one payload or an array), a JSONL file (one payload a line), or - for standard input.
A payload argument that is not JSON is text (a record that is not JSON).

kinesis   payloads, or puts {"data":…,"partitionKey":…} ({"text":…} for bytes as they are);
          --partition-key, --shard-id, --stream-name, --arrived-at <ISO time>, --gzip
sqs       bodies; --queue-name, --fifo, --message-group-id, --envelope sns|eventbridge, --sent-at <ISO time>
dynamodb  items (INSERTs of them) or {"eventName","newImage","oldImage","ttl"};
          --keys id,sk, --stream-view-type NEW_IMAGE, --table-name, --created-at <ISO time>
all       --region, --account-id

Flags are kebab-case or camelCase (--partition-key or --partitionKey); --fifo and --gzip need no value.
A --file is read up to at most 6 MB (6,291,456 bytes), the most an event can carry (Lambda's payload
limit); an integer beyond ±(2^53 − 1) keeps its exact text in the record's data (a DynamoDB number too).

examples:
  lambda-stream-handlers event kinesis '{"orderId":"o-1","total":12.5}' 'not json' > event.json
  lambda-stream-handlers event sqs --file orders.jsonl --fifo --message-group-id customer-1
  lambda-stream-handlers event dynamodb '{"id":"a","status":"NEW"}' --keys id
  lambda-stream-handlers event sqs '{"orderId":"o-1"}' | lambda-stream-handlers invoke ./handler.ts --event -`

const INVOKE = `usage: lambda-stream-handlers invoke <module>[#<export>] --event <event.json|-> [--timeout <seconds>]

Runs the handler once on the event with a test Lambda context, as Lambda would, and prints its
response on stdout. The handler's logs go to stderr (the default logger at INFO, as on Lambda,
unless LOG_LEVEL says otherwise), then a REPORT line: the duration, the records, how many
succeeded, failed, were invalid or skipped, and each one that did not succeed, by its index in
Records, its key and its identifier, with why it failed.
The export defaults to \`handler\`, and must be the handler itself: an export that returns a
function, or returns nothing without taking a callback, is a factory and is refused.
A TypeScript module needs tsx (npm install -D tsx).

--timeout   the function's timeout, 1-900 seconds, default 3 (Lambda's default); the context's
            remaining time counts down from it. A handler that has not answered by then ends as on
            Lambda, "Task timed out after N seconds", exit code 1.
limits      the event is read up to at most 6 MB (6,291,456 bytes), Lambda's limit for a payload;
            the module must finish loading within 10 seconds, Lambda's limit for initialisation.

examples:
  lambda-stream-handlers invoke ./handler.ts#handler --event event.json
  lambda-stream-handlers event kinesis '{"orderId":"o-1"}' | lambda-stream-handlers invoke dist/handler.js --event -`

const SIMULATE = `usage: lambda-stream-handlers simulate <module>[#<export>] --source kinesis|dynamodb|sqs|kafka --records <records.jsonl|-> [--Setting value …] [--json] [--html report.html]

Runs the handler as Lambda's event source mapping would, on a virtual clock: batching, retries,
bisection, partial batch responses, checkpoints, the failure destination, SQS's visibility
timeout and dead-letter queue. Prints what became of the records, why each one that did not
succeed failed, and the most common errors of failed invocations; --json prints the whole report.
Each record that did not succeed is named by its line in the records file, its key (partition key,
message group, item key) and its identifier. It stops at once when the handler refuses the event as
malformed (wired to another source), is a factory rather than a handler, or has not answered after
the function's timeout in real time (the simulator's clock is virtual).
--html writes the run as a timeline page to open in a browser (one file, nothing loaded from the network).
The records file is read up to at most 32 MB (33,554,432 bytes): the simulator holds every record,
and its report every invocation's event, in memory. An integer beyond ±(2^53 − 1) in a payload keeps
its exact text, as a producer would have sent it.

A records line is a payload, a put ({"data":…,"partitionKey":…,"at":…} for Kinesis,
{"body":…,"messageGroupId":…} for SQS, {"value":…,"key":…,"partition":…,"at":…} for Kafka), or a
Lambda record; DynamoDB lines are stream records.

Settings are spelled as in the Lambda API, or in kebab-case (--batch-size is --BatchSize):
  --BatchSize 10  --MaximumBatchingWindowInSeconds 1  --MaximumRetryAttempts 2
  --BisectBatchOnFunctionError  --FunctionResponseTypes ReportBatchItemFailures
  --ParallelizationFactor 2  --StartingPosition LATEST  --MaximumRecordAgeInSeconds 60
  --TumblingWindowInSeconds 60  --StartingPositionTimestamp 1767225600 (with AT_TIMESTAMP)
an object as JSON or one field at a time (--ScalingConfig '{"MaximumConcurrency":5}' is
  --ScalingConfig.MaximumConcurrency 5):  --MetricsConfig '{"Metrics":["EventCount"]}'
  --DestinationConfig '{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:failed"}}'
  --FilterCriteria '{"Filters":[{"Pattern":"{\\"data\\":{\\"total\\":[{\\"numeric\\":[\\">\\",0]}]}}"}]}'
the simulator's own: --shards 2  --stream-name orders  --timeout-seconds 3  --duration-ms 100  --seed 1
  --max-invocations 100000  --retention-hours 24  --window-grace-seconds 120  --function-name orders
SQS: --fifo  --visibility-timeout-seconds 30  --max-receive-count 3
Kafka: --Topics orders (or --topic orders)  --cluster msk|self-managed
  --ProvisionedPollerConfig '{"MinimumPollers":1}' (provisioned mode, which Kafka's error handling needs)

examples:
  lambda-stream-handlers simulate ./handler.ts#handler --source kinesis --records orders.jsonl --maximum-retry-attempts 2 --bisect-batch-on-function-error
  lambda-stream-handlers simulate ./handler.ts --source sqs --records messages.jsonl --max-receive-count 3 --function-response-types ReportBatchItemFailures
  lambda-stream-handlers simulate ./handler.ts --source kafka --records orders.jsonl --ProvisionedPollerConfig.MinimumPollers 1 --bisect-batch-on-function-error
  lambda-stream-handlers simulate ./handler.ts --source kinesis --records orders.jsonl --json > report.json`

const DEMO = `usage: lambda-stream-handlers demo [--records 600] [--json]

Starts kinesalite and dynalite in this process (on 127.0.0.1), puts a stream of order events with
malformed records, poison records and duplicates, and runs an idempotent orders handler and a
tumbling-window consumer on it with runLocal, as Lambda's event source mapping would; then prints
what happened. It needs the local servers and the AWS SDK: the first run says what to install.
--json prints the summary as JSON on stdout (the story goes to stderr).

examples:
  lambda-stream-handlers demo
  lambda-stream-handlers demo --records 2000 --json > summary.json`

/** Each command's help. */
export const HELP: Readonly<Record<string, string>> = { event: EVENT, invoke: INVOKE, simulate: SIMULATE, demo: DEMO, check: CHECK_HELP }

/** What the command alone, `help` or `--help` prints. */
export const USAGE = `usage: lambda-stream-handlers <command> [arguments] [--flags]

commands:
  event      print a Lambda event for Kinesis, DynamoDB Streams or SQS built from your payloads
  invoke     run a handler once on an event and print its response and a REPORT line
  simulate   run a handler as Lambda's event source mapping would, and say why records failed
  demo       run a handler on a local Kinesis stream with idempotency on a local table
  check      check the event source mappings of a CloudFormation or SAM template against a handler

lambda-stream-handlers <command> --help shows a command's usage and examples.`
