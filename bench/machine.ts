// The machine, Node and package versions a result was measured with.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, loadavg, release, totalmem, type } from 'node:os'

const require = createRequire(import.meta.url)

export const PACKAGES = [
  'zod',
  '@aws-lambda-powertools/batch',
  '@aws-lambda-powertools/parser',
  '@aws-lambda-powertools/commons',
  '@middy/core',
  '@middy/event-normalizer',
  '@middy/sqs-partial-batch-failure',
  'esbuild',
] as const

function versionOf(name: string): string {
  try {
    // Walk up from the package's entry to its package.json (some packages do not export it).
    let dir = require.resolve(name).replace(/\/[^/]*$/, '')
    for (;;) {
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name?: string; version?: string }
        if (pkg.name === name) return pkg.version ?? '?'
      } catch {}
      const up = dir.replace(/\/[^/]*$/, '')
      if (up === dir) return '?'
      dir = up
    }
  } catch {
    return 'not installed'
  }
}

/** The commit measured, and which files under src/ differed from it (a result must say what it measured). */
function checkout(): string {
  try {
    const git = (...a: string[]): string => execFileSync('git', a, { encoding: 'utf8', cwd: new URL('..', import.meta.url) }).trim()
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', cwd: new URL('..', import.meta.url) })
    const dirty = status
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3))
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty.length ? ` with uncommitted changes to ${dirty.join(', ')}` : ''}`
  } catch {
    return 'not a git checkout'
  }
}

/** The load average (1, 5, 15 minutes): how busy the shared machine was, which moves single cells by more than ±0.1x. */
export function loadAverage(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ')
}

export function describeMachine(): string {
  const own = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  const cpu = cpus()
  return [
    `- run: ${new Date().toISOString()}`,
    `- node ${process.version} (V8 ${process.versions.v8}), ${type()} ${release()} ${process.arch}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `- load average (1 / 5 / 15 min) at the start: ${loadAverage()}`,
    `- lambda-stream-handlers ${own.version} (${checkout()}), ${PACKAGES.map((p) => `\`${p}\` ${versionOf(p)}`).join(', ')}`,
  ].join('\n')
}
