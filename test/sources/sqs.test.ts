import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, MalformedEventError, silentLogger, sqsHandler, type RecordOutcome, type SqsMeta } from 'lambda-stream-handlers'
import { lambdaContext, raw, sampleEvents, sqsEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Order = z.object({ orderId: z.string(), total: z.number() })
const orders = (n: number) => Array.from({ length: n }, (_, i) => ({ orderId: `o-${i}`, total: i }))
const reasons = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) =>
    o.status === 'ok'
      ? 'ok'
      : `${o.status}:${o.reason.kind}${o.status === 'invalid' || o.status === 'failed' ? ` ${o.reason.message}` : ''}`,
  )
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('sqsHandler: bodies and meta', () => {
  it('parses the body as JSON, validates it and passes the typed body with its meta', async () => {
    const seen: unknown[] = []
    const context = lambdaContext()
    const handler = sqsHandler(Order, (order, meta) => {
      seen.push({ order, meta })
    })
    const sentAt = new Date('2026-01-02T03:04:05.678Z')
    const event = sqsEvent(orders(2), { schema: Order, sentAt, receiveCount: (i) => i + 1 })
    expect(await handler(event, context)).toEqual({ batchItemFailures: [] })
    // Without middleware, the decoded fields are getters (computed when read): matched, not compared key by key.
    expect(seen).toMatchObject([
      {
        order: { orderId: 'o-0', total: 0 },
        meta: {
          record: event.Records[0],
          messageId: event.Records[0]!.messageId,
          receiveCount: 1,
          sentAt,
          firstReceivedAt: new Date(sentAt.getTime() + 10),
          messageGroupId: undefined,
          deduplicationId: undefined,
          sequenceNumber: undefined,
          attributes: {},
          context,
          logger: expect.anything(),
        },
      },
      expect.objectContaining({
        order: { orderId: 'o-1', total: 1 },
        meta: expect.objectContaining({ receiveCount: 2, sentAt: new Date(sentAt.getTime() + 1) }),
      }),
    ])
  })

  it("decodes 'text' and with a function of the text; a throwing function fails that record", async () => {
    const got: unknown[] = []
    const text = sqsHandler({ schema: z.string(), decode: 'text' }, (t) => void got.push(t))
    await text(sqsEvent([raw('plain words')]))
    const csv = sqsHandler({ schema: z.array(z.string()), decode: (t) => t.split(',') }, (a) => void got.push(a))
    await csv(sqsEvent([raw('a,b,c')]))
    expect(got).toEqual(['plain words', ['a', 'b', 'c']])
    const throwing = sqsHandler(
      {
        schema: z.unknown(),
        decode: () => {
          throw new Error('no parser for this')
        },
        logger: silentLogger,
        allFailed: 'report',
      },
      () => {},
    )
    expect(reasons((await throwing.process(sqsEvent([raw('x')]))).outcomes)).toEqual([
      'invalid:decode The decode function threw: no parser for this',
    ])
  })

  it('parses the AWS sample FIFO event as text', async () => {
    const seen: string[] = []
    const handler = sqsHandler({ schema: z.string(), decode: 'text' }, (body, meta) => {
      seen.push(
        `${body} ${meta.messageGroupId} ${meta.deduplicationId} ${meta.sequenceNumber} ${meta.receiveCount} ${meta.sentAt.toISOString()}`,
      )
    })
    expect(await handler(sampleEvents.sqsFifo())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual(['Test message. 1 1 18849496460467696128 1 2019-11-08T22:18:30.774Z'])
  })

  it('fails, with a reason and without the payload, bad JSON, a schema mismatch and broken metadata; the rest go on', async () => {
    const logger = memoryLogger()
    // eagerMeta: broken metadata fails the record before the record function runs (which reads none of it here).
    const handler = sqsHandler({ schema: Order, logger, eagerMeta: true }, () => {})
    const event = sqsEvent([
      { orderId: 'ok', total: 1 },
      raw('{"secret": "s3cr3t" oops'),
      { orderId: 'x', total: 'NaN' },
      { orderId: 'a', total: 2 },
      { orderId: 'b', total: 3 },
      { orderId: 'c', total: 4 },
    ])
    ;(event.Records[3]!.attributes as { ApproximateReceiveCount: string }).ApproximateReceiveCount = 'many'
    delete (event.Records[4]!.attributes as { SentTimestamp?: string }).SentTimestamp
    ;(event.Records[5] as { body: unknown }).body = null
    const report = await handler.process(event)
    expect(reasons(report.outcomes)).toEqual([
      'ok',
      expect.stringMatching(/^invalid:decode The data is not valid JSON: Expected ',' or '}' after property value/),
      'invalid:validation The body does not match the schema at total: Invalid input: expected number, received string',
      'invalid:decode attributes.ApproximateReceiveCount is not a whole number of 1 or more.',
      'invalid:decode attributes.SentTimestamp is missing.',
      'invalid:decode The body is not a string (it is null).',
    ])
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(1).map((r) => r.messageId))
    expect(JSON.stringify(logger.lines)).not.toContain('s3cr3t')
  })
})

