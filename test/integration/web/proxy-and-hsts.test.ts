import { afterAll, describe, expect, it } from 'vitest';
import type { TrustProxy } from '../../../src/config/schema.js';
import { createSecretBox } from '../../../src/store/secret-box.js';
import { createApp } from '../../../src/web/create-app.js';
import { createUser, TEST_PASSWORDS, TEST_SECRET_KEY } from '../../helpers/api.js';
import { openTestDb, testLogger } from '../../helpers/db.js';
import { serve } from '../../helpers/http.js';
import { Client, startPages } from './pages-harness.js';
import { compose, noJobs } from '../../helpers/use-case-deps.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The pages with a per-account login limit of 2 failures, behind the given TRUST_PROXY setting. */
async function pagesBehind(trustProxy: TrustProxy | undefined) {
  const db = await openTestDb('proxy');
  const now = () => new Date();
  const app = createApp({
    logger: testLogger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'test' }, workers: [] }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    pages: {
      stores: db.stores, passwords: TEST_PASSWORDS,
      now,
      publicUrl: null,
      // Signing in never sends mail, so the outbox scheduler and signer are never reached.
      actions: { ...db.stores, now, scheduler: noJobs, compose, sign: (() => '') as never, refreshSla: async () => {} },
      secrets: createSecretBox(TEST_SECRET_KEY),
      loginLimits: { perAccount: 2, perAddress: 100 },
    },
  });
  const server = await serve(app);
  cleanups.push(async () => {
    await server.close();
    await db.drop();
  });
  await createUser(db.models, { email: 'ann@example.com', password: 'the right password 1' });
  return server.base;
}

/** One wrong-password sign-in claiming to come from `forwardedFor`; the answer's status. */
async function failedLoginFrom(base: string, forwardedFor: string): Promise<number> {
  const client = new Client(base);
  const page = await client.get('/login');
  const headers = {
    cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    'content-type': 'application/x-www-form-urlencoded',
    'x-forwarded-for': forwardedFor,
  };
  const body = new URLSearchParams({ _csrf: Client.csrf(page.text), email: 'ann@example.com', password: 'a wrong password', next: '/' }).toString();
  const res = await fetch(`${base}/login`, { method: 'POST', headers, body, redirect: 'manual' });
  await res.text();
  return res.status;
}

describe('X-Forwarded-For and TRUST_PROXY', () => {
  it('does not let a client dodge the login throttle by sending its own X-Forwarded-For when no proxy is trusted', async () => {
    const base = await pagesBehind(undefined);
    const statuses = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push(await failedLoginFrom(base, ip));
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('takes the client address from X-Forwarded-For when the sender is a trusted proxy', async () => {
    const base = await pagesBehind(['loopback']);
    const statuses = [];
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) statuses.push(await failedLoginFrom(base, ip));
    expect(statuses).toEqual([401, 401, 401]);
    expect(await failedLoginFrom(base, '203.0.113.1')).toBe(401);
    expect(await failedLoginFrom(base, '203.0.113.1')).toBe(429);
  });
});

describe('Strict-Transport-Security', () => {
  it('is sent on pages, unknown routes and /healthz when PUBLIC_URL is https', async () => {
    const app = await startPages('https://help.example.com');
    cleanups.push(() => app.close());
    for (const path of ['/login', '/healthz', '/no-such-page']) {
      const res = await fetch(app.base + path, { redirect: 'manual' });
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=15552000; includeSubDomains');
    }
  });

  it('is not sent when PUBLIC_URL is plain http or unset', async () => {
    const app = await startPages(null);
    cleanups.push(() => app.close());
    expect((await fetch(`${app.base}/login`)).headers.get('strict-transport-security')).toBeNull();
  });
});
