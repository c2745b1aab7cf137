import type { DynamoDBRecord, KinesisStreamRecord, SQSRecord } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { compileFilter, InvalidFilterPatternError, matchesFilter, type FilterSource } from 'lambda-stream-handlers'
import { kinesisEvent, raw, sampleEvents } from 'lambda-stream-handlers/testing'

const criteria = (...patterns: (string | object)[]) => ({
  Filters: patterns.map((p) => ({ Pattern: typeof p === 'string' ? p : JSON.stringify(p) })),
})

/** A Kinesis record whose data is `payload` (JSON-encoded unless raw). */
const kinesis = (payload: unknown): KinesisStreamRecord => kinesisEvent([payload as never]).Records[0]!

/** An SQS record with `body`, shaped as the AWS "Using event filtering with an Amazon SQS event source" example. */
const sqs = (body: string): SQSRecord => ({
  messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
  receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '1545082649183',
    SenderId: 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: '1545082649185',
  },
  messageAttributes: {},
  md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:my-queue',
  awsRegion: 'us-west-2',
})

/** A DynamoDB record around `dynamodb`, shaped as the AWS DynamoDB filtering page's example. */
const ddb = (dynamodb: object, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT'): DynamoDBRecord => ({
  eventID: 'c9fbe7d0261a5163fcb6940593e41797',
  eventName,
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-2',
  dynamodb: {
    ApproximateCreationDateTime: 1664559083.0,
    SequenceNumber: '111',
    SizeBytes: 26,
    StreamViewType: 'NEW_AND_OLD_IMAGES',
    ...dynamodb,
  },
  eventSourceARN: 'arn:aws:dynamodb:us-east-2:111122223333:table/CustomerTable/stream/2021-12-21T00:00:00.000',
})

/** Matches `data` (a Kinesis record's JSON payload) against one pattern on `data`. */
const onData = (pattern: object, payload: unknown): boolean => matchesFilter(criteria({ data: pattern }), kinesis(payload))