describe('sqsHandler: delivery attributes', () => {
  it('reads receive counts and timestamps as plain decimal digits only', async () => {
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report', eagerMeta: true }, () => {})
    const counts = ['2', '0', '0x2', ' 2', '1e1', '']
    const times = ['1767225600000', '0x1', '1.5', '-1', '1767225600000 ', '12345678901234567']
    const event = sqsEvent([...counts, ...times].map(() => ({})))
    for (const [i, c] of counts.entries()) (event.Records[i]!.attributes as { ApproximateReceiveCount: string }).ApproximateReceiveCount = c
    for (const [i, t] of times.entries()) (event.Records[counts.length + i]!.attributes as { SentTimestamp: string }).SentTimestamp = t
    const report = await handler.process(event)
    expect(report.outcomes.map((o) => o.status)).toEqual([
      'ok',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'ok',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
    ])
  })
})

describe('sqsHandler: message attributes', () => {
  async function attributesOf(
    attrs: Parameters<typeof sqsEvent>[1] extends infer O
      ? O extends { messageAttributes?: infer A }
        ? Exclude<A, ((...args: never[]) => unknown) | undefined>
        : never
      : never,
  ) {
    let got: SqsMeta['attributes'] | undefined
    const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, allFailed: 'report' }, (_b, meta) => {
      got = meta.attributes
    })
    const report = await handler.process(sqsEvent([{}], { messageAttributes: attrs }))
    return { got, report }
  }

  it('decodes String, Number and Binary, custom suffixes included', async () => {
    const { got } = await attributesOf({
      tenant: 'acme',
      count: 42,
      blob: new Uint8Array([0, 255]),
      kind: { dataType: 'String.json', value: '{}' },
      img: { dataType: 'Binary.png', value: new Uint8Array([137]) },
    })
    expect(got).toEqual({
      tenant: { type: 'String', dataType: 'String', value: 'acme' },
      count: { type: 'Number', dataType: 'Number', value: 42, text: '42' },
      blob: { type: 'Binary', dataType: 'Binary', value: new Uint8Array([0, 255]) },
      kind: { type: 'String', dataType: 'String.json', value: '{}' },
      img: { type: 'Binary', dataType: 'Binary.png', value: new Uint8Array([137]) },
    })
    expect(Object.getPrototypeOf(got)).toBe(null)
  })

  it('never rounds a Number: exact ones are numbers, big whole ones bigints, over-precise decimals stay text', async () => {
    const n = (value: string) => ({ dataType: 'Number', value })
    const { got } = await attributesOf({
      safe: n('9007199254740991'),
      big: n('9007199254740993'),
      huge: n('-12345678901234567890123456789012345678'),
      half: n('0.5'),
      tenth: n('0.1'),
      exp: n('1.5E3'),
      zero: n('-0.000'),
      precise: n('0.12345678901234567890123456789'),
      bigDecimal: n('12345678901234567890.5'),
    })
    const values = Object.fromEntries(Object.entries(got!).map(([k, v]) => [k, v.value]))
    expect(values).toEqual({
      safe: 9007199254740991,
      big: 9007199254740993n,
      huge: -12345678901234567890123456789012345678n,
      half: 0.5,
      tenth: 0.1,
      exp: 1500,
      zero: -0,
      precise: '0.12345678901234567890123456789',
      bigDecimal: '12345678901234567890.5',
    })
  })

  it('fails the record, not the batch, for an attribute it cannot decode', async () => {
    const bad = async (attribute: Record<string, unknown>) => {
      const event = sqsEvent([{}, {}])
      event.Records[1]!.messageAttributes = { a: attribute as never }
      const handler = sqsHandler({ schema: z.unknown(), logger: silentLogger, eagerMeta: true }, () => {})
      const report = await handler.process(event)
      expect(report.outcomes[0]!.status).toBe('ok')
      return reasons(report.outcomes)[1]
    }
    expect(await bad({ dataType: 'Number', stringValue: 'twelve' })).toBe('invalid:decode Message attribute "a" (Number) is not a number.')
    expect(await bad({ dataType: 'Number', stringValue: '1e400x' })).toBe('invalid:decode Message attribute "a" (Number) is not a number.')
    expect(await bad({ dataType: 'String' })).toBe('invalid:decode Message attribute "a" (String) has no stringValue.')
    expect(await bad({ dataType: 'Binary', binaryValue: 'not base64!' })).toBe(
      'invalid:decode Message attribute "a" binaryValue is not valid base64 (11 characters that do not decode cleanly as standard base64).',
    )
    expect(await bad({ dataType: 'Date', stringValue: 'x' })).toBe(
      'invalid:decode Message attribute "a" has the data type "Date"; SQS knows String, Number and Binary.',
    )
    expect(await bad({ stringValue: 'x' })).toBe('invalid:decode Message attribute "a" has no dataType.')
  })

  it('keeps an attribute named __proto__ as data', async () => {
    const event = sqsEvent([{}])
    event.Records[0]!.messageAttributes = JSON.parse(
      '{"__proto__": {"dataType": "String", "stringValue": "x", "stringListValues": [], "binaryListValues": []}}',
    )
    let got: SqsMeta['attributes'] | undefined
    await sqsHandler(z.unknown(), (_b, meta) => void (got = meta.attributes))(event)
    expect(Object.keys(got!)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(got!, '__proto__')?.value).toEqual({ type: 'String', dataType: 'String', value: 'x' })
    expect(({} as Record<string, unknown>).dataType).toBeUndefined()
  })
})

