// The root package.json says "type": "module"; this marks the CommonJS build as CommonJS.
import { writeFileSync } from 'node:fs'
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n')
