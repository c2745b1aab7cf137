import { afterEach, describe, expect, it, vi } from 'vitest'
import * as z from 'zod'
import { kinesisHandler, type RecordOutcome } from 'lambda-stream-handlers'
import { kinesisEvent } from 'lambda-stream-handlers/testing'
import { memoryLogger } from '../helpers.js'

const Payment = z.object({
  cards: z.record(z.string(), z.object({ amount: z.number() })),
  tags: z.map(z.string(), z.number()).optional(),
  items: z.array(z.object({ sku: z.string() })).optional(),
  extra: z.object({ note: z.string() }).catchall(z.number()).optional(),
})
const secret = 'card-4111111111111111'
const pathOf = (o: RecordOutcome | undefined) => (o !== undefined && o.status !== 'ok' ? o.reason.path : undefined)
const messageOf = (o: RecordOutcome | undefined) => (o !== undefined && o.status !== 'ok' ? o.reason.message : '')

describe('keys the data gave are not in reasons or log lines', () => {
  afterEach(() => vi.unstubAllEnvs())

  it("a z.record key shows as <key>; the schema's own keys and indices stay", async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Payment, logger, allFailed: 'report' }, () => {})
    const report = await handler.process(
      kinesisEvent([
        { cards: { [secret]: { amount: 'ten' } } },
        { cards: {}, items: [{ sku: 1 }] },
        { cards: {}, extra: { note: 'n', [secret]: 'x' } },
      ]),
      undefined,
    )
    expect(pathOf(report.outcomes[0])).toBe('cards.<key>.amount')
    expect(messageOf(report.outcomes[0])).toMatch(/^The record does not match the schema at cards\.<key>\.amount: /)
    expect(JSON.stringify(report.outcomes)).not.toContain(secret)
    expect(JSON.stringify(logger.lines)).not.toContain(secret)
    const handlerIn = kinesisHandler({ schema: Payment, logger: memoryLogger(), allFailed: 'report', ordering: 'unordered' }, () => {})
    const all = await handlerIn.process(
      kinesisEvent([
        { cards: {}, items: [{ sku: 1 }] },
        { cards: {}, extra: { note: 'n', [secret]: 'x' } },
      ]),
    )
    expect(all.outcomes.map(pathOf)).toEqual(['items[0].sku', 'extra.<key>'])
  })

  it('logPayloads: true shows the key in the log line (detail), cut after 64 characters', async () => {
    const logger = memoryLogger()
    const handler = kinesisHandler({ schema: Payment, logger, allFailed: 'report', logPayloads: true }, () => {})
    const long = 'k'.repeat(100_000)
    await handler.process(kinesisEvent([{ cards: { [secret]: { amount: 'ten' } } }, { cards: { [long]: { amount: 'x' } } }] as unknown[]))
    const details = logger.lines.filter((l) => l.level === 'warn').map((l) => (l.extra[0] as { detail?: string }).detail)
    expect(details[0]).toContain(`cards.${secret}.amount`)
  })

  it('a 100 KB key makes no long line: the default logger writes a short line', async () => {
    vi.stubEnv('LOG_LEVEL', 'WARN')
    const written: string[] = []
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk))
      return true
    })
    try {
      const handler = kinesisHandler({ schema: Payment, allFailed: 'report', logPayloads: true }, () => {})
      await handler.process(kinesisEvent([{ cards: { ['k'.repeat(100_000)]: { amount: 'x' } } }]))
    } finally {
      spy.mockRestore()
    }
    expect(written.length).toBeGreaterThan(0)
    for (const line of written) expect(line.length).toBeLessThan(2_000)
    expect(written.join('')).toContain(`${'k'.repeat(64)}…(100000 characters)`)
  })
})
