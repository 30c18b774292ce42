import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/setup/global-setup.ts'],
    include: ['test/**/*.test.ts'], exclude: ['test/faults/**', '**/node_modules/**'], // the fault suite has its own config
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: files that start servers and workers run two at a time.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
