import { expect, it } from 'vitest'
import { diagnosticsOf } from './compile.js'

const header = `import * as z from 'zod'
import { dynamodbHandler, dynamodbWindowHandler, kinesisHandler, kinesisWindowHandler, sqsHandler } from 'lambda-stream-handlers'
const Order = z.object({ orderId: z.string(), total: z.number() })
`

it('a misspelt handler option is a compile error that names it and suggests the right one', () => {
  const errors = diagnosticsOf(`${header}
kinesisHandler({ schema: Order, orderng: 'per-key' }, (order) => order.orderId)
sqsHandler({ schema: Order, concurency: 3 }, (order) => order.orderId)
dynamodbHandler({ schema: Order, streamViewTyp: 'NEW_IMAGE' }, (change) => change.keys)
const window = { schema: Order, state: z.object({ n: z.number() }), initial: () => ({ n: 0 }), reduce: (s: { n: number }) => s, onWindowEnd: () => {} }
kinesisWindowHandler({ ...window, decod: 'json' })
dynamodbWindowHandler({ ...window, streamViewTyp: 'NEW_IMAGE' })
`)
  expect(errors).toHaveLength(5)
  expect(errors[0]).toContain("'orderng' does not exist in type 'KinesisOptions<")
  expect(errors[0]).toContain("Did you mean to write 'ordering'?")
  expect(errors[1]).toContain("Did you mean to write 'concurrency'?")
  expect(errors[2]).toContain("Did you mean to write 'streamViewType'?")
  // The window handlers were exact already.
  expect(errors[3]).toContain("Did you mean to write 'decode'?")
  expect(errors[4]).toContain("Did you mean to write 'streamViewType'?")
}, 60_000)

it('a bad option value is one error, about the value; the record function stays typed', () => {
  const errors = diagnosticsOf(`${header}
kinesisHandler({ schema: Order, ordering: 'sorted' }, (order) => order.orderId.toUpperCase())
`)
  expect(errors).toHaveLength(1)
  expect(errors[0]).toContain(`Type '"sorted"' is not assignable to type 'Ordering | undefined'.`)
  expect(errors.join('\n')).not.toContain("of type 'unknown'")
}, 60_000)

it('test kit: the options functions read the payloads as written, undefined means a default, and a wrong field is an error at the field', () => {
  const errors = diagnosticsOf(`import * as z from 'zod'
import { kinesisEvent, sqsEvent } from 'lambda-stream-handlers/testing'
const Order = z.object({ orderId: z.string(), accountId: z.string(), total: z.number() })
const key = undefined as string | undefined
sqsEvent([{ orderId: 'o-1', accountId: 'a-1', total: 1 }], { schema: Order, messageGroupId: (b) => b.accountId, queueName: key })
kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', total: 1 }], { schema: Order, partitionKey: key })
kinesisEvent([{ orderId: 'o-1', accountId: 'a-1', total: '1' }], { schema: Order, partitionKey: 'p' })
`)
  expect(errors).toEqual(["7 [total] Type 'string' is not assignable to type 'number'."])
}, 60_000)
