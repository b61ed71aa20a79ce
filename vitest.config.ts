import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    // Removing a suite's temp trees can take longer than 10 s on a loaded 2-core machine.
    hookTimeout: 60_000,
    // The default reporter, then the plain `N passed, N failed` line CI tooling reads.
    reporters: ['default', './test/helpers/plain-summary-reporter.ts'],
  },
});
