import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { App } from 'aws-cdk-lib'
import { expect, it } from 'vitest'
import { hasErrors, simulateDeployed } from './check.js'
import { ordersStack } from './stack.js'

const root = new URL('../../', import.meta.url).pathname

/** `cdk synth` in-process: the template file cdk.out would hold. */
function synth(careful: boolean): string {
  process.env.CDK_VALIDATION = 'false' // CDK's own validator takes ~25 s and is not what is tested here
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-out-')) })
  const stack = ordersStack(app, careful)
  const assembly = app.synth()
  return join(assembly.directory, assembly.getStackArtifact(stack.artifactId).templateFile)
}

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    )
  })
}

it('the careless stack has errors, the careful one none; simulate runs what deploys', async () => {
  const careless = synth(false)
  const careful = synth(true)
  expect(hasErrors(careless)).toBe(true)
  expect(hasErrors(careful)).toBe(false)
  const report = await simulateDeployed(careful)
  expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded'])
}, 30_000)

it('the CI line: exit 1 with one line per finding on the careless stack, exit 0 on the careful one', async () => {
  const bad = await cli(['check', 'examples/mapping/orders.ts#handler', '--template', synth(false)])
  expect(bad.code).toBe(1)
  const lines = bad.stdout.trim().split('\n')
  expect(lines[0]).toMatch(
    /^error {3}OrdersFunctionKinesisEventSource\w+ partial-failures-ignored: The handler reports failed records .* Fix: reportBatchItemFailures: true \(CDK\); FunctionResponseTypes: \[ReportBatchItemFailures\] \(CloudFormation\)\.$/,
  )
  expect(lines.slice(1, -1).map((l) => l.split(' ').filter(Boolean).slice(0, 3).join(' ').replace(/ \S+ /, ' · '))).toEqual([
    'warning · infinite-retries:',
    'warning · no-bisect:',
    'warning · no-failure-destination:',
  ])
  expect(lines.at(-1)).toBe('1 mapping checked: 1 error, 3 warnings.')
  const good = await cli(['check', 'examples/mapping/orders.ts#handler', '--template', synth(true), '--function', 'OrdersFunction'])
  expect(good).toMatchObject({ code: 0, stdout: '1 mapping checked: 0 errors, 0 warnings.\n' })
}, 60_000)