describe("operators (fact 72), on Kinesis data, with the Lambda guide's filter rule examples", () => {
  it('null and empty are different values', () => {
    expect(onData({ UserID: [null] }, { UserID: null })).toBe(true)
    expect(onData({ UserID: [null] }, { UserID: '' })).toBe(false)
    expect(onData({ UserID: [null] }, {})).toBe(false)
    expect(onData({ LastName: [''] }, { LastName: '' })).toBe(true)
    expect(onData({ LastName: [''] }, { LastName: null })).toBe(false)
  })

  it('equals is exact: no case folding, strings are not numbers (fact 74)', () => {
    expect(onData({ Name: ['Alice'] }, { Name: 'Alice' })).toBe(true)
    expect(onData({ Name: ['Alice'] }, { Name: 'alice' })).toBe(false)
    expect(onData({ Name: ['Alice'] }, { Name: 'Alice ' })).toBe(false)
    expect(onData({ Count: [5] }, { Count: '5' })).toBe(false)
    expect(onData({ Count: ['5'] }, { Count: 5 })).toBe(false)
    expect(onData({ Flag: [true] }, { Flag: true })).toBe(true)
    expect(onData({ Flag: [true] }, { Flag: 'true' })).toBe(false)
  })

  it('numbers compare by their text: 300, 300.0 and 3.0e2 are different (fact 74)', () => {
    const passes = compileFilter(criteria('{"data": {"Price": [300]}}'), 'kinesis')
    expect(passes(kinesis(raw('{"Price": 300}')))).toBe(true)
    expect(passes(kinesis(raw('{"Price": 300.0}')))).toBe(false)
    expect(passes(kinesis(raw('{"Price": 3.0e2}')))).toBe(false)
    expect(compileFilter(criteria('{"data": {"Price": [3.0e2]}}'), 'kinesis')(kinesis(raw('{"Price": 3.0e2}')))).toBe(true)
    // numeric compares values, so all three are 300 there
    const numeric = compileFilter(criteria({ data: { Price: [{ numeric: ['=', 300] }] } }), 'kinesis')
    for (const text of ['300', '300.0', '3.0e2']) expect(numeric(kinesis(raw(`{"Price": ${text}}`)))).toBe(true)
  })

  it('equals-ignore-case', () => {
    expect(onData({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' })).toBe(true)
    expect(onData({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' })).toBe(false)
    expect(onData({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 1 })).toBe(false)
  })

  it('AND across fields: every named field must match, and be there (fact 71)', () => {
    const pattern = { Location: ['New York'], Day: ['Monday'] }
    expect(onData(pattern, { Location: 'New York', Day: 'Monday', Extra: 1 })).toBe(true)
    expect(onData(pattern, { Location: 'New York', Day: 'Tuesday' })).toBe(false)
    expect(onData(pattern, { Location: 'New York' })).toBe(false)
  })

  it('OR across values, and across fields with $or', () => {
    expect(onData({ PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' })).toBe(true)
    expect(onData({ PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Cash' })).toBe(false)
    const or = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }
    expect(onData(or, { Location: 'New York', Day: 'Friday' })).toBe(true)
    expect(onData(or, { Location: 'Paris', Day: 'Monday' })).toBe(true)
    expect(onData(or, { Location: 'Paris', Day: 'Friday' })).toBe(false)
    // $or combines with the fields beside it by AND
    const mixed = { Currency: ['EUR'], $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }
    expect(onData(mixed, { Currency: 'EUR', Day: 'Monday' })).toBe(true)
    expect(onData(mixed, { Currency: 'USD', Day: 'Monday' })).toBe(false)
  })

  it('OR across filters: a record passes when one filter matches (fact 70)', () => {
    const passes = compileFilter(criteria({ data: { Day: ['Monday'] } }, { data: { Day: ['Friday'] } }), 'kinesis')
    expect(passes(kinesis({ Day: 'Friday' }))).toBe(true)
    expect(passes(kinesis({ Day: 'Sunday' }))).toBe(false)
  })

  it('anything-but needs the field and excludes the values listed', () => {
    expect(onData({ Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Sunny' })).toBe(true)
    expect(onData({ Weather: [{ 'anything-but': ['Raining'] }] }, { Weather: 'Raining' })).toBe(false)
    expect(onData({ Weather: [{ 'anything-but': 'Raining' }] }, { Weather: 'Raining' })).toBe(false)
    expect(onData({ Weather: [{ 'anything-but': ['Raining'] }] }, {})).toBe(false)
    expect(onData({ Code: [{ 'anything-but': [100, 200] }] }, { Code: 300 })).toBe(true)
    expect(onData({ Code: [{ 'anything-but': [100, 200] }] }, { Code: 200 })).toBe(false)
    expect(onData({ Code: [{ 'anything-but': [100] }] }, { Code: '100' })).toBe(true) // a string is not the number
  })

  it('numeric: equals and ranges, on numbers only', () => {
    expect(onData({ Price: [{ numeric: ['=', 100] }] }, { Price: 100 })).toBe(true)
    expect(onData({ Price: [{ numeric: ['=', 100] }] }, { Price: 100.5 })).toBe(false)
    const range = { Price: [{ numeric: ['>', 10, '<=', 20] }] }
    expect(onData(range, { Price: 10 })).toBe(false)
    expect(onData(range, { Price: 10.01 })).toBe(true)
    expect(onData(range, { Price: 20 })).toBe(true)
    expect(onData(range, { Price: 20.01 })).toBe(false)
    expect(onData(range, { Price: '15' })).toBe(false)
    expect(onData({ Price: [{ numeric: ['<', 0] }] }, { Price: -3 })).toBe(true)
    expect(onData({ Price: [{ numeric: ['>=', 5] }] }, { Price: 5 })).toBe(true)
  })

  it('exists: true for a field with a value, false for an absent one; leaf nodes only', () => {
    expect(onData({ ProductName: [{ exists: true }] }, { ProductName: 'Widget' })).toBe(true)
    expect(onData({ ProductName: [{ exists: true }] }, { ProductName: null })).toBe(true)
    expect(onData({ ProductName: [{ exists: true }] }, {})).toBe(false)
    expect(onData({ ProductName: [{ exists: false }] }, {})).toBe(true)
    expect(onData({ ProductName: [{ exists: false }] }, { ProductName: 'Widget' })).toBe(false)
    // an object is not a leaf
    expect(onData({ Product: [{ exists: true }] }, { Product: { name: 'Widget' } })).toBe(false)
    expect(onData({ Product: [{ exists: false }] }, { Product: { name: 'Widget' } })).toBe(true)
    // exists: false reaches through an absent parent
    expect(onData({ Product: { name: [{ exists: false }] } }, {})).toBe(true)
  })

  it('prefix and suffix', () => {
    expect(onData({ Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' })).toBe(true)
    expect(onData({ Region: [{ prefix: 'us-' }] }, { Region: 'eu-west-1' })).toBe(false)
    expect(onData({ FileName: [{ suffix: '.png' }] }, { FileName: 'cat.png' })).toBe(true)
    expect(onData({ FileName: [{ suffix: '.png' }] }, { FileName: 'cat.PNG' })).toBe(false)
  })

  it('nested fields, and arrays in the data: one element must match', () => {
    expect(onData({ customer: { country: ['FR'] } }, { customer: { country: 'FR' } })).toBe(true)
    expect(onData({ customer: { country: ['FR'] } }, { customer: 'FR' })).toBe(false)
    expect(onData({ tags: ['urgent'] }, { tags: ['late', 'urgent'] })).toBe(true)
    expect(onData({ tags: ['urgent'] }, { tags: [] })).toBe(false)
    expect(onData({ items: { sku: ['b'] } }, { items: [{ sku: 'a' }, { sku: 'b' }] })).toBe(true)
    expect(onData({ items: { sku: ['c'] } }, { items: [{ sku: 'a' }, { sku: 'b' }] })).toBe(false)
  })

  it('the last of two equal keys wins (fact 71)', () => {
    const passes = compileFilter(criteria('{"data": {"Day": ["Monday"], "Day": ["Friday"]}}'), 'kinesis')
    expect(passes(kinesis({ Day: 'Friday' }))).toBe(true)
    expect(passes(kinesis({ Day: 'Monday' }))).toBe(false)
  })

  it('never reads fields from the prototype', () => {
    expect(onData({ constructor: [{ exists: true }] }, {})).toBe(false)
    expect(onData({ toString: [{ exists: false }] }, {})).toBe(true)
  })
})

describe('Kinesis: filters apply to data, base64-decoded and parsed as JSON (facts 76, 78)', () => {
  // The record of the Lambda guide's "Using event filtering with a Kinesis event source" page; its data is
  // {"RecordNumber": "0001", "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": "AAAA"}.
  // It is the guide's sample Kinesis record (sampleEvents.kinesis) with that data.
  const sample = sampleEvents.kinesis().Records[0]!
  const awsExample: KinesisStreamRecord = {
    ...sample,
    kinesis: {
      ...sample.kinesis,
      data: 'eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0=',
    },
  }

  it('matches the AWS example record on its decoded data', () => {
    expect(matchesFilter(criteria({ data: { RequestCode: ['AAAA'] } }), awsExample)).toBe(true)
    expect(matchesFilter(criteria({ data: { RequestCode: ['BBBB'] } }), awsExample)).toBe(false)
    expect(matchesFilter(criteria({ data: { RecordNumber: [{ prefix: '00' }] } }), awsExample)).toBe(true)
  })

  it('drops a record whose data is not JSON under a JSON data pattern, even for exists: false', () => {
    const text = kinesis(raw('Hello, this is a test.'))
    expect(matchesFilter(criteria({ data: { a: [{ exists: false }] } }), text)).toBe(false)
    expect(matchesFilter(criteria({ data: { a: [{ exists: false }] } }), kinesis(raw(new Uint8Array([0xf3, 0x89, 0x9a, 0xc2]))))).toBe(
      false,
    )
    expect(matchesFilter(criteria({ data: { a: [{ exists: false }] } }), kinesis([1, 2]))).toBe(false)
  })

  it('filters on metadata only when there is no data pattern, whatever the data holds', () => {
    const text = kinesis(raw('Hello, this is a test.'))
    expect(matchesFilter(criteria({ eventSource: ['aws:kinesis'] }), text)).toBe(true)
    expect(matchesFilter(criteria({ kinesis: { partitionKey: ['pk-0'] } }), text)).toBe(true)
  })

  it('refuses a data pattern that is not a JSON object when it is compiled (fact 78)', () => {
    expect(() => compileFilter(criteria({ data: ['Hello'] }), 'kinesis')).toThrow(
      /Invalid filter pattern definition\. Filters\[0\] at data: the Kinesis data pattern must be a JSON object/,
    )
  })
})

describe('DynamoDB: patterns in AttributeValue form (facts 76, 79, 80; §11 point 10)', () => {
  const record = ddb({
    Keys: { CustomerName: { S: 'AnyCompany Industries' } },
    NewImage: {
      AccountManager: { S: 'Pat Candella' },
      PaymentTerms: { S: '60 days' },
      CustomerName: { S: 'AnyCompany Industries' },
      Quantity: { N: '50' },
      Organizations: { L: [{ S: 'Sales' }, { S: 'Marketing' }] },
    },
  })

  it('matches with the type key, and not without it', () => {
    expect(matchesFilter(criteria({ dynamodb: { Keys: { CustomerName: { S: ['AnyCompany Industries'] } } } }), record)).toBe(true)
    expect(matchesFilter(criteria({ dynamodb: { Keys: { CustomerName: ['AnyCompany Industries'] } } }), record)).toBe(false)
  })

  it('N values are strings: numeric never matches them, equality on the text and anything-but do', () => {
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { Quantity: { N: [{ numeric: ['>', 10] }] } } } }), record)).toBe(false)
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { Quantity: { N: ['50'] } } } }), record)).toBe(true)
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { Quantity: { N: [{ 'anything-but': ['0'] }] } } } }), record)).toBe(true)
  })

  it('exists needs the leaf; exists: false on a bare attribute name matches a present attribute', () => {
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { Organizations: [{ exists: true }] } } }), record)).toBe(false)
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { Organizations: { L: { S: [{ exists: true }] } } } } }), record)).toBe(true)
    expect(matchesFilter(criteria({ dynamodb: { NewImage: { PaymentTerms: [{ exists: false }] } } }), record)).toBe(true)
  })

  it('filters on eventName and the numeric ApproximateCreationDateTime', () => {
    expect(matchesFilter(criteria({ eventName: ['INSERT'] }), record)).toBe(true)
    expect(matchesFilter(criteria({ eventName: ['REMOVE'] }), record)).toBe(false)
    expect(matchesFilter(criteria({ dynamodb: { ApproximateCreationDateTime: [{ numeric: ['>', 1664559000] }] } }), record)).toBe(true)
  })

  it('matches TTL deletions by userIdentity (fact 8)', () => {
    const ttl = {
      ...ddb({ Keys: { CustomerName: { S: 'x' } } }, 'REMOVE'),
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    }
    const pattern = criteria({ userIdentity: { type: ['Service'], principalId: ['dynamodb.amazonaws.com'] } })
    expect(matchesFilter(pattern, ttl)).toBe(true)
    expect(matchesFilter(pattern, record)).toBe(false)
  })

  it('refuses a dynamodb pattern that is not an object', () => {
    expect(() => compileFilter(criteria({ dynamodb: ['x'] }), 'dynamodb')).toThrow(/the dynamodb pattern must be a JSON object/)
  })
})

