import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, utcDay } from '../../../src/domain/kb-stats.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
const ids: Record<string, string> = {};
/* The clock stays at the test's start, so the days below do not move across midnight. */
const NOW = new Date();
const TODAY = utcDay(NOW);
const ago = (n: number) => addDays(TODAY, -n);

beforeAll(async () => {
  h = await startApi('api_kb_stats');
  h.setNow(NOW);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123' });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
  const category = await call(h.base, 'POST', '/kb/categories', { token: admin, body: { name: 'Account', language: 'en' } });
  ids.category = category.body.id;
  for (const [key, title, categoryId] of [['reset', 'Reset a password', ids.category], ['email', 'Change the email address', ids.category], ['invoice', 'Download an invoice', null]] as const) {
    ids[key] = (await call(h.base, 'POST', '/kb/articles', { token: admin, body: { title, body: 'Steps.', language: 'en', status: 'published', categoryId } })).body.id;
  }
  const day = (articleId: string, d: string, views: number, yes: number, no: number, contact: number) => ({ articleId: new Types.ObjectId(articleId), day: d, views, yes, no, contact });
  await h.models.KbArticleStat.insertMany([
    day(ids.reset!, ago(30), 10, 3, 1, 2),
    day(ids.reset!, ago(1), 5, 1, 0, 0),
    day(ids.email!, ago(16), 4, 0, 2, 1),
    day(ids.invoice!, TODAY, 8, 0, 0, 0),
    day(ids.invoice!, ago(33), 100, 0, 0, 50),
  ]);
});
afterAll(() => h.close());

describe('GET /api/v1/kb/stats', () => {
  it('sums the last 30 days per article (most viewed first) and per category', async () => {
    const res = await call(h.base, 'GET', '/kb/stats', { token: admin });
    expect(res.status).toBe(200);
    expect(res.body.period).toEqual({ from: ago(29), to: TODAY });
    expect(res.body.articles.map((a: { id: string; views: number }) => [a.id, a.views])).toEqual([[ids.invoice, 8], [ids.reset, 5], [ids.email, 4]]);
    expect(res.body.totals).toEqual({ views: 17, yes: 1, no: 2, contact: 1, helpfulShare: 1 / 3, contactRate: 1 / 17 });
    expect(res.body.categories).toEqual([
      { id: ids.category, name: 'Account', language: 'en', articles: 2, views: 9, yes: 1, no: 2, contact: 1, helpfulShare: 1 / 3, contactRate: 1 / 9 },
      { id: null, name: null, language: null, articles: 1, views: 8, yes: 0, no: 0, contact: 0, helpfulShare: null, contactRate: 0 },
    ]);
  });

  it('takes a period of days, both ends included', async () => {
    const res = await call(h.base, 'GET', `/kb/stats?from=${ago(33)}&to=${ago(30)}`, { token: admin });
    expect(res.body.articles.map((a: { id: string; views: number; contact: number }) => [a.id, a.views, a.contact])).toEqual([[ids.invoice, 100, 50], [ids.reset, 10, 2]]);
    expect((await call(h.base, 'GET', '/kb/stats?from=2020-01-01&to=2020-01-31', { token: admin })).body).toMatchObject({ articles: [], categories: [], totals: { views: 0, helpfulShare: null, contactRate: null } });
  });

  it('answers 400 naming the field for a bad period, 403 to agents who do not write articles', async () => {
    const bad = await call(h.base, 'GET', '/kb/stats?from=03/01/2026', { token: admin });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues).toEqual([expect.objectContaining({ path: 'from', message: 'must be a day written YYYY-MM-DD' })]);
    expect((await call(h.base, 'GET', `/kb/stats?from=${ago(800)}&to=${TODAY}`, { token: admin })).body.error.details.issues[0].path).toBe('from');
    expect((await call(h.base, 'GET', '/kb/stats', { token: agent })).status).toBe(403);
    expect((await call(h.base, 'GET', '/kb/stats')).status).toBe(401);
  });
});
