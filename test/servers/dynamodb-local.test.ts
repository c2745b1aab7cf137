// The DynamoDB Local helper leaves no Java process behind, even when the process that started it
// is killed outright (SIGKILL: no exit handler runs), as a crashed test run would be.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it, vi } from 'vitest'
import { hasJava } from './dynamodb-local.js'

const skip = process.env.LSH_SKIP_DYNAMODB_LOCAL === '1' || !hasJava()

/** Whether the process runs: it exists and is not a zombie (dead, waiting for its parent to collect it). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

/** The ids of the processes whose parent is `parent`. */
const childrenOf = (parent: number): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent
      } catch {
        return false
      }
    })
    .map(Number)

it.skipIf(skip)(
  'stops DynamoDB Local when the process that started it is killed with SIGKILL',
  async () => {
    // tsx as a loader, so that the script runs in this child itself (the tsx command would start another).
    const script = fileURLToPath(new URL('./dynamodb-local-child.ts', import.meta.url))
    const child = spawn(process.execPath, ['--no-warnings', '--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    let javaPid: number | undefined
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0] as string)
        })
        child.once('exit', (code) => reject(new Error(`the child exited (${code}) before DynamoDB Local started`)))
      })
      expect(line).toBe('ready')
      // The Java process the child started, found in the process table (not asked of the helper).
      javaPid = childrenOf(child.pid as number).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal.jar'))
      expect(javaPid).toBeDefined()
      expect(alive(javaPid as number)).toBe(true)
      child.kill('SIGKILL')
      await vi.waitFor(() => expect(alive(javaPid as number)).toBe(false), { timeout: 10_000, interval: 100 })
    } finally {
      child.kill('SIGKILL')
      if (javaPid !== undefined && alive(javaPid)) process.kill(javaPid, 'SIGKILL')
    }
  },
  60_000,
)
