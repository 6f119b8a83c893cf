import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * Test files that replace a module with `vi.mock`. Most files share their worker's module cache
 * (`isolate: false`: loading express, mongoose, mjml and the app once per worker instead of once per
 * file is most of what the suite saves), but a mock only takes hold in a module graph of its own, so
 * these files run in a fresh process each, as the `mocks` project.
 */
const mocking = readdirSync(path.join(root, 'test'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.posix.join('test', f.split(path.sep).join('/')))
  .filter((f) => /\bvi\.(?:mock|doMock)\(/.test(readFileSync(path.join(root, f), 'utf8')))
  .sort();

/**
 * Vitest starts the files that took longest last time first, so the run does not end waiting on one
 * of them. Without those timings (a fresh checkout, CI) it goes by file size; then the files that
 * spawn processes (e2e, CLIs) start first, as they are the long ones.
 */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const timed = (f: TestSpecification) => this.ctx.cache.getFileTestResults(`${f.project.name}:${path.relative(this.ctx.config.root, f.moduleId)}`);
    if (sorted.every(timed)) return sorted;
    const projects = [...new Set(sorted.map((f) => f.project.name))];
    const tier = (f: TestSpecification) => (/[/\\]test[/\\](?:e2e|integration[/\\]cli)[/\\]/.test(f.moduleId) ? 0 : 1);
    // Stable: within a project (its files stay together, sharing workers) and a tier, the order stays vitest's.
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => projects.indexOf(a.f.project.name) - projects.indexOf(b.f.project.name) || tier(a.f) - tier(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores, so one on a 2-core machine; the integration and
    // e2e files spend much of their time waiting on Dovecot, spawned processes and timers.
    maxWorkers: Math.max(2, availableParallelism()),
    isolate: false,
    sequence: { sequencer: SlowFirst },
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: mocking } },
      ...(mocking.length ? [{ extends: true as const, test: { name: 'mocks', include: mocking, isolate: true } }] : []),
      // The MongoDB contract once more against the built-in server's durable (LMDB) engine.
      { extends: true, test: { name: 'durable', include: ['test/integration/devdb/**/*.test.ts'], exclude: ['test/integration/devdb/durable-store.test.ts', 'test/integration/devdb/compact.test.ts'] } },
    ],
  },
});
