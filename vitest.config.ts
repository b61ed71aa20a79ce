import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    // The default reporter, then the plain `N passed, N failed` line CI tooling reads.
    reporters: ['default', './test/helpers/plain-summary-reporter.ts'],
  },
});
