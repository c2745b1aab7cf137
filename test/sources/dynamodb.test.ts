import type { DynamoDBStreamEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'
import { ConfigurationError, dynamodbHandler, MalformedEventError, silentLogger, type RecordOutcome } from 'lambda-stream-handlers'
import {
  attributeValues,
  dynamodbEvent,
  insert,
  lambdaContext,
  modify,
  remove,
  sampleEvents,
  ttlDelete,
} from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Item = z.object({ id: z.string(), status: z.enum(['NEW', 'PAID']), total: z.number() })
const a0: z.input<typeof Item> = { id: 'a', status: 'NEW', total: 1 }
const a1: z.input<typeof Item> = { id: 'a', status: 'PAID', total: 1 }
const reasons = (outcomes: readonly RecordOutcome[]) =>
  outcomes.map((o) => (o.status === 'ok' ? 'ok' : `${o.status}:${o.reason.kind}${o.reason.path === undefined ? '' : `@${o.reason.path}`}`))
const seqs = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb!.SequenceNumber!)

describe('dynamodbHandler: changes by eventName and view type', () => {
  it('gives INSERT the new image, MODIFY both, REMOVE the old one, each with its keys (NEW_AND_OLD_IMAGES, the default)', async () => {
    const seen: unknown[] = []
    const handler = dynamodbHandler(Item, (change) => void seen.push({ ...change }))
    const event = dynamodbEvent([insert(a0), modify(a0, a1), remove(a1)], { schema: Item })
    expect(await handler(event, lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      { eventName: 'INSERT', keys: { id: 'a' }, newImage: a0 },
      { eventName: 'MODIFY', keys: { id: 'a' }, oldImage: a0, newImage: a1, diff: expect.any(Function) },
      { eventName: 'REMOVE', keys: { id: 'a' }, oldImage: a1 },
    ])
  })

  it.each([
    [
      'NEW_IMAGE',
      [
        { eventName: 'INSERT', keys: { id: 'a' }, newImage: a0 },
        { eventName: 'MODIFY', keys: { id: 'a' }, newImage: a1 },
        { eventName: 'REMOVE', keys: { id: 'a' } },
      ],
    ],
    [
      'OLD_IMAGE',
      [
        { eventName: 'INSERT', keys: { id: 'a' } },
        { eventName: 'MODIFY', keys: { id: 'a' }, oldImage: a0 },
        { eventName: 'REMOVE', keys: { id: 'a' }, oldImage: a1 },
      ],
    ],
  ] as const)('follows the %s view', async (streamViewType, expected) => {
    const seen: unknown[] = []
    const handler = dynamodbHandler({ schema: Item, streamViewType }, (change) => void seen.push({ ...change }))
    await handler(dynamodbEvent([insert(a0), modify(a0, a1), remove(a1)], { schema: Item, streamViewType }))
    expect(seen).toEqual(expected)
  })

  it('handles a KEYS_ONLY stream with a schema for the keys alone', async () => {
    const Key = z.object({ pk: z.string(), sk: z.coerce.number() })
    const seen: unknown[] = []
    const handler = dynamodbHandler({ schema: Key, streamViewType: 'KEYS_ONLY' }, (change) => void seen.push(change))
    const event = dynamodbEvent([insert({ pk: 'p', sk: 1 }), remove({ pk: 'p', sk: 2 })], {
      schema: Key,
      keys: ['pk', 'sk'],
      streamViewType: 'KEYS_ONLY',
    })
    expect(event.Records[0]!.dynamodb).not.toHaveProperty('NewImage')
    await handler(event)
    expect(seen).toEqual([
      { eventName: 'INSERT', keys: { pk: 'p', sk: 1 } },
      { eventName: 'REMOVE', keys: { pk: 'p', sk: 2 } },
    ])
  })

  it('fails, with a reason that says what to change, a record without an image its view promises', async () => {
    const handler = dynamodbHandler({ schema: Item, ordering: 'unordered', logger: silentLogger, allFailed: 'report' }, () => {})
    const event = dynamodbEvent([insert(a0), modify(a0, a1)], { schema: Item, streamViewType: 'NEW_IMAGE' })
    const report = await handler.process(event)
    // Every record says its view type, so the INSERT fails too, at once, not only the first MODIFY.
    expect(reasons(report.outcomes)).toEqual(['invalid:decode@StreamViewType', 'invalid:decode@StreamViewType'])
    expect(report.outcomes[1]).toMatchObject({
      reason: {
        message:
          "The MODIFY record's StreamViewType is \"NEW_IMAGE\", which gives no OldImage, as streamViewType 'NEW_AND_OLD_IMAGES' promises; set the handler's streamViewType to the stream's view type.",
      },
    })
    // A record that says nothing of its view (a change delivered through Kinesis) and lacks an image fails when it is read.
    delete (event.Records[1]!.dynamodb as { StreamViewType?: string }).StreamViewType
    expect(reasons((await handler.process(event)).outcomes)[1]).toBe('invalid:decode@OldImage')
  })

  it('ignores an image the view does not need, without validating it', async () => {
    const seen: unknown[] = []
    const handler = dynamodbHandler({ schema: Item, streamViewType: 'NEW_IMAGE' }, (change) => void seen.push({ ...change }))
    const event = dynamodbEvent([modify(attributeValues({ id: { S: 'a' }, total: { N: 'not a number' } }), a1)], { schema: Item })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([{ eventName: 'MODIFY', keys: { id: 'a' }, newImage: a1 }])
  })
})

