// DynamoDB Local (the real AWS emulator, with Streams) for integration tests: installed from npm at
// test time (its licence forbids redistributing the jar), started on a free port, stopped after.
// See ../shared/spec/local-servers.md §2b.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb'

/** The npm package that ships DynamoDB Local 1.25.1 in its `emulator/` folder. */
const PACKAGE = 'amplify-dynamodb-simulator@2.9.30'
const cache = new URL('../../node_modules/.cache/dynamodb-local/', import.meta.url).pathname

/** Fetches the emulator with `npm pack` (about 56 MB) into `dir`, whole or not at all. */
function fetchEmulator(dir: string): void {
  const tmp = mkdtempSync(join(cache, 'fetch-'))
  try {
    const out = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const tgz = out.trim().split('\n').pop() as string
    execFileSync('tar', ['-xzf', join(tmp, tgz), '-C', tmp, 'package/emulator'])
    mkdirSync(join(cache, PACKAGE), { recursive: true })
    try {
      renameSync(join(tmp, 'package', 'emulator'), dir)
    } catch (e) {
      // Another process put it there first (after taking over a dead fetcher's lock).
      if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw e
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as { code?: string }).code !== 'ESRCH'
  }
}

/**
 * The folder holding DynamoDBLocal.jar, fetched on first use. The test files that start DynamoDB
 * Local run in parallel: one fetches (holding a lock file with its process id), the others wait
 * for it, and take over the lock of a fetcher that died.
 */
async function emulatorDir(): Promise<string> {
  const dir = join(cache, PACKAGE, 'emulator')
  const lock = join(cache, `${PACKAGE}.fetching`)
  const deadline = Date.now() + 10 * 60_000
  while (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    if (Date.now() > deadline) throw new Error(`DynamoDB Local: ${lock} is still held after 10 minutes; remove it if no fetch is running.`)
    mkdirSync(cache, { recursive: true })
    let fd: number
    try {
      fd = openSync(lock, 'wx')
    } catch {
      let holder = Number.NaN
      try {
        holder = Number(readFileSync(lock, 'utf8'))
      } catch {
        // released meanwhile
      }
      if (holder > 0 && !alive(holder)) rmSync(lock, { force: true })
      await new Promise((resolve) => setTimeout(resolve, 200))
      continue
    }
    try {
      writeSync(fd, String(process.pid))
      closeSync(fd)
      if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) fetchEmulator(dir)
    } finally {
      rmSync(lock, { force: true })
    }
  }
  return dir
}

export function hasJava(): boolean {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface DynamoDBLocal {
  readonly endpoint: string
  /** The Java process's id. */
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Makes sure the Java process dies with this one: a small shell watches both process ids and
 * stops Java once this process is gone, even killed with SIGKILL (no handler of ours runs then);
 * on an ordinary exit, an exit handler stops it by its id at once.
 */
function tieToThisProcess(javaPid: number): () => void {
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$0" 2>/dev/null && kill -0 "$1" 2>/dev/null; do sleep 0.5; done; kill "$1" 2>/dev/null',
      String(process.pid),
      String(javaPid),
    ],
    { stdio: 'ignore', detached: true },
  )
  watchdog.unref()
  const onExit = (): void => {
    try {
      process.kill(javaPid, 'SIGTERM')
    } catch {
      // already gone
    }
  }
  process.once('exit', onExit)
  return () => process.removeListener('exit', onExit)
}

/**
 * Starts DynamoDB Local in memory. It has no host option and listens on every interface; the
 * tests only ever talk to it on 127.0.0.1.
 */
export async function startDynamoDBLocal(): Promise<DynamoDBLocal> {
  const dir = await emulatorDir()
  const port = await freePort()
  const proc: ChildProcess = spawn(
    'java',
    [
      // A test server lives seconds: the quick compiler only and the serial collector start it with
      // about 40% less CPU (3.8 s instead of 6.4 s, measured on this machine), and it answers as fast.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: 'ignore' },
  )
  if (proc.pid === undefined) throw new Error('DynamoDB Local: java could not be started.')
  const pid = proc.pid
  const untie = tieToThisProcess(pid)
  let exited: string | undefined
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = `java exited (${signal ?? code})`
      resolve()
    }),
  )
  const endpoint = `http://127.0.0.1:${port}`
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  })
  const stop = async (): Promise<void> => {
    client.destroy()
    try {
      if (exited === undefined) process.kill(pid, 'SIGTERM')
      await exit
    } finally {
      untie()
    }
  }
  // A JVM takes a few seconds to start; far more on a machine shared by several test runs.
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}))
      return { endpoint, pid, stop }
    } catch (e) {
      if (exited !== undefined || Date.now() > deadline) {
        const why = exited ?? 'not answering after 60 s'
        await stop()
        throw new Error(`DynamoDB Local did not start on ${endpoint} (${why}): ${(e as Error).message}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