describe('SQS: body as JSON or as text, mismatches dropped (fact 77; §11 point 10)', () => {
  // The body of the Lambda guide's "Using event filtering with an Amazon SQS event source" example.
  const json = sqs('{\n "RecordNumber": 1234,\n "TimeStamp": "yyyy-mm-ddThh:mm:ss",\n "RequestCode": "AAAA"\n}')

  it('parses a JSON body for a JSON pattern', () => {
    expect(matchesFilter(criteria({ body: { RequestCode: ['AAAA'] } }), json)).toBe(true)
    expect(matchesFilter(criteria({ body: { RequestCode: ['BBBB'] } }), json)).toBe(false)
    expect(matchesFilter(criteria({ body: { RecordNumber: [{ numeric: ['>', 9999] }] } }), json)).toBe(false)
    expect(matchesFilter(criteria({ body: { RecordNumber: [1234] } }), json)).toBe(true)
  })

  it('matches a text body with a text pattern', () => {
    expect(matchesFilter(criteria({ body: ['Test message.'] }), sqs('Test message.'))).toBe(true)
    expect(matchesFilter(criteria({ body: [{ prefix: 'Test' }] }), sqs('Test message.'))).toBe(true)
    expect(matchesFilter(criteria({ body: [{ prefix: 'Other' }] }), sqs('Test message.'))).toBe(false)
  })

  it('drops a text body under a JSON pattern and a JSON body under a text pattern', () => {
    expect(matchesFilter(criteria({ body: { RequestCode: [{ exists: false }] } }), sqs('Test message.'))).toBe(false)
    expect(matchesFilter(criteria({ body: [{ prefix: '{' }] }), json)).toBe(false)
  })

  it('filters on metadata alone when there is no body pattern', () => {
    expect(matchesFilter(criteria({ attributes: { ApproximateReceiveCount: ['1'] } }), sqs('Test message.'))).toBe(true)
  })
})

