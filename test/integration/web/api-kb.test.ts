import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let agentId: string;

beforeAll(async () => {
  h = await startApi('api_kb');
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  agentId = (await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123' }))._id.toHexString();
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
});
afterAll(() => h.close());

describe('/api/v1/kb', () => {
  let id = '';

  it('creates categories and articles, revises, lists revisions and restores', async () => {
    const category = await call(h.base, 'POST', '/kb/categories', { token: admin, body: { name: 'Account', language: 'en', position: 1 } });
    expect(category.status).toBe(201);
    expect(category.body).toMatchObject({ name: 'Account', slug: 'account', language: 'en', position: 1, description: null });
    const created = await call(h.base, 'POST', '/kb/articles', { token: admin, body: { title: 'Reset a password', body: 'Go to **Account**.', language: 'en', categoryId: category.body.id, tags: ['Login'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'reset-a-password', status: 'draft', revision: 1, html: '<p>Go to <strong>Account</strong>.</p>', tags: ['login'] });
    id = created.body.id;
    const revised = await call(h.base, 'PATCH', `/kb/articles/${id}`, { token: admin, body: { body: 'Open *Account*, then *Password*.', status: 'published' } });
    expect(revised.body).toMatchObject({ revision: 2, status: 'published' });
    const revisions = await call(h.base, 'GET', `/kb/articles/${id}/revisions`, { token: admin });
    expect(revisions.body.items.map((r: { number: number }) => r.number)).toEqual([2, 1]);
    const restored = await call(h.base, 'POST', `/kb/articles/${id}/revisions/1/restore`, { token: admin });
    expect(restored.body).toMatchObject({ revision: 3, body: 'Go to **Account**.' });
    expect((await call(h.base, 'POST', `/kb/articles/${id}/revisions/9/restore`, { token: admin })).status).toBe(404);
    const list = await call(h.base, 'GET', '/kb/articles?q=password&language=en', { token: agent });
    expect(list.status).toBe(200);
    expect(list.body.items.map((a: { id: string }) => a.id)).toEqual([id]);
  });

  it('refuses writing to agents until an admin sets kbEditor on them', async () => {
    expect((await call(h.base, 'POST', '/kb/articles', { token: agent, body: { title: 'Mine', body: 'x', language: 'en' } })).status).toBe(403);
    expect((await call(h.base, 'POST', '/kb/categories', { token: agent, body: { name: 'Mine', language: 'en' } })).status).toBe(403);
    const patched = await call(h.base, 'PATCH', `/users/${agentId}`, { token: admin, body: { kbEditor: true } });
    expect(patched.status).toBe(200);
    expect(patched.body.kbEditor).toBe(true);
    const agentToken = await login(h.base, 'agent@example.com', 'agent password 123');
    expect((await call(h.base, 'POST', '/kb/articles', { token: agentToken, body: { title: 'Mine', body: 'x', language: 'en' } })).status).toBe(201);
  });

  it('answers 400 naming bad fields and 404 for unknown articles', async () => {
    const bad = await call(h.base, 'POST', '/kb/articles', { token: admin, body: { title: '', body: 'x', language: 'de' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['language', 'title']);
    expect((await call(h.base, 'GET', '/kb/articles/000000000000000000000000', { token: admin })).status).toBe(404);
    expect((await call(h.base, 'GET', '/kb/articles?status=lost', { token: admin })).status).toBe(400);
  });

  it('archives: the article leaves the public search', async () => {
    expect((await call(h.base, 'GET', '/help/search?q=reset&lang=en')).body.items).toHaveLength(1);
    expect((await call(h.base, 'POST', `/kb/articles/${id}/archive`, { token: admin })).body.status).toBe('archived');
    expect((await call(h.base, 'GET', '/help/search?q=reset&lang=en')).body).toEqual({ items: [], problem: null });
  });
});

describe('GET /api/v1/help/search', () => {
  it('needs no token, answers cacheable results, and is rate-limited per address', async () => {
    await call(h.base, 'POST', '/kb/articles', { token: admin, body: { title: 'Réinitialisation du mot de passe', body: 'Ouvrez le compte.', language: 'fr', status: 'published' } });
    const res = await call(h.base, 'GET', '/help/search?q=r%C3%A9initialiser&lang=fr');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.body.items).toEqual([expect.objectContaining({ slug: 'reinitialisation-du-mot-de-passe', url: '/help/fr/reinitialisation-du-mot-de-passe' })]);
    expect((await call(h.base, 'GET', '/help/search?q=x&lang=de')).status).toBe(400);
    let status = 0;
    for (let i = 0; i < 25 && status !== 429; i++) status = (await call(h.base, 'GET', '/help/search?q=password')).status;
    expect(status).toBe(429);
    const limited = await call(h.base, 'GET', '/help/search?q=password');
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
