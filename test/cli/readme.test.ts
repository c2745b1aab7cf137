import { readFileSync, writeFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { runCli as cli } from '../helpers.js'

// The README's sample outputs of the command line are this test's output, so that they cannot drift:
// each ```text block after a `<!-- cli-sample: NAME -->` line must be what the command prints now.
// `LSH_WRITE_README=1 npx vitest run test/cli/readme.test.ts` writes them.
const readmePath = new URL('../../README.md', import.meta.url)

const samples: Record<string, { args: string[]; output: (ran: { stdout: string; stderr: string }) => string }> = {
  invoke: {
    args: ['invoke', 'test/cli/fixtures/handlers.ts#orders', '--event', 'test/cli/fixtures/readme-event.json'],
    // The REPORT line and what follows it; tabs as two spaces.
    output: ({ stderr }) => stderr.slice(stderr.indexOf('REPORT ')).trimEnd().replaceAll('\t', '  '),
  },
  simulate: {
    args: [
      'simulate',
      'test/cli/fixtures/handlers.ts#orders',
      '--source',
      'kinesis',
      '--records',
      'test/cli/fixtures/readme-records.jsonl',
      '--maximum-retry-attempts',
      '2',
      '--function-response-types',
      'ReportBatchItemFailures',
    ],
    output: ({ stdout }) => stdout.trimEnd(),
  },
}

// The duration changes from run to run.
const steady = (text: string): string => text.replace(/Duration: \d+\.\d\d ms/g, 'Duration: … ms')

function block(readme: string, name: string): { start: number; end: number; indent: string } {
  const marker = readme.indexOf(`<!-- cli-sample: ${name} -->`)
  expect(marker, `README has no <!-- cli-sample: ${name} --> marker`).toBeGreaterThan(-1)
  const open = readme.indexOf('```text\n', marker)
  const indent = readme.slice(readme.lastIndexOf('\n', open) + 1, open)
  const start = open + '```text\n'.length
  return { start, end: readme.indexOf(`${indent}\`\`\``, start), indent }
}

it("the README's sample outputs of invoke and simulate are what the commands print", async () => {
  let readme = readFileSync(readmePath, 'utf8')
  for (const [name, sample] of Object.entries(samples)) {
    const ran = await cli(sample.args)
    const printed = sample.output(ran)
    const { start, end, indent } = block(readme, name)
    const shown = readme
      .slice(start, end)
      .split('\n')
      .map((l) => l.slice(indent.length))
      .join('\n')
      .trimEnd()
    if (process.env.LSH_WRITE_README === '1') {
      const text = printed
        .split('\n')
        .map((l) => `${indent}${l}`)
        .join('\n')
      readme = `${readme.slice(0, start)}${text}\n${readme.slice(end)}`
    } else {
      expect(steady(shown), `the README's ${name} sample (LSH_WRITE_README=1 npx vitest run test/cli/readme.test.ts rewrites it)`).toBe(
        steady(printed),
      )
    }
  }
  if (process.env.LSH_WRITE_README === '1') writeFileSync(readmePath, readme)
}, 60_000)