describe('dynamodbHandler: the diff of a MODIFY', () => {
  const Doc = z.object({
    id: z.string(),
    title: z.string().optional(),
    tags: z.set(z.string()).optional(),
    blob: z.instanceof(Uint8Array).optional(),
    meta: z.object({ n: z.number(), list: z.array(z.number()) }).optional(),
    gone: z.boolean().optional(),
    added: z.number().optional(),
  })
  const diffOf = async (before: z.input<typeof Doc>, after: z.input<typeof Doc>) => {
    let diff: unknown
    const handler = dynamodbHandler(Doc, (change) => {
      if (change.eventName === 'MODIFY')
        diff = { ...change.diff(), title: change.diff().touches('title'), tagsOrBlob: change.diff().touches('tags', 'blob') }
    })
    await handler(dynamodbEvent([modify(before, after)], { schema: Doc }))
    return diff
  }

  it('names added, removed and changed top-level attributes, with deep equality', async () => {
    const before = {
      id: 'd',
      title: 't',
      tags: new Set(['x', 'y']),
      blob: new Uint8Array([1, 2]),
      meta: { n: 1, list: [1, 2] },
      gone: true,
    }
    expect(
      await diffOf(before, {
        id: 'd',
        title: 't',
        tags: new Set(['y', 'x']),
        blob: new Uint8Array([1, 2]),
        meta: { n: 1, list: [1, 2] },
        added: 5,
      }),
    ).toEqual({
      added: ['added'],
      removed: ['gone'],
      changed: [],
      touches: expect.any(Function),
      title: false,
      tagsOrBlob: false,
    })
    expect(
      await diffOf(before, { ...before, tags: new Set(['x']), blob: new Uint8Array([1, 3]), meta: { n: 1, list: [2, 1] } }),
    ).toMatchObject({
      added: [],
      removed: [],
      changed: ['tags', 'blob', 'meta'],
      tagsOrBlob: true,
    })
  })

  it('compares the schema outputs: attributes the schema strips never count as changes', async () => {
    expect(await diffOf({ id: 'd', title: 't', extra: 1 } as never, { id: 'd', title: 't', extra: 2 } as never)).toMatchObject({
      added: [],
      removed: [],
      changed: [],
    })
  })
})

