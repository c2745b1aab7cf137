import { readFileSync, rmSync } from 'node:fs'
import { expect, it } from 'vitest'
import { main } from './timeline.js'

it('writes the timeline page of a bisected poison record', async () => {
  const file = await main()
  try {
    const html = readFileSync(file, 'utf8')
    expect(html).toContain('class="bar error bisect"')
    expect(html).toContain('1 discarded')
  } finally {
    rmSync(file, { force: true })
  }
})