describe('sqsHandler: standard queues', () => {
  it('runs messages concurrently, never more than `concurrency` at once (default 10), and reports each failure', async () => {
    for (const [options, bound] of [
      [{}, 10],
      [{ concurrency: 3 }, 3],
    ] as const) {
      let running = 0
      let peak = 0
      const handler = sqsHandler({ schema: Order, logger: silentLogger, ...options }, async (order) => {
        peak = Math.max(peak, ++running)
        await sleep(2)
        running--
        if (order.total % 5 === 0) throw new Error('fails')
      })
      const event = sqsEvent(orders(30))
      const report = await handler.process(event)
      expect(peak).toBe(bound)
      expect(report.outcomes.map((o) => o.status)).toEqual(orders(30).map((o) => (o.total % 5 === 0 ? 'failed' : 'ok')))
      expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
        event.Records.filter((_r, i) => i % 5 === 0).map((r) => r.messageId),
      )
    }
  })

  it("can be made to run in order with ordering: 'in-order'", async () => {
    const started: number[] = []
    const handler = sqsHandler({ schema: Order, logger: silentLogger, ordering: 'in-order' }, (o) => {
      started.push(o.total)
      if (o.total === 1) throw new Error('stop')
    })
    const report = await handler.process(sqsEvent(orders(4)))
    expect(started).toEqual([0, 1])
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'failed', 'skipped', 'skipped'])
  })

  it('throws AllRecordsFailedError when every message failed, or reports them all', async () => {
    const fail = () => {
      throw new Error('down')
    }
    const event = sqsEvent(orders(3))
    await expect(sqsHandler({ schema: Order, logger: silentLogger }, fail)(event)).rejects.toThrow(/All 3 records of the batch failed/)
    expect(await sqsHandler({ schema: Order, logger: silentLogger, allFailed: 'report' }, fail)(event)).toEqual({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    })
  })

  it('stops starting messages near the deadline and reports the unstarted ones', async () => {
    let now = 0
    const handler = sqsHandler({ schema: Order, logger: silentLogger, concurrency: 1, deadlineMarginMs: 1000 }, () => void (now += 600))
    const event = sqsEvent(orders(6))
    const report = await handler.process(event, lambdaContext({ timeoutMs: 3000, now: () => now }))
    expect(report.outcomes.map((o) => o.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'skipped', 'skipped'])
    expect(report.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(4).map((r) => r.messageId))
  })

  it('skips or hands off invalid messages with onInvalid, as for every source', async () => {
    const handedOff: string[] = []
    const event = sqsEvent([raw('bad'), { orderId: 'a', total: 1 }])
    const handler = sqsHandler(
      { schema: Order, logger: silentLogger, onInvalid: ({ id, record }) => void handedOff.push(`${id === record.messageId}`) },
      () => {},
    )
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(handedOff).toEqual(['true'])
  })
})

