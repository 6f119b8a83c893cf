import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { createRuntime, startRoles } from '../../../src/composition.js';
import { startDevDb } from '../../../src/devdb/server.js';
import { hashPassword } from '../../../src/store/passwords.js';
import { testLogger, uniqueDbName } from '../../helpers/db.js';
import { withDbName } from '../../helpers/uri.js';
import { Client } from './pages-harness.js';

type Health = { status: string; db: { status: string; kind: string }; workers: Array<{ role: string; stale: boolean }> };
/** The details of /healthz, as a signed-in admin reads them. */
const health = async (base: string, token: string) => (await (await fetch(`${base}/healthz`, { headers: { authorization: `Bearer ${token}` } })).json()) as Health;
const OWNER = { email: 'owner@example.com', password: 'a very long admin password' };

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function boot(uri: string) {
  const config = loadConfig({
    MONGODB_URI: uri,
    PORT: '0',
    SECRET_KEY: 's'.repeat(40),
    ADMIN_EMAIL: OWNER.email,
    ADMIN_PASSWORD: OWNER.password,
    WORKER_HEARTBEAT_INTERVAL_MS: '200',
    MONGODB_SERVER_SELECTION_TIMEOUT_MS: '1500',
  });
  const runtime = await createRuntime(config, testLogger);
  const roles = await startRoles(runtime, ['jobs', 'poller', 'web']);
  const server = roles.servers[0]!;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { runtime, roles, base };
}

async function tokenOf(base: string, user: { email: string; password: string }): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (res.status !== 201) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

describe('GET /healthz', () => {
  it('reports the database and every worker to an admin, and the first admin exists', async () => {
    const { runtime, roles, base } = await boot(withDbName(inject('mongoUri'), uniqueDbName('health')));
    cleanups.push(async () => {
      await runtime.connection.dropDatabase().catch(() => {});
      await roles.stop();
    });
    const token = await tokenOf(base, OWNER);
    await expect.poll(async () => (await health(base, token)).workers.length, { timeout: 5000 }).toBe(2);
    const res = await fetch(`${base}/healthz`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body).toMatchObject({ status: 'ok', db: { status: 'up', kind: 'external' } });
    expect(body.workers.map((w) => w.role).sort()).toEqual(['jobs', 'poller']);
    expect(body.workers.every((w) => !w.stale)).toBe(true);
    expect(await runtime.models.User.countDocuments({ role: 'admin', email: 'owner@example.com' })).toBe(1);
    expect(JSON.stringify(body)).not.toContain(inject('mongoUri').replace(/^mongodb:\/\//, ''));
  });

  it('shows anyone else only the status: no host names, process ids or inbox ids to the public or to agents', async () => {
    const { runtime, roles, base } = await boot(withDbName(inject('mongoUri'), uniqueDbName('health_public')));
    cleanups.push(async () => {
      await runtime.connection.dropDatabase().catch(() => {});
      await roles.stop();
    });
    const admin = await tokenOf(base, OWNER);
    await expect.poll(async () => (await health(base, admin)).workers.length, { timeout: 5000 }).toBe(2);
    const inbox = await runtime.models.Inbox.create({ name: 'Support', address: 'support@example.com', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
    await runtime.models.User.create({ email: 'agent@example.com', role: 'agent', inboxIds: [inbox._id], passwordHash: await hashPassword('an agent password 1') });
    const agent = await tokenOf(base, { email: 'agent@example.com', password: 'an agent password 1' });

    const callers: Array<Record<string, string>> = [{}, { authorization: `Bearer ${agent}` }, { authorization: 'Bearer tl_not-a-real-token' }, { cookie: 'tl_session=forged' }];
    for (const headers of callers) {
      const res = await fetch(`${base}/healthz`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('shows the details to an admin signed in to the pages', async () => {
    const { runtime, roles, base } = await boot(withDbName(inject('mongoUri'), uniqueDbName('health_session')));
    cleanups.push(async () => {
      await runtime.connection.dropDatabase().catch(() => {});
      await roles.stop();
    });
    const browser = new Client(base);
    expect((await browser.login(OWNER.email, OWNER.password)).status).toBe(303);
    const res = await browser.get('/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'ok', db: { status: 'up', kind: 'external' }, workers: expect.any(Array) });
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
    expect(await res.json()).toEqual({ status: 'down' });
  });
});
