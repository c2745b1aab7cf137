// The library's unmarshaller on its own: DynamoDB AttributeValues to plain values, never rounded.
import { AttributeValueError, unmarshallImage } from 'lambda-stream-handlers'

export const item = unmarshallImage({ id: { S: 'a-1' }, views: { N: '9007199254740993' }, tags: { SS: ['x'] } })
// { id: 'a-1', views: 9007199254740993n, tags: Set { 'x' } }

export function problemPath(image: unknown): string | undefined {
  try {
    unmarshallImage(image)
    return undefined
  } catch (e) {
    if (e instanceof AttributeValueError) return e.path // "total" for { total: { N: 'abc' } }
    throw e
  }
}
