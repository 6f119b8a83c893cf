import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  h = await startApi('api_auth');
  await createUser(h.models, { email: 'agent@example.com', password: PASSWORD, name: 'Agent Smith' });
  await createUser(h.models, { email: 'gone@example.com', password: PASSWORD, disabled: true });
});
afterAll(() => h.close());

describe('POST /api/v1/auth/token', () => {
  it('issues a tl_ token valid for 90 days and stores only its SHA-256', async () => {
    const before = Date.now();
    const res = await call(h.base, 'POST', '/auth/token', { body: { email: 'Agent@Example.com', password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^tl_[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(90 * 86_400_000 - 1000);
    expect(expiresAt - before).toBeLessThanOrEqual(90 * 86_400_000 + 5000);

    const stored = await h.models.ApiToken.find().lean();
    const mine = stored.find((t) => t.tokenHash === createHash('sha256').update(res.body.token).digest('hex'));
    expect(mine).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(res.body.token);
    expect((await h.models.User.findOne({ email: 'agent@example.com' }).lean())?.lastLoginAt).toBeInstanceOf(Date);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers an unknown email, a wrong password and a disabled user identically', async () => {
    const wrongPassword = await call(h.base, 'POST', '/auth/token', { body: { email: 'agent@example.com', password: 'nope nope nope' } });
    const unknownUser = await call(h.base, 'POST', '/auth/token', { body: { email: 'nobody@example.com', password: PASSWORD } });
    const disabled = await call(h.base, 'POST', '/auth/token', { body: { email: 'gone@example.com', password: PASSWORD } });
    for (const res of [wrongPassword, unknownUser, disabled]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Invalid email or password' } });
    }
    expect(h.logs()).not.toContain(PASSWORD);
  });

  it('spends argon2 time on unknown emails too', async () => {
    const time = async (email: string) => {
      const started = performance.now();
      await call(h.base, 'POST', '/auth/token', { body: { email, password: 'wrong password' } });
      return performance.now() - started;
    };
    await time('warmup@example.com');
    const known = Math.min(await time('agent@example.com'), await time('agent@example.com'));
    const unknown = Math.min(await time('x1@example.com'), await time('x2@example.com'));
    // Without the dummy verify an unknown email answers in ~1 ms against tens of ms for argon2.
    expect(unknown).toBeGreaterThan(known * 0.3);
  });

  it('names the missing field and refuses malformed JSON', async () => {
    const res = await call(h.base, 'POST', '/auth/token', { body: { password: PASSWORD } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues).toEqual([expect.objectContaining({ path: 'email' })]);
    expect(res.body.error.message).toContain('email');
    const bad = await call(h.base, 'POST', '/auth/token', { body: '{"email":' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses bodies over 1 MB', async () => {
    const res = await call(h.base, 'POST', '/auth/token', { body: { email: 'agent@example.com', password: 'x'.repeat(1_100_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('bearer authentication', () => {
  it('lets a token holder read /me', async () => {
    const token = await login(h.base, 'agent@example.com', PASSWORD);
    const res = await call(h.base, 'GET', '/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f]{24}$/), email: 'agent@example.com', name: 'Agent Smith', role: 'agent', inboxIds: [], away: false, awaySince: null });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a missing, malformed or unknown token with 401', async () => {
    const missing = await call(h.base, 'GET', '/me');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('UNAUTHENTICATED');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const basic = await call(h.base, 'GET', '/me', { headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);
    const unknown = await call(h.base, 'GET', '/me', { token: `tl_${'A'.repeat(43)}` });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe('API token is invalid, expired or revoked');
    const garbage = await call(h.base, 'GET', '/me', { token: 'not-a-token' });
    expect(garbage.body).toEqual(unknown.body);
    const unknownRoute = await call(h.base, 'GET', '/nothing-here');
    expect(unknownRoute.status).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = await login(h.base, 'agent@example.com', PASSWORD);
    h.setNow(new Date(Date.now() + 91 * 86_400_000));
    try {
      expect((await call(h.base, 'GET', '/me', { token })).status).toBe(401);
    } finally {
      h.setNow(null);
    }
    expect((await call(h.base, 'GET', '/me', { token })).status).toBe(200);
  });

  it('refuses a revoked token, and only that one', async () => {
    const token = await login(h.base, 'agent@example.com', PASSWORD);
    const other = await login(h.base, 'agent@example.com', PASSWORD);
    const res = await call(h.base, 'DELETE', '/auth/token', { token });
    expect(res.status).toBe(204);
    expect((await call(h.base, 'GET', '/me', { token })).status).toBe(401);
    expect((await call(h.base, 'DELETE', '/auth/token', { token })).status).toBe(401);
    expect((await call(h.base, 'GET', '/me', { token: other })).status).toBe(200);
  });

  it('refuses the token of a user disabled after login', async () => {
    const user = await createUser(h.models, { email: 'later@example.com', password: PASSWORD });
    const token = await login(h.base, 'later@example.com', PASSWORD);
    expect((await call(h.base, 'GET', '/me', { token })).status).toBe(200);
    await h.models.User.updateOne({ _id: user._id }, { $set: { disabled: true } });
    expect((await call(h.base, 'GET', '/me', { token })).status).toBe(401);
  });

  it('records lastUsedAt at most once a minute', async () => {
    const token = await login(h.base, 'agent@example.com', PASSWORD);
    const tokenHash = createHash('sha256').update(token).digest('hex');
    const lastUsed = async () => (await h.models.ApiToken.findOne({ tokenHash }).lean())?.lastUsedAt?.getTime();
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000);
    try {
      h.setNow(t0);
      await call(h.base, 'GET', '/me', { token });
      expect(await lastUsed()).toBe(t0.getTime());
      h.setNow(new Date(t0.getTime() + 30_000));
      await call(h.base, 'GET', '/me', { token });
      expect(await lastUsed()).toBe(t0.getTime());
      h.setNow(new Date(t0.getTime() + 61_000));
      await call(h.base, 'GET', '/me', { token });
      expect(await lastUsed()).toBe(t0.getTime() + 61_000);
    } finally {
      h.setNow(null);
    }
  });
});
