// The CDK form: a Kinesis stream feeding the orders function, with every setting the checker asks for.
import { type App, Duration, Stack } from 'aws-cdk-lib'
import * as kinesis from 'aws-cdk-lib/aws-kinesis'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import * as sqs from 'aws-cdk-lib/aws-sqs'

export function ordersStack(app: App, careful: boolean): Stack {
  const stack = new Stack(app, 'Orders')
  const stream = new kinesis.Stream(stack, 'OrderStream', { shardCount: 2 })
  const fn = new lambda.Function(stack, 'OrdersFunction', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'orders.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(30),
  })
  if (!careful) {
    fn.addEventSource(new KinesisEventSource(stream, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }))
    return stack
  }
  fn.addEventSource(
    new KinesisEventSource(stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      reportBatchItemFailures: true, // FunctionResponseTypes: [ReportBatchItemFailures]
      retryAttempts: 3, // MaximumRetryAttempts
      bisectBatchOnError: true, // BisectBatchOnFunctionError
      maxRecordAge: Duration.hours(1), // MaximumRecordAgeInSeconds
      onFailure: new SqsDlq(new sqs.Queue(stack, 'OrderFailures')), // DestinationConfig.OnFailure
    }),
  )
  return stack
}