describe('dynamodbHandler: meta', () => {
  it('tells a TTL delete from a user delete, and gives the sequence number and creation time', async () => {
    const seen: unknown[] = []
    const handler = dynamodbHandler(Item, (change, meta) => {
      seen.push([change.eventName, meta.ttlDelete, meta.sequenceNumber, meta.createdAt?.toISOString()])
    })
    const event = dynamodbEvent([remove(a1), ttlDelete(a1)], { schema: Item, createdAt: new Date('2026-03-04T05:06:07.890Z') })
    await handler(event)
    expect(event.Records[1]!.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' })
    expect(seen).toEqual([
      ['REMOVE', false, event.Records[0]!.dynamodb!.SequenceNumber, '2026-03-04T05:06:07.000Z'],
      ['REMOVE', true, event.Records[1]!.dynamodb!.SequenceNumber, '2026-03-04T05:06:07.000Z'],
    ])
  })

  it('does not take a REMOVE by another service principal, or an INSERT, for a TTL delete', async () => {
    const flags: boolean[] = []
    const handler = dynamodbHandler(Item, (_c, meta) => void flags.push(meta.ttlDelete))
    const event = dynamodbEvent([insert(a0), remove(a0)], { schema: Item })
    event.Records[0]!.userIdentity = { type: 'Service', principalId: 'dynamodb.amazonaws.com' }
    event.Records[1]!.userIdentity = { type: 'Service', principalId: 'replication.dynamodb.amazonaws.com' }
    await handler(event)
    expect(flags).toEqual([false, false])
  })
})

describe('dynamodbHandler: the AWS sample event (Lambda Developer Guide, with-ddb-example.html)', () => {
  it('gives the expected changes', async () => {
    const Message = z.object({ Id: z.number(), Message: z.string() })
    const seen: unknown[] = []
    const handler = dynamodbHandler(
      Message,
      (change, meta) => void seen.push({ ...change, seq: meta.sequenceNumber, createdAt: meta.createdAt }),
    )
    expect(await handler(sampleEvents.dynamodb(), lambdaContext())).toEqual({ batchItemFailures: [] })
    expect(seen).toEqual([
      { eventName: 'INSERT', keys: { Id: 101 }, newImage: { Id: 101, Message: 'New item!' }, seq: '111', createdAt: undefined },
      {
        eventName: 'MODIFY',
        keys: { Id: 101 },
        oldImage: { Id: 101, Message: 'New item!' },
        newImage: { Id: 101, Message: 'This item has changed' },
        diff: expect.any(Function),
        seq: '222',
        createdAt: undefined,
      },
      { eventName: 'REMOVE', keys: { Id: 101 }, oldImage: { Id: 101, Message: 'This item has changed' }, seq: '333', createdAt: undefined },
    ])
  })

  it('is what the builder makes from the same items, SizeBytes included', () => {
    const sample = sampleEvents.dynamodb()
    const m0 = { Message: 'New item!', Id: 101 }
    const m1 = { Message: 'This item has changed', Id: 101 }
    const built = dynamodbEvent([insert(m0), modify(m0, m1), remove(m1)], { keys: ['Id'] })
    expect(
      built.Records.map((r) => ({
        eventName: r.eventName,
        ...r.dynamodb,
        ApproximateCreationDateTime: undefined,
        SequenceNumber: undefined,
      })),
    ).toEqual(
      sample.Records.map((r) => ({
        eventName: r.eventName,
        ...r.dynamodb,
        ApproximateCreationDateTime: undefined,
        SequenceNumber: undefined,
      })),
    )
  })
})

describe('dynamodbHandler: bad records fail that record, naming the attribute', () => {
  const bad = {
    'no type key': [
      { id: { S: 'x' }, status: { S: 'NEW' }, total: {} },
      'total',
      'total has no type key; an AttributeValue has exactly one of S, N, B, SS, NS, BS, M, L, NULL or BOOL.',
    ],
    'two type keys': [
      { id: { S: 'x' }, status: { S: 'NEW', N: '1' }, total: { N: '1' } },
      'status',
      'status has two type keys (S and N); an AttributeValue has exactly one.',
    ],
    'an N that is not a number': [
      { id: { S: 'x' }, status: { S: 'NEW' }, total: { N: 's3cr3t' } },
      'total',
      'total has an N that is not a decimal number.',
    ],
    'a wrong JSON type, nested': [
      { id: { S: 'x' }, status: { S: 'NEW' }, total: { N: '1' }, more: { L: [{ M: { deep: { S: 7 } } }] } },
      'more[0].deep',
      'more[0].deep has S that is a number; S must be a string.',
    ],
    'an unknown type': [
      { id: { S: 'x' }, status: { S: 'NEW' }, total: { D: '1' } },
      'total',
      'total has an unknown type key; expected one of S, N, B, SS, NS, BS, M, L, NULL or BOOL.',
    ],
  } as const

  it.each(Object.entries(bad))('%s', async (_name, [image, path, problem]) => {
    const logger = memoryLogger()
    const handler = dynamodbHandler({ schema: Item, logger, allFailed: 'report' }, () => {})
    const event = dynamodbEvent([insert(attributeValues(image))], { schema: Item })
    const report = await handler.process(event)
    expect(report.outcomes[0]).toMatchObject({
      status: 'invalid',
      reason: { kind: 'decode', path: `NewImage.${path}`, message: `NewImage.${problem}` },
    })
    expect(JSON.stringify(logger.lines)).not.toContain('s3cr3t')
  })

  it('fails a record whose image does not match the schema, naming the image and the field', async () => {
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, allFailed: 'report' }, () => {})
    const report = await handler.process(dynamodbEvent([modify(a0, { ...a1, total: 'x' } as never)], { schema: Item }))
    expect(report.outcomes[0]).toMatchObject({
      status: 'invalid',
      reason: {
        kind: 'validation',
        path: 'NewImage.total',
        message: 'The NewImage does not match the schema at total: Invalid input: expected number, received string',
      },
    })
  })

  it('fails a record with an unknown eventName or without Keys, not the batch', async () => {
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, ordering: 'unordered' }, () => {})
    const event = dynamodbEvent([insert(a0), insert(a0), insert(a0)], { schema: Item })
    ;(event.Records[0] as { eventName: string }).eventName = 'UPSERT'
    delete event.Records[1]!.dynamodb!.Keys
    const report = await handler.process(event)
    expect(reasons(report.outcomes)).toEqual(['invalid:decode', 'invalid:decode@Keys', 'ok'])
    expect(report.outcomes[0]).toMatchObject({
      reason: { message: "The record's eventName is not INSERT, MODIFY or REMOVE (it is a string of 6 characters)." },
    })
  })
})

