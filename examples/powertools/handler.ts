// Step 2: the same handler with kinesisHandler: in order by default, stopping at the first failure.
import { kinesisHandler } from 'lambda-stream-handlers'
import { charge, Order } from './orders.js'

export const handler = kinesisHandler(Order, (order) => charge(order))

// Powertools' behaviour, every record tried whatever failed before it, is one option away.
export const unordered = kinesisHandler({ schema: Order, ordering: 'unordered' }, (order) => charge(order))
