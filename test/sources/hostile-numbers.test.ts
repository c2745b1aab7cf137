import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { dynamodbHandler, silentLogger, sqsHandler } from 'lambda-stream-handlers'
import { attributeValues, dynamodbEvent, insert, sqsEvent } from 'lambda-stream-handlers/testing'

// Million-character numbers: a number parser with quadratic backtracking would block here for
// many minutes; a linear one refuses them at once. No timing is asserted, only that each finished.
const MILLION = 1_000_000
const hostile = {
  'digits then x': `${'1'.repeat(MILLION - 1)}x`,
  'one, zeros, one': `1${'0'.repeat(MILLION - 2)}1`,
}

describe('a hostile, million-character number fails its record', () => {
  it.each(Object.entries(hostile))('SQS Number attribute: %s', async (_name, text) => {
    const event = sqsEvent([{}, {}])
    event.Records[1]!.messageAttributes = { price: { dataType: 'Number', stringValue: text } as never }
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, eagerMeta: true }, () => {})
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid'])
    expect(report.outcomes[1]).toMatchObject({
      reason: {
        kind: 'decode',
        message: `Message attribute "price" (Number) is too long to be a number (${MILLION} characters; an SQS number, 38 digits from 10^-128 to 10^+126, takes at most 200).`,
      },
    })
  })

  it.each(Object.entries(hostile))('DynamoDB N: %s', async (_name, text) => {
    const handler = dynamodbHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, () => {})
    const event = dynamodbEvent([insert({ id: 'a' }), insert(attributeValues({ id: { S: 'b' }, total: { N: '1' } }))])
    event.Records[1]!.dynamodb!.NewImage!.total = { N: text } // set after building: the kit would read it to count SizeBytes
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'invalid'])
    expect(report.outcomes[1]).toMatchObject({
      reason: {
        kind: 'decode',
        path: 'NewImage.total',
        message: `NewImage.total has an N of ${MILLION} characters, too long for a number DynamoDB stores (38 significant digits, magnitudes from 1E-130 to under 1E+126).`,
      },
    })
  })

  it('DynamoDB NS: names the set member', async () => {
    const handler = dynamodbHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, () => {})
    const event = dynamodbEvent([insert(attributeValues({ id: { S: 'b' }, sizes: { NS: ['1', '2'] } }))])
    event.Records[0]!.dynamodb!.NewImage!.sizes = { NS: ['1', hostile['one, zeros, one']] }
    const report = await handler.process(event)
    expect(report.outcomes[0]).toMatchObject({
      status: 'invalid',
      reason: {
        kind: 'decode',
        path: 'NewImage.sizes',
        message: expect.stringMatching(/^NewImage\.sizes has NS\[1\] of 1000000 characters, too long/),
      },
    })
  })
})
