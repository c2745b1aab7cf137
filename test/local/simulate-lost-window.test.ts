// Issue 30: a tumbling window whose final invocation runs out of retries is a costly case. Named after its fact.
import type { KinesisWindowEvent as WindowEvent } from 'lambda-stream-handlers'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderTimeline, simulate } from 'lambda-stream-handlers/local'
import { runCli as cli } from '../helpers.js'

/** Counts a window's records; its final invocation fails (it cannot save the total) unless `saves`. */
function counter(saves = false) {
  const finals: string[] = []
  const handler = (event: WindowEvent) => {
    const n = Number(event.state?.n ?? 0) + event.Records.length
    if (event.isFinalInvokeForWindow) {
      finals.push(`${event.window.start} ${n}`)
      if (!saves) throw new Error('cannot save the total')
    }
    return { state: { n } }
  }
  return { handler, finals }
}

// Two records in the 00:00 window, one in the 00:01 window, which closes the first.
const puts = [{ data: 1 }, { data: 2, at: 10_000 }, { data: 3, at: 70_000 }]
const settings = { source: 'kinesis', records: puts, TumblingWindowInSeconds: 60, MaximumRetryAttempts: 1, BatchSize: 1 } as const

describe('fact 129: a final window invocation that runs out of retries loses the aggregate, and the report says so', () => {
  it('no failure record, the records succeeded, and costly.lostWindows names the window and its final invocations', async () => {
    const { handler, finals } = counter()
    const report = await simulate(handler, settings)
    expect(report.outcomes.map((o) => o.fate)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(report.failureDestination).toEqual([])
    const finalsOf = (start: string) =>
      report.invocations.filter((i) => (i.event as WindowEvent).isFinalInvokeForWindow && (i.event as WindowEvent).window.start === start)
    expect(report.costly.lostWindows).toEqual([
      {
        shardId: 'shardId-000000000000',
        lane: 0,
        start: '2026-01-01T00:00:00Z',
        end: '2026-01-01T00:01:00Z',
        invocations: finalsOf('2026-01-01T00:00:00Z').map((i) => i.index),
      },
      {
        shardId: 'shardId-000000000000',
        lane: 0,
        start: '2026-01-01T00:01:00Z',
        end: '2026-01-01T00:02:00Z',
        invocations: finalsOf('2026-01-01T00:01:00Z').map((i) => i.index),
      },
    ])
    // Each window's final invocation ran twice (MaximumRetryAttempts 1), with the total of 2, then 1.
    expect(finals).toEqual(['2026-01-01T00:00:00Z 2', '2026-01-01T00:00:00Z 2', '2026-01-01T00:01:00Z 1', '2026-01-01T00:01:00Z 1'])
    expect(report.costly.lostWindows[0]!.invocations).toHaveLength(2)
    expect(report.assumptions.some((a) => a.includes('costly.lostWindows'))).toBe(true)
  })

  it('a final invocation with records, discarded: those records go to the destination, and the window is lost too', async () => {
    const { handler } = counter()
    // A 100 s batching window: the 00:00 window's record is delivered at 00:01:40, after a record of
    // the next window arrived, so that invocation is the window's final one.
    const report = await simulate(handler, {
      ...settings,
      records: [{ data: 1 }, { data: 2, at: 70_000 }],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 100,
    })
    const first = report.invocations[0]!
    expect((first.event as WindowEvent).isFinalInvokeForWindow).toBe(true)
    expect(first.records).toEqual([report.outcomes[0]!.id])
    expect(report.outcomes[0]!.fate).toBe('discarded')
    expect(report.failureDestination[0]!.KinesisBatchInfo?.startSequenceNumber).toBe(report.outcomes[0]!.id)
    expect(report.costly.lostWindows.map((w) => [w.start, w.invocations])).toEqual([
      ['2026-01-01T00:00:00Z', [0, 1]],
      ['2026-01-01T00:01:00Z', [3, 4]],
    ])
  })

  it('with ParallelizationFactor 2, each lane keeps its own window: two lost windows for one shard and one minute', async () => {
    const { handler, finals } = counter()
    const report = await simulate(handler, {
      ...settings,
      ParallelizationFactor: 2,
      // Keys `a` and `b` go to different lanes.
      records: [
        { data: 1, partitionKey: 'a' },
        { data: 2, partitionKey: 'b' },
      ],
    })
    expect(report.costly.lostWindows.map((w) => [w.lane, w.start])).toEqual([
      [0, '2026-01-01T00:00:00Z'],
      [1, '2026-01-01T00:00:00Z'],
    ])
    // Each lane's final invocation carries part of the shard's aggregate.
    expect(new Set(finals)).toEqual(new Set(['2026-01-01T00:00:00Z 1']))
    expect(report.assumptions.some((a) => a.startsWith('Tumbling windows with ParallelizationFactor above 1'))).toBe(true)
  })

  it('a final invocation that succeeds on a retry loses nothing', async () => {
    let failures = 1
    const report = await simulate((event: WindowEvent) => {
      if (event.isFinalInvokeForWindow && failures-- > 0) throw new Error('once')
      return { state: {} }
    }, settings)
    expect(report.costly.lostWindows).toEqual([])
  })

  it('the timeline summary and the CLI name the lost windows', async () => {
    const { handler } = counter()
    const report = await simulate(handler, settings)
    expect(renderTimeline(report)).toContain('2 tumbling windows lost: the final invocation ran out of retries')

    const dir = mkdtempSync(join(tmpdir(), 'lost-window-'))
    const file = join(dir, 'handler.mjs')
    writeFileSync(
      file,
      `export const handler = async (event) => {
  if (event.isFinalInvokeForWindow) throw new Error('cannot save the total')
  return { state: { n: (event.state.n ?? 0) + event.Records.length } }
}
`,
    )
    const records = join(dir, 'records.jsonl')
    writeFileSync(records, '{"data":1}\n{"data":2,"at":10000}\n{"data":3,"at":70000}\n')
    const out = await cli([
      'simulate',
      `${file}#handler`,
      '--source',
      'kinesis',
      '--records',
      records,
      '--TumblingWindowInSeconds',
      '60',
      '--MaximumRetryAttempts',
      '1',
      '--BatchSize',
      '1',
    ])
    expect(out.stderr).toBe('')
    const lines = out.stdout.split('\n')
    const at = lines.indexOf(
      'tumbling windows lost: 2 (the final invocation ran out of retries: the aggregate was never acted on, though the records show succeeded)',
    )
    expect(at).toBeGreaterThan(0)
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  shardId-000000000000 lane 0, 2026-01-01T00:00:00Z to 2026-01-01T00:01:00Z: 2 final invocations failed',
      '  shardId-000000000000 lane 0, 2026-01-01T00:01:00Z to 2026-01-01T00:02:00Z: 2 final invocations failed',
    ])
  }, 30_000)
})
