import { expectTypeOf, it } from 'vitest'
import type { MappingMetrics, MappingReport, MetricsMinute, MetricValues } from 'lambda-stream-handlers/local'

it('report.metrics names the metrics as AWS does; the ones a source may not publish are optional', () => {
  expectTypeOf<MappingReport['metrics']>().toEqualTypeOf<MappingMetrics | undefined>()
  expectTypeOf<MappingMetrics['total']>().toEqualTypeOf<MetricValues>()
  expectTypeOf<MappingMetrics['perMinute']>().toEqualTypeOf<readonly MetricsMinute[]>()
  expectTypeOf<MetricValues['PolledEventCount']>().toEqualTypeOf<number>()
  expectTypeOf<MetricValues['InvokedEventCount']>().toEqualTypeOf<number>()
  expectTypeOf<MetricValues['FailedInvokeEventCount']>().toEqualTypeOf<number>()
  expectTypeOf<MetricValues['DroppedEventCount']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<MetricValues['DeletedEventCount']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<MetricValues['IteratorAge']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<MetricValues['MaxOffsetLag']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<MetricValues['SumOffsetLag']>().toEqualTypeOf<number | undefined>()
  expectTypeOf<MetricsMinute['minute']>().toEqualTypeOf<string>()
  expectTypeOf<MappingReport['outcomes'][number]['arrivedAt']>().toEqualTypeOf<string | undefined>()
  // The report is data: nothing in it can be written.
  const m = {} as MappingMetrics
  // @ts-expect-error readonly
  m.total.PolledEventCount = 1
  // @ts-expect-error no such metric
  void m.total.PolledEvents
})
