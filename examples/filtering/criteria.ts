// FilterCriteria for infrastructure code, typed by the same schemas the handlers use: a misspelt
// field or an impossible value is a type error, and a pattern Lambda would refuse throws here.
import * as z from 'zod'
import { dynamodbFilter, kinesisFilter, sqsFilter } from 'lambda-stream-handlers'

const Order = z.object({ orderId: z.string(), total: z.number(), currency: z.enum(['EUR', 'USD']) })
const Item = z.object({ pk: z.string(), status: z.enum(['open', 'closed']), stock: z.number() })
const Message = z.object({ kind: z.string(), priority: z.number() })

export const criteria = kinesisFilter(Order, { data: { currency: ['EUR'], total: [{ numeric: ['>=', 100] }] } })

export const inserts = dynamodbFilter(Item, { eventName: ['INSERT'], dynamodb: { NewImage: { status: { S: ['open'] } } } })

export const urgent = sqsFilter(Message, { body: { priority: [{ numeric: ['>', 5] }] } })

// CloudFormation / SAM take the criteria as they are (FilterCriteria: { Filters: [{ Pattern }] });
// the CDK's `filters` option takes `{ pattern }` objects:
export const cdkFilters = criteria.Filters.map((f) => ({ pattern: f.Pattern }))
