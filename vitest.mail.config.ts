import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/mail/**/*.test.ts', 'test/unit/domain/**/*.test.ts', 'test/integration/mail/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