describe('sqsHandler: FIFO queues', () => {
  const Step = z.object({ group: z.string(), n: z.number() })
  const steps = (spec: string) => spec.split(' ').map((s) => ({ group: s[0]!, n: Number(s.slice(1)) }))

  async function runFifo(event: ReturnType<typeof sqsEvent>, failing: string[], options: { concurrency?: number } = {}) {
    const started: string[] = []
    let running = 0
    let peak = 0
    const handler = sqsHandler({ schema: Step, logger: silentLogger, allFailed: 'report', ...options }, async (s) => {
      peak = Math.max(peak, ++running)
      started.push(`${s.group}${s.n}`)
      await sleep(1)
      running--
      if (failing.includes(`${s.group}${s.n}`)) throw new Error('fails')
    })
    const report = await handler.process(event)
    const ids = event.Records.map((r) => r.messageId)
    const reported = report.batchItemFailures.map((f) => {
      const b = JSON.parse(event.Records[ids.indexOf(f.itemIdentifier)]!.body)
      return `${b.group}${b.n}`
    })
    return { started, reported, peak, report }
  }

  it('keeps order within a group; a failure reports it and the rest of its group, unstarted; other groups go on', async () => {
    const list = steps('a1 b1 a2 c1 b2 a3 c2 b3 a4')
    const event = sqsEvent(list, { schema: Step, messageGroupId: (s) => (s as { group: string }).group })
    const { started, reported, report } = await runFifo(event, ['a2', 'c1'])
    expect(started.filter((s) => s.startsWith('a'))).toEqual(['a1', 'a2'])
    expect(started.filter((s) => s.startsWith('b'))).toEqual(['b1', 'b2', 'b3'])
    expect(started.filter((s) => s.startsWith('c'))).toEqual(['c1'])
    expect(reported).toEqual(['a2', 'c1', 'a3', 'c2', 'a4'])
    expect(event.Records.map((r) => r.attributes.MessageGroupId).join('')).toBe('abacbacba')
    expect(report.outcomes.filter((o) => o.status === 'skipped').map((o) => o.reason.kind)).toEqual([
      'after-failure',
      'after-failure',
      'after-failure',
    ])
  })

  it('recognises FIFO from the .fifo ARN alone and from MessageGroupId alone', async () => {
    // A .fifo ARN whose records lack a group (not seen from SQS) keeps the batch's order.
    const arnOnly = sqsEvent(steps('a1 a2 a3'))
    for (const r of arnOnly.Records) r.eventSourceARN += '.fifo'
    expect((await runFifo(arnOnly, ['a2'])).reported).toEqual(['a2', 'a3'])
    const groupsOnly = sqsEvent(steps('a1 a2 a3'), { messageGroupId: (s) => (s as { group: string }).group })
    for (const r of groupsOnly.Records) r.eventSourceARN = r.eventSourceARN.replace('.fifo', '')
    expect((await runFifo(groupsOnly, ['a1'])).reported).toEqual(['a1', 'a2', 'a3'])
  })

  it('runs groups concurrently up to `concurrency`', async () => {
    const list = Array.from({ length: 12 }, (_, i) => ({ group: String.fromCharCode(97 + (i % 6)), n: i }))
    const event = sqsEvent(list, { schema: Step, messageGroupId: (s) => (s as { group: string }).group })
    expect((await runFifo(event, [])).peak).toBe(6)
    expect((await runFifo(event, [], { concurrency: 2 })).peak).toBe(2)
  })
})

