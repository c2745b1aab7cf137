import { InvalidRecord, validate, type Schema } from '../../engine/schema.js'
import { AttributeValueError, jsonType, unmarshallImage } from '../unmarshall.js'
import { diffImages } from './diff.js'
import { throwIfUndecodable } from './kinesis.js'
import { VIEWS, type DynamoDBOptions, type ImageDiff, type Rec } from './types.js'

/** A record's decode or validation failure. */
export function invalid(kind: 'decode' | 'validation', message: string, path?: string): InvalidRecord {
  return new InvalidRecord(path === undefined ? { kind, message } : { kind, message, path })
}

/**
 * Builds the record parser once, from checked options: each record becomes the typed change the
 * record function receives, its images unmarshalled and checked by the schema, by the view type.
 */
export function changeParser(
  options: Pick<DynamoDBOptions<Schema>, 'schema' | 'streamViewType' | 'unsafeNumbers'>,
): (record: Rec) => unknown {
  const view = options.streamViewType ?? 'NEW_AND_OLD_IMAGES'
  const numbers = { unsafeNumbers: options.unsafeNumbers ?? 'bigint' }
  const { schema } = options
  const keysOnly = view === 'KEYS_ONLY'
  const wantsNew = view === 'NEW_IMAGE' || view === 'NEW_AND_OLD_IMAGES'
  const wantsOld = view === 'OLD_IMAGE' || view === 'NEW_AND_OLD_IMAGES'
  // The record's own view type must give every image the handler's promises: checked on every
  // record, so that a stream of another view fails its first record, not its first MODIFY days later.
  // For the default view this is one string compare.
  const fits = (has: string): boolean =>
    has === view || has === 'NEW_AND_OLD_IMAGES' || keysOnly || (has === 'NEW_IMAGE' && !wantsOld) || (has === 'OLD_IMAGE' && !wantsNew)

  // The record says a view type that cannot give the images the handler's view promises.
  function wrongView(record: Rec, has: string): InvalidRecord {
    const missing = wantsNew && (has === 'KEYS_ONLY' || has === 'OLD_IMAGE') ? 'NewImage' : 'OldImage'
    return invalid(
      'decode',
      `The ${record.eventName} record's StreamViewType is ${VIEWS.includes(has) ? JSON.stringify(has) : `a string of ${has.length} characters`}, which gives no ${missing}, ` +
        `as streamViewType '${view}' promises; set the handler's streamViewType to the stream's view type.`,
      'StreamViewType',
    )
  }

  function image(record: Rec, field: 'Keys' | 'NewImage' | 'OldImage'): Record<string, unknown> {
    const value = record.dynamodb[field]
    if (value === undefined) {
      const has = record.dynamodb.StreamViewType
      throw invalid(
        'decode',
        field === 'Keys'
          ? `The ${record.eventName} record has no dynamodb.Keys.`
          : `The ${record.eventName} record has no ${field}, which streamViewType '${view}' promises` +
              `${typeof has === 'string' && VIEWS.includes(has) ? ` (the record's StreamViewType is ${JSON.stringify(has)})` : ''}; set the handler's streamViewType to the stream's view type.`,
        field,
      )
    }
    try {
      return unmarshallImage(value, numbers)
    } catch (e) {
      if (!(e instanceof AttributeValueError)) throw e
      const path = e.path === '' ? field : `${field}.${e.path}`
      throw invalid('decode', `${path} ${e.problem}`, path)
    }
  }

  // A validation failure's path, prefixed with the image's name.
  function prefixed(e: unknown, field: 'Keys' | 'NewImage' | 'OldImage'): never {
    if (e instanceof InvalidRecord) {
      const f = e.failure
      throw invalid('validation', f.message, f.path === undefined ? field : `${field}.${f.path}`)
    }
    throw e
  }

  // Validates one image.
  function check(value: unknown, field: 'Keys' | 'NewImage' | 'OldImage'): unknown {
    try {
      const result = validate(schema, value, field === 'Keys' ? 'The item key' : `The ${field}`)
      return result instanceof Promise ? result.catch((e: unknown) => prefixed(e, field)) : result
    } catch (e) {
      return prefixed(e, field)
    }
  }

  // The change the record function receives; a MODIFY with both images computes its diff once, when asked.
  function change(eventName: string, keys: unknown, n: unknown, o: unknown): unknown {
    if (n !== undefined && o !== undefined) {
      let diff: ImageDiff<unknown> | undefined
      return { eventName, keys, oldImage: o, newImage: n, diff: () => (diff ??= diffImages<unknown>(o, n)) }
    }
    if (n !== undefined) return { eventName, keys, newImage: n }
    if (o !== undefined) return { eventName, keys, oldImage: o }
    return { eventName, keys }
  }

  return function parseChange(record) {
    throwIfUndecodable(record)
    const has: unknown = record.dynamodb.StreamViewType // absent on DynamoDB changes delivered through Kinesis
    if (typeof has === 'string' && has !== view && !fits(has)) throw wrongView(record, has)
    const eventName: unknown = record.eventName
    if (eventName !== 'INSERT' && eventName !== 'MODIFY' && eventName !== 'REMOVE') {
      throw invalid(
        'decode',
        `The record's eventName is not INSERT, MODIFY or REMOVE (it is ${typeof eventName === 'string' ? `a string of ${eventName.length} characters` : jsonType(eventName)}).`,
      )
    }
    const keys = image(record, 'Keys')
    if (keysOnly) {
      const checked = check(keys, 'Keys')
      return checked instanceof Promise ? checked.then((k) => ({ eventName, keys: k })) : { eventName, keys: checked }
    }
    const newImage = wantsNew && eventName !== 'REMOVE' ? check(image(record, 'NewImage'), 'NewImage') : undefined
    let oldImage: unknown
    try {
      oldImage = wantsOld && eventName !== 'INSERT' ? check(image(record, 'OldImage'), 'OldImage') : undefined
    } catch (e) {
      // The OldImage failed synchronously (malformed, or a synchronous schema failure) while the
      // NewImage's async validation is pending: the record fails with the OldImage's reason, and
      // the pending promise must not reject unhandled (on Lambda that ends the invocation).
      if (newImage instanceof Promise) newImage.catch(() => {})
      throw e
    }
    if (newImage instanceof Promise || oldImage instanceof Promise)
      return Promise.all([newImage, oldImage]).then(([n, o]) => change(eventName, keys, n, o))
    return change(eventName, keys, newImage, oldImage)
  }
}
