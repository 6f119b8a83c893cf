import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      // The MongoDB contract once more against the built-in server's durable (LMDB) engine.
      { extends: true, test: { name: 'durable', include: ['test/integration/devdb/**/*.test.ts'], exclude: ['test/integration/devdb/durable-store.test.ts'] } },
    ],
  },
});
