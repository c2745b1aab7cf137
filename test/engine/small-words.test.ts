import { expect, it } from 'vitest'
import * as z from 'zod'
import { AllRecordsFailedError, ConfigurationError, kinesisHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { kinesisEvent, raw } from 'lambda-stream-handlers/testing'

it('a zod shape passed as the schema says what was meant', () => {
  const shape = { orderId: z.string(), total: z.number() }
  expect(() => kinesisHandler(shape as never, () => {})).toThrow(ConfigurationError)
  expect(() => sqsHandler(shape as never, () => {})).toThrow(
    'sqsHandler: expected a schema; received an options object without `schema` whose fields are schemas: did you mean `z.object({...})`?',
  )
})

it('one failed record is "The only record", not "All 1 records"', async () => {
  const handler = kinesisHandler({ schema: z.number(), logger: silentLogger }, () => {
    throw new Error('no')
  })
  const error = await handler(kinesisEvent([1])).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(AllRecordsFailedError)
  expect((error as Error).message).toMatch(/^The only record of the batch failed; throwing/)
  const two = await handler(kinesisEvent([1, 2])).catch((e: unknown) => e)
  expect((two as Error).message).toMatch(/^All 2 records of the batch failed/)
})

it("a report written as JSON says what each reason's error was", async () => {
  const handler = kinesisHandler({ schema: z.number(), logger: silentLogger, allFailed: 'report', ordering: 'unordered' }, () => {
    throw new TypeError('downstream refused')
  })
  const report = await handler.process(kinesisEvent([1, raw('not json')]))
  const written = JSON.parse(JSON.stringify(report)) as { outcomes: { reason: { kind: string; error: unknown } }[] }
  expect(written.outcomes[0]?.reason).toEqual({
    kind: 'handler',
    message: 'downstream refused',
    error: { name: 'TypeError', message: 'downstream refused' },
  })
  expect(written.outcomes[1]?.reason.error).toEqual({ name: 'Error', message: expect.stringMatching(/^The data is not valid JSON/) })
  // In memory the error is still the Error itself.
  expect(report.outcomes[0]).toMatchObject({ reason: { error: expect.any(TypeError) } })
})
