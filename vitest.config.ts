import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // tfjs keeps one global engine per process: one file per worker process, no isolation cost beyond that.
    pool: 'forks',
  },
});
