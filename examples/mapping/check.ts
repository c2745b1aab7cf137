// Checking and simulating the mapping a template deploys, from a test or a script.
import { checkMapping, checkTemplate, readMappings, simulate, type MappingReport } from 'lambda-stream-handlers/local'
import { handler } from './orders.js'

/** Every finding of every mapping, printed one a line. */
export function printFindings(template: string): void {
  for (const mapping of readMappings(template))
    for (const f of checkMapping(handler, mapping)) console.log(f.severity, f.logicalId, f.code, f.message, f.fix.cdk)
}

/** Whether the orders function's mapping has an error. */
export function hasErrors(template: string): boolean {
  const findings = checkTemplate(handler, template, { function: 'OrdersFunction' })
  const failed = findings.some((f) => f.severity === 'error')
  return failed
}

/** The simulation of exactly what deploys: the settings come from the template, the records from the test. */
export async function simulateDeployed(template: string): Promise<MappingReport> {
  const [mapping] = readMappings(template, { function: 'OrdersFunction' })
  if (mapping === undefined) throw new Error('no mapping for OrdersFunction')
  const report = await simulate(handler, { mapping, records: [{ data: { orderId: 'o-1', total: 5 } }] })
  return report
}