describe('dynamodbHandler: numbers are never rounded', () => {
  const Big = z.object({ id: z.string(), n: z.union([z.number(), z.bigint(), z.string()]) })
  const image = (n: string) => attributeValues({ id: { S: 'b' }, n: { N: n } })
  const run = async (options: { unsafeNumbers?: 'bigint' | 'string' | 'fail' }, n: string) => {
    const got: unknown[] = []
    const handler = dynamodbHandler(
      { schema: Big, logger: silentLogger, allFailed: 'report', ...options },
      (c) => void (c.eventName === 'INSERT' && got.push(c.newImage.n)),
    )
    const report = await handler.process(dynamodbEvent([insert(image(n))]))
    return report.outcomes[0]!.status === 'ok' ? got[0] : report.outcomes[0]
  }

  it('gives a bigint for an integer beyond 2^53 by default, and a number for anything a double holds', async () => {
    expect(await run({}, '9007199254740993')).toBe(9007199254740993n)
    expect(await run({}, '-123456789012345678901234567890')).toBe(-123456789012345678901234567890n)
    expect(await run({}, '9007199254740991')).toBe(9007199254740991)
    expect(await run({}, '0.1')).toBe(0.1)
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the 15-digit literal DynamoDB sends, not π
    expect(await run({}, '3.14159265358979')).toBe(3.14159265358979)
    expect(await run({}, '1.5E-7')).toBe(1.5e-7)
    // An integer beyond 2^53 however it is written: a bigint, so the same attribute never switches type.
    expect(await run({}, '1.5E+30')).toBe(1_500_000_000_000_000_000_000_000_000_000n)
  })

  it('fails the record for a decimal with more digits than a double keeps, unless asked for text', async () => {
    expect(await run({}, '0.1000000000000000000001')).toMatchObject({
      status: 'invalid',
      reason: {
        kind: 'decode',
        path: 'NewImage.n',
        message: expect.stringMatching(/^NewImage.n is a number that has 22 significant digits.*set `unsafeNumbers: 'string'`/),
      },
    })
    expect(await run({ unsafeNumbers: 'string' }, '0.1000000000000000000001')).toBe('0.1000000000000000000001')
    expect(await run({ unsafeNumbers: 'string' }, '9007199254740993')).toBe('9007199254740993')
    expect(await run({ unsafeNumbers: 'fail' }, '9007199254740993')).toMatchObject({
      status: 'invalid',
      reason: { path: 'NewImage.n', message: expect.stringMatching(/beyond ±\(2\^53 − 1\)/) },
    })
  })

  it('lets a schema that wants a number refuse a bigint at that field', async () => {
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, allFailed: 'report' }, () => {})
    const report = await handler.process(
      dynamodbEvent([insert(attributeValues({ id: { S: 'x' }, status: { S: 'NEW' }, total: { N: '12345678901234567890' } }))]),
    )
    expect(report.outcomes[0]).toMatchObject({ status: 'invalid', reason: { kind: 'validation', path: 'NewImage.total' } })
  })
})

