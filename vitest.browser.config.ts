import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// The browser tests (`npm run test:browser`): the timeline page in Debian's Chromium. Kept out of
// `npm test`, which must run on a machine without a browser.
export default defineConfig({
  resolve: base.resolve,
  test: {
    include: ['test/browser/**/*.browser.ts'],
    env: base.test?.env,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
})
