import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { createRuntime, startRoles } from '../../../src/composition.js';
import { startDevDb } from '../../../src/devdb/server.js';
import { testLogger, uniqueDbName } from '../../helpers/db.js';
import { withDbName } from '../../helpers/uri.js';

type Health = { status: string; db: { status: string; kind: string }; workers: Array<{ role: string; stale: boolean }> };
const health = async (base: string) => (await (await fetch(`${base}/healthz`)).json()) as Health;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function boot(uri: string) {
  const config = loadConfig({
    MONGODB_URI: uri,
    PORT: '0',
    SECRET_KEY: 's'.repeat(40),
    ADMIN_EMAIL: 'owner@example.com',
    ADMIN_PASSWORD: 'a very long admin password',
    WORKER_HEARTBEAT_INTERVAL_MS: '200',
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1500',
  });
  const runtime = await createRuntime(config, testLogger);
  const roles = await startRoles(runtime, ['jobs', 'poller', 'web']);
  const server = roles.servers[0]!;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { runtime, roles, base };
}

describe('GET /healthz', () => {
  it('reports the database and every worker, and the first admin exists', async () => {
    const { runtime, roles, base } = await boot(withDbName(inject('mongoUri'), uniqueDbName('health')));
    cleanups.push(async () => {
      await runtime.connection.dropDatabase().catch(() => {});
      await roles.stop();
    });
    await expect.poll(async () => (await health(base)).workers.length, { timeout: 5000 }).toBe(2);
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body).toMatchObject({ status: 'ok', db: { status: 'up', kind: 'external' } });
    expect(body.workers.map((w) => w.role).sort()).toEqual(['jobs', 'poller']);
    expect(body.workers.every((w) => !w.stale)).toBe(true);
    expect(await runtime.models.User.countDocuments({ role: 'admin', email: 'owner@example.com' })).toBe(1);
    expect(JSON.stringify(body)).not.toContain(inject('mongoUri').replace(/^mongodb:\/\//, ''));
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const { runtime, roles, base } = await boot(withDbName(inject('mongoUri'), uniqueDbName('health404')));
    cleanups.push(async () => {
      await runtime.connection.dropDatabase().catch(() => {});
      await roles.stop();
    });
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nope' } });
  });

  it.skipIf(inject('realMongo'))('turns 503 when the database goes away', async () => {
    const devdb = await startDevDb({ port: 0 });
    const { roles, base } = await boot(`${devdb.uri}/health_down`);
    cleanups.push(() => roles.stop().catch(() => {}));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await devdb.close();
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as Health).db.status).toBe('down');
  });
});
