// Issue 27/28 review: each setting is written once, in the tables of src/local/settings.ts; the
// template reader and the command line read their names from there.
import { describe, expect, it } from 'vitest'
import { readMappings, simulate } from 'lambda-stream-handlers/local'
import { SETTINGS } from '../../src/cli/simulate.js'
import {
  KAFKA_MAPPING_SETTINGS,
  MAPPING_SETTING_NAMES,
  SIMULATION_OPTION_NAMES,
  SQS_MAPPING_SETTINGS,
  STREAM_MAPPING_SETTINGS,
  STREAM_SETTINGS,
} from '../../src/local/settings.js'

/** A value of the right kind for each setting, as a template writes it. */
const sample = (key: string): unknown =>
  key === 'FilterCriteria'
    ? { Filters: [{ Pattern: '{"value":{"a":[1]}}' }] }
    : key.endsWith('Config')
      ? { Any: 1 }
      : key === 'FunctionResponseTypes'
        ? ['ReportBatchItemFailures']
        : key === 'Topics'
          ? ['orders']
          : key === 'StartingPosition'
            ? 'LATEST'
            : key === 'BisectBatchOnFunctionError'
              ? true
              : 7

describe('the settings tables are the one list of names', () => {
  it("the mapping's names are the AWS settings of every source's table, and nothing else", () => {
    const tables = [STREAM_MAPPING_SETTINGS, SQS_MAPPING_SETTINGS, KAFKA_MAPPING_SETTINGS].flatMap((t) => Object.keys(t))
    expect([...MAPPING_SETTING_NAMES].sort()).toEqual([...new Set(tables)].sort())
    // The simulator's own options (windowGraceSeconds, timeoutSeconds, …) are not AWS settings a template holds.
    expect(MAPPING_SETTING_NAMES).not.toContain('windowGraceSeconds')
    expect(MAPPING_SETTING_NAMES).not.toContain('timeoutSeconds')
  })

  it('readMappings reads every setting of the tables from a template, as written', () => {
    const props = Object.fromEntries(MAPPING_SETTING_NAMES.map((k) => [k, sample(k)]))
    const template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Timeout: 30 } },
        Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 1 } },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { FunctionName: { Ref: 'Fn' }, EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] }, Enabled: true, ...props },
        },
      },
    }
    const [mapping] = readMappings(template)
    const { DestinationConfig, ...rest } = mapping?.settings ?? {}
    // A destination is kept by its ARN; the rest as written.
    expect(DestinationConfig).toEqual({ OnFailure: {} })
    expect(rest).toEqual(Object.fromEntries(Object.entries(props).filter(([k]) => k !== 'DestinationConfig')))
    // What is not a setting of the mapping (Enabled, FunctionName) is not read as one.
    expect(Object.keys(mapping?.settings ?? {}).sort()).toEqual([...MAPPING_SETTING_NAMES].sort())
  })

  it("the command line takes every option of the tables but functions, dates and the command's own", () => {
    expect([...SETTINGS].sort()).toEqual(
      SIMULATION_OPTION_NAMES.filter((k) => !['source', 'records', 'start', 'retryDelayMs', 'onInvocation'].includes(k)).sort(),
    )
    for (const key of [...MAPPING_SETTING_NAMES, ...Object.keys(STREAM_SETTINGS)])
      if (key !== 'retryDelayMs') expect(SETTINGS, key).toContain(key)
  })
})

describe('an object setting refuses a field it does not have (it was ignored before)', () => {
  const handler = async () => ({})
  it('a misspelt poller count is refused, not read as "not provisioned mode"', async () => {
    await expect(
      simulate(handler, { source: 'kafka', records: [], ProvisionedPollerConfig: { MinPollers: 1 } as never, MaximumRetryAttempts: 1 }),
    ).rejects.toThrow(/`ProvisionedPollerConfig` must be `\{ MinimumPollers\?, MaximumPollers\?, PollerGroupName\? \}`/)
    await expect(simulate(handler, { source: 'sqs', records: [], MetricsConfig: { Metric: ['EventCount'] } as never })).rejects.toThrow(
      /`MetricsConfig` must be/,
    )
    await expect(
      simulate(handler, {
        source: 'kinesis',
        records: [],
        DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:x:1:q', Type: 'SQS' } } as never,
      }),
    ).rejects.toThrow(/`DestinationConfig` must be/)
  })
})