describe('sqsHandler: SNS envelope', () => {
  it('checks the SNS Message with the schema and gives the notification in meta.sns', async () => {
    const seen: unknown[] = []
    const handler = sqsHandler({ schema: Order, envelope: 'sns' }, (order, meta) => {
      seen.push({ order, sns: meta.sns, receiveCount: meta.receiveCount })
    })
    const sentAt = new Date('2026-03-04T05:06:07.100Z')
    const event = sqsEvent([{ orderId: 'o-1', total: 5 }], {
      envelope: 'sns',
      sentAt,
      sns: { topicArn: 'arn:aws:sns:us-east-1:123456789012:orders', subject: 'new order', messageAttributes: { tenant: 'acme' } },
    })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    const notification = JSON.parse(event.Records[0]!.body)
    expect(seen).toEqual([
      {
        order: { orderId: 'o-1', total: 5 },
        receiveCount: 1,
        sns: {
          messageId: notification.MessageId,
          topicArn: 'arn:aws:sns:us-east-1:123456789012:orders',
          subject: 'new order',
          publishedAt: new Date('2026-03-04T05:06:07.095Z'),
          messageAttributes: { tenant: { type: 'String', value: 'acme' } },
          notification,
        },
      },
    ])
  })

  it("decodes the Message with `decode` ('text' here)", async () => {
    const got: string[] = []
    const handler = sqsHandler(
      { schema: z.string(), envelope: 'sns', decode: 'text' },
      (t, meta) => void got.push(`${t} ${meta.sns.subject}`),
    )
    await handler(sqsEvent([raw('hello')], { envelope: 'sns' }))
    expect(got).toEqual(['hello undefined'])
  })

  it('fails a body that is not an SNS notification, saying what is wrong', async () => {
    const handler = sqsHandler({ schema: Order, envelope: 'sns', logger: silentLogger, allFailed: 'report' }, () => {})
    const good = JSON.parse(sqsEvent([{ orderId: 'o', total: 1 }], { envelope: 'sns' }).Records[0]!.body)
    const { Timestamp: _t, ...noTimestamp } = good
    const event = sqsEvent([
      raw('not json'),
      { orderId: 'o', total: 1 }, // raw message delivery: the body is the message itself
      { ...good, Type: 'SubscriptionConfirmation' },
      { ...good, Message: { orderId: 'o', total: 1 } },
      noTimestamp,
      { ...good, Message: '{"orderId": 7}' },
      [1],
    ])
    expect(reasons((await handler.process(event)).outcomes)).toEqual([
      expect.stringMatching(/^invalid:decode The body is not an SNS notification: The data is not valid JSON/),
      'invalid:decode The body is not an SNS notification: `Type` is undefined, not "Notification". (With raw message delivery on, the body is the message itself: drop `envelope: \'sns\'`.)',
      'invalid:decode The body is not an SNS notification: `Type` is "SubscriptionConfirmation", not "Notification". (With raw message delivery on, the body is the message itself: drop `envelope: \'sns\'`.)',
      "invalid:decode The body is not an SNS notification: `Message` is not a string. (With raw message delivery on, the body is the message itself: drop `envelope: 'sns'`.)",
      'invalid:decode The body is not an SNS notification: `Timestamp` is missing.',
      'invalid:validation The SNS message does not match the schema at orderId: Invalid input: expected string, received number (and 1 more issue)',
      'invalid:decode The body is not an SNS notification: it is JSON but not an object.',
    ])
  })
})