describe('dynamodbHandler: prototype safety', () => {
  it('keeps __proto__ and constructor attributes as own properties and changes no prototype', async () => {
    const seen: Record<string, unknown>[] = []
    // z.unknown() hands the unmarshalled image over as it is (zod's own objects drop `__proto__` keys).
    const handler = dynamodbHandler(z.unknown(), (c) => void (c.eventName === 'INSERT' && seen.push(c.newImage as Record<string, unknown>)))
    const event = JSON.parse(
      JSON.stringify(dynamodbEvent([insert(attributeValues({ id: { S: 'p' }, constructor: { M: { prototype: { S: 'x' } } } }))])).replace(
        '"NewImage":{"id":{"S":"p"}',
        '"NewImage":{"id":{"S":"p"},"__proto__":{"M":{"polluted":{"BOOL":true}}}',
      ),
    ) as ReturnType<typeof dynamodbEvent>
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    const image = seen[0]!
    expect(Object.keys(image).sort()).toEqual(['__proto__', 'constructor', 'id'])
    expect(Object.getPrototypeOf(image)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getOwnPropertyDescriptor(image, '__proto__')?.value).toEqual({ polluted: true })
    expect(image.constructor).toEqual({ prototype: 'x' })
  })
})

describe('dynamodbHandler: ordering and failure reporting (streams rules)', () => {
  it('in order by default: the first failure stops the batch and is reported with everything after it', async () => {
    const started: string[] = []
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger }, (c) => {
      if (c.eventName !== 'INSERT') return
      started.push(c.newImage.id)
      if (c.newImage.id === 'b') throw new Error('boom')
    })
    const event = dynamodbEvent(
      ['a', 'b', 'c'].map((id) => insert({ ...a0, id })),
      { schema: Item },
    )
    expect(await handler(event)).toEqual({
      batchItemFailures: seqs(event)
        .slice(1)
        .map((itemIdentifier) => ({ itemIdentifier })),
    })
    expect(started).toEqual(['a', 'b'])
  })

  it("per-key keeps each item's changes in order and runs other items on", async () => {
    const started: string[] = []
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger, ordering: 'per-key', concurrency: 4 }, async (c) => {
      const image = c.eventName === 'REMOVE' ? c.oldImage : c.newImage
      started.push(`${c.eventName}:${image.id}`)
      if (c.eventName === 'INSERT' && image.id === 'x') throw new Error('boom')
    })
    const x = { ...a0, id: 'x' }
    const y = { ...a0, id: 'y' }
    const event = dynamodbEvent([insert(y), insert(x), modify(y, { ...y, total: 2 }), modify(x, { ...x, total: 2 })], { schema: Item })
    const report = await handler.process(event)
    expect(started).not.toContain('MODIFY:x')
    expect(started).toContain('INSERT:y')
    expect(reasons(report.outcomes)).toEqual([
      'ok',
      'failed:handler',
      expect.stringMatching(/^(ok|skipped:after-failure)$/),
      'skipped:after-failure',
    ])
    expect(report.batchItemFailures[0]).toEqual({ itemIdentifier: seqs(event)[1] })
  })

  it('groups per-key lanes by the whole key, whatever order the key attributes come in', async () => {
    const lanes: string[] = []
    const Pair = z.object({ pk: z.string(), sk: z.string() })
    const handler = dynamodbHandler({ schema: Pair, ordering: 'per-key', concurrency: 2, streamViewType: 'KEYS_ONLY' }, async (c) => {
      lanes.push(`${c.keys.pk}/${c.keys.sk}`)
      await new Promise((resolve) => setImmediate(resolve))
    })
    const event = dynamodbEvent(
      [insert({ pk: 'p', sk: '1' }), insert({ pk: 'p', sk: '2' }), modify({ pk: 'p', sk: '1' }, { pk: 'p', sk: '1' })],
      {
        keys: ['pk', 'sk'],
        streamViewType: 'KEYS_ONLY',
      },
    )
    const keys = event.Records[2]!.dynamodb!.Keys!
    event.Records[2]!.dynamodb!.Keys = { sk: keys.sk!, pk: keys.pk! }
    await handler(event)
    expect(lanes).toEqual(['p/1', 'p/2', 'p/1'])
  })

  it('throws AllRecordsFailedError when every record failed, so bisect applies', async () => {
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger }, () => {
      throw new Error('down')
    })
    await expect(handler(dynamodbEvent([insert(a0), insert(a1)], { schema: Item }))).rejects.toMatchObject({
      name: 'AllRecordsFailedError',
    })
  })

  it('reports the unstarted records when the deadline is near', async () => {
    let now = 0
    const handler = dynamodbHandler({ schema: Item, logger: silentLogger }, () => void (now += 600))
    const event = dynamodbEvent([insert(a0), insert(a0), insert(a0), insert(a0)], { schema: Item })
    const report = await handler.process(event, lambdaContext({ timeoutMs: 2000, now: () => now }))
    expect(reasons(report.outcomes)).toEqual(['ok', 'ok', 'skipped:deadline', 'skipped:deadline'])
  })

  it('hands invalid records to onInvalid with their record and identifier', async () => {
    const stash: string[] = []
    const handler = dynamodbHandler(
      { schema: Item, onInvalid: ({ id, record, reason }) => void stash.push(`${id}:${record.eventName}:${reason.path}`) },
      () => {},
    )
    const event = dynamodbEvent([insert(a0), remove(attributeValues({ id: { S: 'a' }, total: { N: '' } }))], { schema: Item })
    expect(await handler(event)).toEqual({ batchItemFailures: [] })
    expect(stash).toEqual([`${seqs(event)[1]}:REMOVE:OldImage.total`])
  })
})

