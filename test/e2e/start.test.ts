import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnEntry, type Spawned } from '../helpers/process.js';

const started: Spawned[] = [];
const dirs: string[] = [];

afterAll(() => {
  for (const s of started) s.child.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Starts `src/server.ts all` with only the given environment: through tsx, as `npm start` runs it, with
 * `tsx: true`, else as the suite's other tests start it.
 */
function start(env: Record<string, string>, dataDir = mkdtempSync(path.join(tmpdir(), 'tl-start-')), opts: { tsx?: boolean } = {}) {
  dirs.push(dataDir);
  const app = spawnEntry('src/server.ts', { DATA_DIR: dataDir, ...env }, ['all'], opts);
  started.push(app);
  return { ...app, dataDir, exited: app.exited.then((e) => e.code) };
}

async function healthy(port: number): Promise<void> {
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status, { timeout: 40_000, interval: 250 })
    .toBe(200);
}

describe('npm start on a fresh machine', () => {
  it('serves /healthz with no configuration, keeps its data through SIGKILL, refuses a second process on it, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const app = start({ PORT: String(port) }, undefined, { tsx: true });
    await healthy(port);
    // The public answer is the status alone; the details are for signed-in admins.
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<string, unknown>;
    expect(Object.keys(health)).toEqual(['status']);
    expect(['ok', 'degraded']).toContain(health.status);
    expect(app.output()).toContain('using the built-in database');
    expect(app.output()).toContain('created the first admin with a generated password');

    const second = start({ PORT: String(await freePort()) }, app.dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/in use by process \d+/);

    app.child.kill('SIGKILL');
    await app.exited;
    const again = start({ PORT: String(port) }, app.dataDir, { tsx: true });
    await healthy(port);
    // the admin made by the first run is still there, so no new one is created
    expect(again.output()).not.toContain('created the first admin');
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(again.output()).toContain('"msg":"stopped"');
  }, 90_000);

  it('exits 2 naming the key when a configuration value is bad', async () => {
    const app = start({ PORT: 'http' });
    expect(await app.exited).toBe(2);
    expect(app.output()).toMatch(/PORT \(port\): .*got "http"/);
  }, 30_000);

  it('exits 1 with a clear message when MongoDB cannot be reached, without leaking the password', async () => {
    const port = await freePort();
    const app = start({ MONGODB_URI: `mongodb://user:hunter2@127.0.0.1:${port}/x`, MONGODB_SERVER_SELECTION_TIMEOUT_MS: '500' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toContain('DB_UNREACHABLE');
    expect(app.output()).toContain(`Cannot reach MongoDB at mongodb://user:***@127.0.0.1:${port}/x`);
    expect(app.output()).not.toContain('hunter2');
  }, 30_000);
});
