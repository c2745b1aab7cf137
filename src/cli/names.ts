/**
 * How the command line names a record: beside its identifier (a 56-digit sequence number, a
 * message id), where it is (a line of the records file, an index in the event's `Records`) and
 * its key (the partition key, the SQS message group, the DynamoDB item key), so that a user can
 * find it in their own input.
 *
 * @module
 * @internal
 */

export type Source = 'kinesis' | 'dynamodb' | 'sqs' | 'kafka'

const KEY_WORD: Record<Source, string> = { kinesis: 'partition key', sqs: 'message group', dynamodb: 'key', kafka: 'key' }

/** A key as printed: as it is when short and plain, else quoted and cut at 64 characters. */
function shown(key: string): string {
  if (/^[\x21-\x7e]{1,64}$/.test(key)) return key
  return JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key)
}

/** `line 3 (partition key c-1) 4959…` or `Records[2] (message group g) 8c1f…`: where, key, identifier. */
export function recordName(source: Source, where: string | undefined, key: string | undefined, id: string): string {
  const keyed = key === undefined || key === '' ? '' : ` (${KEY_WORD[source]} ${shown(key)})`
  return `${where ?? '(position unknown)'}${keyed} ${id}`
}

const attempt = <T>(read: () => T): T | undefined => {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** A DynamoDB key's attribute values as `id=a, sk=7`. */
function dynamodbKey(keys: unknown): string | undefined {
  if (typeof keys !== 'object' || keys === null) return undefined
  return Object.entries(keys as Record<string, Record<string, unknown>>)
    .map(([name, value]) => `${name}=${String(Object.values(value ?? {})[0])}`)
    .join(', ')
}

/** Each record of an event by its identifier: its index in `Records`, its key and its source. */
export function eventPositions(event: unknown): Map<string, { where: string; key: string | undefined; source: Source }> {
  const out = new Map<string, { where: string; key: string | undefined; source: Source }>()
  const records = attempt(() => (event as { Records?: unknown } | null)?.Records)
  if (!Array.isArray(records)) return kafkaPositions(event, out)
  records.forEach((r, i) => {
    const found = attempt(() => {
      const x = r as Record<string, Record<string, unknown> | undefined>
      if (x.kinesis !== undefined)
        return { id: x.kinesis.sequenceNumber, key: x.kinesis.partitionKey as string | undefined, source: 'kinesis' as const }
      if (x.dynamodb !== undefined) return { id: x.dynamodb.SequenceNumber, key: dynamodbKey(x.dynamodb.Keys), source: 'dynamodb' as const }
      return { id: x.messageId, key: x.attributes?.MessageGroupId as string | undefined, source: 'sqs' as const }
    })
    if (typeof found?.id === 'string' && !out.has(found.id))
      out.set(found.id, { where: `Records[${i}]`, key: typeof found.key === 'string' ? found.key : undefined, source: found.source })
  })
  return out
}

/**
 * A Kafka event's records, by the text of their identifier (`"<topic>-<partition>:<offset>"`, as
 * outcomes and log lines name them): `records["orders-0"][1]`, and the key when it is text.
 */
function kafkaPositions(
  event: unknown,
  out: Map<string, { where: string; key: string | undefined; source: Source }>,
): Map<string, { where: string; key: string | undefined; source: Source }> {
  const groups = attempt(() => (event as { records?: unknown } | null)?.records)
  if (typeof groups !== 'object' || groups === null || Array.isArray(groups)) return out
  for (const [group, list] of Object.entries(groups as Record<string, unknown>)) {
    if (!Array.isArray(list)) continue
    list.forEach((r, i) => {
      const found = attempt(() => {
        const x = r as { offset?: unknown; key?: unknown }
        const key = typeof x.key === 'string' ? Buffer.from(x.key, 'base64').toString('utf8') : undefined
        return { offset: x.offset, key: key !== undefined && /^[\x20-\x7e]*$/.test(key) ? key : undefined }
      })
      if (typeof found?.offset !== 'number') return
      const id = `${group}:${found.offset}`
      if (!out.has(id)) out.set(id, { where: `records[${JSON.stringify(group)}][${i}]`, key: found.key, source: 'kafka' })
    })
  }
  return out
}