describe('dynamodbHandler: malformed events and options', () => {
  const handler = dynamodbHandler({ schema: Item, logger: silentLogger }, () => {})

  it('throws MalformedEventError for a record of another source, or one it could not report', async () => {
    await expect(handler({ Records: [{ eventSource: 'aws:sqs' }] } as never)).rejects.toThrow(
      /not from DynamoDB Streams at Records\[0\] \(eventSource "aws:sqs"\)/,
    )
    await expect(handler({ Records: [{ eventSource: 'aws:kinesis' }] } as never)).rejects.toThrow(
      /without a valid kinesis.sequenceNumber at Records\[0\]/,
    )
    const event = dynamodbEvent([insert(a0)], { schema: Item })
    event.Records[0]!.dynamodb!.SequenceNumber = 'abc'
    await expect(handler(event)).rejects.toThrow(MalformedEventError)
    await expect(handler({} as never)).rejects.toThrow(/expected an event with a `Records` array/)
  })

  it.each([
    [
      { schema: Item, streamViewType: 'NEW' },
      /`streamViewType` must be 'KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE' or 'NEW_AND_OLD_IMAGES'; received "NEW"/,
    ],
    [{ schema: Item, unsafeNumbers: 'round' }, /`unsafeNumbers` must be 'bigint', 'string' or 'fail'; received "round"/],
    [{ schema: Item, concurrency: 2 }, /`concurrency` needs `ordering: 'per-key'` or `'unordered'`/],
    [{ schema: Item, decode: 'json' }, /unknown option `decode`/],
  ])('refuses bad options when the handler is built: %j', (options, message) => {
    const build = () => dynamodbHandler(options as never, () => {})
    expect(build).toThrow(ConfigurationError)
    expect(build).toThrow(message)
  })
})

describe('the test kit', () => {
  it('builds real-shaped records', () => {
    const event = dynamodbEvent(
      [insert({ id: 'k', n: 1n, b: new Uint8Array([255]), s: new Set([1, 2]), l: [null, true], m: { x: 'y' }, u: undefined })],
      {
        tableName: 'Orders',
        region: 'eu-west-1',
        accountId: '111122223333',
        createdAt: new Date(1_700_000_000_500),
      },
    )
    const r = event.Records[0]!
    expect(r).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'eu-west-1',
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:111122223333:table/Orders/stream/2026-01-01T00:00:00.000',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000,
        Keys: { id: { S: 'k' } },
        NewImage: {
          id: { S: 'k' },
          n: { N: '1' },
          b: { B: '/w==' },
          s: { NS: ['1', '2'] },
          l: { L: [{ NULL: true }, { BOOL: true }] },
          m: { M: { x: { S: 'y' } } },
        },
        SequenceNumber: expect.stringMatching(/^\d{28}$/),
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    })
    expect(r.dynamodb!.NewImage).not.toHaveProperty('u')
  })

  it('says what is wrong with an image it cannot build', () => {
    expect(() => dynamodbEvent([insert({ pk: 'x' })])).toThrow(/has no key attribute "id"; pass `keys`/)
    expect(() => dynamodbEvent([insert({ id: 'x', when: new Date() })])).toThrow(/when is a Date, which has no DynamoDB type/)
    expect(() => dynamodbEvent([insert({ id: 'x', s: new Set() })])).toThrow(/s is an empty Set/)
  })
})