describe('sqsHandler: EventBridge envelope', () => {
  it('checks detail with the schema and gives the event in meta.eventBridge', async () => {
    const seen: unknown[] = []
    const handler = sqsHandler({ schema: Order, envelope: 'eventbridge' }, (order, meta) => void seen.push({ order, eb: meta.eventBridge }))
    const event = sqsEvent([{ orderId: 'o-1', total: 5 }], {
      envelope: 'eventbridge',
      sentAt: new Date('2026-03-04T05:06:07.100Z'),
      eventBridge: { source: 'shop.orders', detailType: 'Order Placed', resources: ['arn:aws:events:us-east-1:123456789012:rule/r'] },
    })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    const body = JSON.parse(event.Records[0]!.body)
    expect(seen).toEqual([
      {
        order: { orderId: 'o-1', total: 5 },
        eb: {
          id: body.id,
          source: 'shop.orders',
          detailType: 'Order Placed',
          account: '123456789012',
          region: 'us-east-1',
          time: new Date('2026-03-04T05:06:07Z'),
          resources: ['arn:aws:events:us-east-1:123456789012:rule/r'],
          event: body,
        },
      },
    ])
  })

  it('fails a body that is not an EventBridge event, saying what is wrong', async () => {
    const handler = sqsHandler({ schema: Order, envelope: 'eventbridge', logger: silentLogger, allFailed: 'report' }, () => {})
    const good = JSON.parse(sqsEvent([{ orderId: 'o', total: 1 }], { envelope: 'eventbridge' }).Records[0]!.body)
    const { detail: _d, ...noDetail } = good
    const event = sqsEvent(
      [
        raw('{"orderId": "o", "total": 1}'),
        raw(JSON.stringify(noDetail)),
        raw(JSON.stringify({ ...good, 'detail-type': 3 })),
        raw(JSON.stringify({ ...good, detail: { orderId: 1 } })),
        raw('nope'),
      ],
      {
        envelope: 'eventbridge',
      },
    )
    expect(reasons((await handler.process(event)).outcomes)).toEqual([
      'invalid:decode The body is not an EventBridge event: `detail` is missing.',
      'invalid:decode The body is not an EventBridge event: `detail` is missing.',
      'invalid:decode The body is not an EventBridge event: `detail-type` is not a string.',
      'invalid:validation The EventBridge detail does not match the schema at orderId: Invalid input: expected string, received number (and 1 more issue)',
      expect.stringMatching(/^invalid:decode The body is not an EventBridge event: The data is not valid JSON/),
    ])
  })
})

