import { ConfigurationError } from '../engine/errors.js'
import { describeValue } from '../engine/options.js'

/**
 * An AWS SDK v3 client, as `runLocal` takes it: a `KinesisClient`, an `SQSClient` or a
 * `DynamoDBStreamsClient`. Typed by its shape, so that this package's types do not need the SDK
 * packages you do not use; `runLocal` checks the client's service when it starts.
 */
export interface SdkClient {
  /** Sends a command of the client's service, as every SDK v3 client does. */
  send(command: never, options?: never): Promise<unknown>
}

/** Refuses a `client` that is not an SDK v3 client of the service (`config.serviceId`), saying which one is needed. */
export function checkClient(name: string, client: unknown, serviceId: string, needed: string): void {
  const c = client as { send?: unknown; config?: { serviceId?: unknown } } | null | undefined
  if (typeof c?.send !== 'function')
    throw new ConfigurationError(`${name}: \`client\` must be ${needed}; received ${describeValue(client)}.`)
  const id = c.config?.serviceId
  if (typeof id === 'string' && id !== serviceId)
    throw new ConfigurationError(`${name}: \`client\` is a ${id} client; this source needs ${needed}.`)
}

/** Options of {@link localClient}. */
export interface LocalClientOptions {
  /** The local server's URL, such as `http://127.0.0.1:4567` (kinesalite's default port). */
  readonly endpoint: string
  /** Default `'us-east-1'`. Local servers keep one region's data apart from another's. */
  readonly region?: string
  /** Default: placeholder keys, which local servers accept and AWS refuses. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string }
  /** How long a request may take before it fails, in ms. Default 5000. */
  readonly requestTimeoutMs?: number
}

/**
 * The configuration {@link localClient} gives the client class. The HTTP handler is typed `never`
 * here so that any AWS SDK v3 client class fits without this package's types naming the SDK's.
 */
export interface LocalClientConfig {
  readonly endpoint: string
  readonly region: string
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }
  readonly requestHandler: never
}

/**
 * Builds an AWS SDK v3 client that works against a server on the laptop (kinesalite, dynalite,
 * DynamoDB Local, an SQS emulator): the endpoint, a region, placeholder credentials, and an
 * HTTP/1.1 request handler. The Kinesis client's default handler speaks HTTP/2, which kinesalite
 * does not: a plain `new KinesisClient({ endpoint })` fails there with "Protocol error".
 *
 * Pass the client class from the SDK package you installed; the handler comes from
 * `@smithy/node-http-handler`, which every SDK v3 client depends on, loaded only when called.
 *
 * @example
 * ```ts
 * const kinesis = await localClient(KinesisClient, { endpoint })
 * const run = await runLocal(handler, { source: 'kinesis', client: kinesis, streamName: 'orders', pollIntervalMs: 100 })
 * ```
 */
export async function localClient<C>(Client: new (config: LocalClientConfig) => C, options: LocalClientOptions): Promise<C> {
  const fail = (message: string): never => {
    throw new ConfigurationError(`localClient: ${message}`)
  }
  if (typeof Client !== 'function')
    fail(`the first argument must be an AWS SDK v3 client class, such as KinesisClient; received ${describeValue(Client)}.`)
  if (typeof options?.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(options.endpoint)) {
    fail(`\`endpoint\` must be the server's URL, such as 'http://127.0.0.1:4567'; received ${describeValue(options?.endpoint)}.`)
  }
  let http: typeof import('@smithy/node-http-handler')
  try {
    http = await import('@smithy/node-http-handler')
  } catch (e) {
    throw new Error('localClient needs @smithy/node-http-handler (installed with the AWS SDK): npm install -D @smithy/node-http-handler', {
      cause: e,
    })
  }
  const client = new Client({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new http.NodeHttpHandler({ requestTimeout: options.requestTimeoutMs ?? 5000, throwOnRequestTimeout: true }) as never,
  })
  if (typeof (client as { send?: unknown }).send !== 'function')
    fail(`${Client.name || 'the class'} is not an AWS SDK v3 client: its instances have no \`send\`.`)
  return client
}