describe('criteria Lambda refuses are refused when compiled (fact 75; §11 point 11)', () => {
  it.each([
    ['null', 'null', /a pattern must be a JSON object; received null/],
    ['a bare string', '"aws:sqs"', /a pattern must be a JSON object; received "aws:sqs"/],
    ['malformed JSON', '{"body": ', /Pattern is not valid JSON/],
    ['a scalar rule value', '{"eventSource": "aws:sqs"}', /at eventSource: a rule value must be an array/],
    ['an empty array', '{"eventSource": []}', /at eventSource: a rule array cannot be empty/],
    ['an unknown operator', '{"a": [{"begins-with": "x"}]}', /unknown operator "begins-with"/],
    ['two operators in one object', '{"a": [{"prefix": "x", "suffix": "y"}]}', /exactly one operator/],
    ['a bad numeric operator', '{"a": [{"numeric": ["==", 1]}]}', /numeric operator must be one of/],
    ['a numeric range upside down', '{"a": [{"numeric": [">", 5, "<", 1]}]}', /lower bound below its upper bound/],
    ['a numeric range in the wrong order', '{"a": [{"numeric": ["<", 5, ">", 1]}]}', /lower bound \(> or >=\) then an upper bound/],
    ['a non-numeric numeric bound', '{"a": [{"numeric": [">", "5"]}]}', /value after > must be a number/],
    ['exists with a string', '{"a": [{"exists": "yes"}]}', /exists takes true or false/],
    ['prefix with a number', '{"a": [{"prefix": 1}]}', /prefix takes a string/],
    ['anything-but with an empty list', '{"a": [{"anything-but": []}]}', /anything-but takes .* non-empty array/],
    ['anything-but with null', '{"a": [{"anything-but": [null]}]}', /anything-but takes strings or numbers/],
    ['$or with one branch', '{"$or": [{"a": ["x"]}]}', /\$or takes an array of at least two patterns/],
  ])('refuses %s', (_name, pattern, message) => {
    let error: unknown
    try {
      compileFilter(criteria(pattern), 'sqs')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidFilterPatternError)
    expect((error as Error).name).toBe('InvalidFilterPatternError')
    expect((error as Error).message).toMatch(/^Invalid filter pattern definition\. Filters\[0\]/)
    expect((error as Error).message).toMatch(message)
  })

  it('refuses more than 10 filters, and patterns over 4096 characters', () => {
    const eleven = criteria(...Array.from({ length: 11 }, (_, i) => ({ body: { n: [i] } })))
    expect(() => compileFilter(eleven, 'sqs')).toThrow(/11 filters; an event source mapping takes 5 \(10 with a quota increase\)/)
    expect(() => compileFilter(criteria({ body: { n: ['x'.repeat(4100)] } }), 'sqs')).toThrow(/the limit is 4096/)
  })

  it('refuses a filter without a Pattern string, and Filters that are not an array', () => {
    expect(() => compileFilter({ Filters: [{}] }, 'sqs')).toThrow(/Filters\[0\]: Pattern must be a JSON string; received undefined/)
    expect(() => compileFilter({ Filters: 'x' } as never, 'sqs')).toThrow(/Filters must be an array/)
  })

  it('names the failing filter', () => {
    expect(() => compileFilter(criteria({ body: { a: ['x'] } }, '{"body": {"a": "x"}}'), 'sqs')).toThrow(/Filters\[1\] at body\.a/)
  })

  it('accepts an empty Filters list (and no Filters), which lets every record through', () => {
    expect(compileFilter({ Filters: [] }, 'sqs')(sqs('x'))).toBe(true)
    expect(compileFilter({}, 'kinesis')(kinesis(raw('x')))).toBe(true)
  })

  it('refuses an unknown source, and a record of an unknown source in matchesFilter', () => {
    expect(() => compileFilter({}, 'mq' as FilterSource)).toThrow(/`source` must be 'kinesis', 'dynamodb', 'sqs' or 'kafka'; received "mq"/)
    expect(() => matchesFilter({}, { eventSource: 'aws:kafka' } as never)).toThrow(/eventSource is "aws:kafka"/)
  })
})