describe('sqsHandler: malformed events and options', () => {
  const handler = sqsHandler({ schema: Order, logger: silentLogger }, () => {})

  it.each([
    [undefined, /sqsHandler expected an event with a `Records` array; received undefined/],
    [{ Records: [{ eventSource: 'aws:kinesis' }] }, /record that is not from SQS at Records\[0\] \(eventSource "aws:kinesis"\)/],
    [{ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, /without a messageId at Records\[0\]/],
  ])('throws MalformedEventError for %j', async (event, message) => {
    await expect(handler(event as never)).rejects.toThrow(MalformedEventError)
    await expect(handler(event as never)).rejects.toThrow(message)
  })

  it('accepts an empty batch', async () => {
    expect(await handler({ Records: [] })).toEqual({ batchItemFailures: [] })
  })

  it.each([
    [{ schema: Order, decode: 'bytes' }, /`decode` must be 'json', 'text' or a function of the body text; received "bytes"/],
    [{ schema: Order, envelope: 'sqs' }, /`envelope` must be 'sns' or 'eventbridge'; received "sqs"/],
    [{ schema: Order, envelope: 'eventbridge', decode: 'text' }, /`decode` does not apply with `envelope: 'eventbridge'`/],
    [{ schema: Order, envelop: 'sns' }, /unknown option `envelop`; the options are .*decode, envelope/],
    [{ schema: Order, concurrency: 2000 }, /`concurrency` must be a whole number from 1 to 1000/],
    [{ schema: Order, ordering: 'in-order', concurrency: 2 }, /`concurrency` needs `ordering: 'per-key'` or `'unordered'`/],
  ])('refuses bad options when the handler is built: %j', (options, message) => {
    const build = () => sqsHandler(options as never, () => {})
    expect(build).toThrow(ConfigurationError)
    expect(build).toThrow(message)
  })

  it('takes `concurrency` without an ordering (the queue decides) and in the builder form', async () => {
    const seen: string[] = []
    const built = sqsHandler({ schema: Order, concurrency: 2 })
      .use<{ tag: string }>((next) => (o, meta) => next(o, { ...meta, tag: 't' }))
      .handle((o, meta) => void seen.push(`${o.orderId} ${meta.tag} ${meta.receiveCount}`))
    await built(sqsEvent(orders(2)))
    expect(seen.sort()).toEqual(['o-0 t 1', 'o-1 t 1'])
  })
})

describe('sqsEvent', () => {
  it('builds records shaped as Lambda delivers them', () => {
    const sentAt = new Date('2026-01-01T00:00:00.000Z')
    const event = sqsEvent([{ a: 1 }, raw('text body')], { sentAt, region: 'eu-west-1', accountId: '111122223333', queueName: 'jobs' })
    const [r0, r1] = event.Records
    expect(r0).toEqual({
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      receiptHandle: expect.stringMatching(/^AQEB/),
      body: '{"a":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1767225600000',
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: '1767225600010',
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update('{"a":1}').digest('hex'),
      md5OfMessageAttributes: null,
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:jobs',
      awsRegion: 'eu-west-1',
    })
    expect(r1!.body).toBe('text body')
    expect(r1!.messageId).not.toBe(r0!.messageId)
  })

  it('builds FIFO records: group, content-based deduplication id, increasing sequence numbers', () => {
    const event = sqsEvent([{ n: 1 }, { n: 2 }], { messageGroupId: 'g', deduplicationId: (_b, i) => (i === 0 ? 'd-0' : 'd-1') })
    expect(event.Records.map((r) => r.attributes.MessageGroupId)).toEqual(['g', 'g'])
    expect(event.Records.map((r) => r.attributes.MessageDeduplicationId)).toEqual(['d-0', 'd-1'])
    const [s0, s1] = event.Records.map((r) => BigInt(r.attributes.SequenceNumber!))
    expect(s1! > s0!).toBe(true)
    expect(event.Records[0]!.eventSourceARN).toBe('arn:aws:sqs:us-east-1:123456789012:test-queue.fifo')
    const contentBased = sqsEvent([{ n: 1 }], { fifo: true }).Records[0]!
    expect(contentBased.attributes.MessageDeduplicationId).toBe(createHash('sha256').update('{"n":1}').digest('hex'))
    expect(contentBased.attributes.MessageGroupId).toBe('group-0')
  })

  it('computes md5OfMessageAttributes as SQS does (checked against a real server in sqs.integration.test.ts), whatever the attribute order', () => {
    const md5 = (attributes: Record<string, string | bigint>) =>
      sqsEvent([{}], { messageAttributes: attributes }).Records[0]!.md5OfMessageAttributes
    expect(md5({ b: 'x', a: 1n })).toMatch(/^[0-9a-f]{32}$/)
    expect(md5({ b: 'x', a: 1n })).toBe(md5({ a: 1n, b: 'x' }))
    expect(md5({ b: 'x', a: 2n })).not.toBe(md5({ a: 1n, b: 'x' }))
  })
})