describe('operators Lambda does not document are refused, saying so (fact 73)', () => {
  it.each([
    ['wildcard', { a: [{ wildcard: '*.png' }] }, /the wildcard operator/],
    ['cidr', { a: [{ cidr: '10.0.0.0/24' }] }, /the cidr operator/],
    [
      'anything-but prefix',
      { a: [{ 'anything-but': { prefix: 'init' } }] },
      /anything-but with a matcher \(\{"anything-but": \{"prefix": \.\.\.\}\}\)/,
    ],
    ['anything-but suffix', { a: [{ 'anything-but': { suffix: '.tmp' } }] }, /anything-but with a matcher/],
    ['anything-but equals-ignore-case', { a: [{ 'anything-but': { 'equals-ignore-case': 'x' } }] }, /anything-but with a matcher/],
    ['prefix equals-ignore-case', { a: [{ prefix: { 'equals-ignore-case': 'x' } }] }, /nested matcher/],
  ])('%s', (_name, pattern, message) => {
    let error: unknown
    try {
      compileFilter(criteria({ body: pattern }), 'sqs')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InvalidFilterPatternError)
    expect((error as InvalidFilterPatternError).unconfirmed).toBe(true)
    expect((error as Error).message).toMatch(/^Unsupported filter pattern\. Filters\[0\] at body\.a: /)
    expect((error as Error).message).toMatch(/does not document \(whether Lambda supports it is unconfirmed\)/)
    expect((error as Error).message).toMatch(message)
  })
})
