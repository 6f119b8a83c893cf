import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../../src/services/kb/create-kb-category.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

/* The help center's deflection counts (views, votes, "Write to us" click-throughs) and the editors' figures pages. */

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let agent: Client;
let articleId = '';
let otherId = '';
const inbox = new Types.ObjectId();
/* The clock stays at the test's start: every count is filed under one day, even across midnight. */
const NOW = new Date();
const TODAY = NOW.toISOString().slice(0, 10);
const SLUG = '/help/fr/reinitialisation-du-mot-de-passe';
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'accept-language': 'fr' };

/** The article's counts summed over its days, as stored. */
async function countsOf(id: string) {
  const rows = await h.models.KbArticleStat.find({ articleId: new Types.ObjectId(id) }).lean();
  const sum = { views: 0, yes: 0, no: 0, contact: 0 };
  for (const r of rows) for (const k of Object.keys(sum) as Array<keyof typeof sum>) sum[k] += r[k];
  return sum;
}

/** Waits until the buffered counter (written once a second) has written what `done` looks for. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  h = await startPages(null);
  h.setNow(NOW);
  await h.models.Inbox.create({ _id: inbox, name: 'Support', displayName: 'Acme Support', address: 'help@acme.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } });
  ({ admin, agent } = await signInEveryRole(h, inbox));
  const editor = { userId: new Types.ObjectId(), role: 'manager' as const, inboxIds: [] };
  const deps = { ...h.stores, now: () => NOW };
  const account = await createKbCategory(deps, editor, { name: 'Compte', language: 'fr' });
  articleId = (await createKbArticle(deps, editor, { title: 'Réinitialisation du mot de passe', body: 'Ouvrez **Compte**.', language: 'fr', status: 'published', categoryId: account.id })).id;
  otherId = (await createKbArticle(deps, editor, { title: 'Change the email address', body: 'Open the profile.', language: 'en', status: 'published' })).id;
  await createKbArticle(deps, editor, { title: 'Procédure interne', body: 'Réservé aux agents.', language: 'fr', status: 'published', visibility: 'internal' });
});
afterAll(async () => h.close());

describe('help center counts', () => {
  it('counts a reader’s view, but not HEAD, robots, prefetches or an agent’s preview, and sets no cookie', async () => {
    const reader = new Client(h.base, undefined, BROWSER);
    const head = await fetch(h.base + SLUG, { method: 'HEAD', headers: BROWSER });
    expect(head.status).toBe(200);
    expect((await new Client(h.base, undefined, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' }).get(SLUG)).status).toBe(200);
    expect((await new Client(h.base, undefined, { 'user-agent': 'curl/8.5.0' }).get(SLUG)).status).toBe(200);
    expect((await new Client(h.base, undefined, { ...BROWSER, 'sec-purpose': 'prefetch' }).get(SLUG)).status).toBe(200);
    expect((await reader.get(`${SLUG}?preview`)).status).toBe(200);
    // The one view that counts comes last: once it is written, anything counted before it is too.
    const page = await reader.get(SLUG);
    expect(page.status).toBe(200);
    expect(page.setCookies).toEqual([]);
    expect(page.text).toContain(`href="${SLUG}/contact" rel="nofollow"`);
    const counts = await until(() => countsOf(articleId), (c) => c.views > 0);
    expect(counts).toEqual({ views: 1, yes: 0, no: 0, contact: 0 });
    // Only sums per article and day are kept: no address, agent or cookie.
    const [stored] = await h.models.KbArticleStat.find({ articleId: new Types.ObjectId(articleId) }).lean();
    expect(Object.keys(stored!).sort()).toEqual(['_id', 'articleId', 'contact', 'day', 'no', 'views', 'yes']);
    expect(stored!.day).toBe(TODAY);
  });

  it('counts a "Write to us" click-through and sends the reader on to the support address', async () => {
    const res = await new Client(h.base, undefined, BROWSER).get(`${SLUG}/contact`);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`mailto:help@acme.test?subject=${encodeURIComponent('Réinitialisation du mot de passe')}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.setCookies).toEqual([]);
    expect((await until(() => countsOf(articleId), (c) => c.contact > 0)).contact).toBe(1);
    // Not for an internal article or an unknown one.
    expect((await new Client(h.base, undefined, BROWSER).get('/help/fr/procedure-interne/contact')).status).toBe(404);
    expect((await new Client(h.base, undefined, BROWSER).get('/help/fr/nothing-here/contact')).status).toBe(404);
  });

  it('counts helpful votes per day as well', async () => {
    const voted = await new Client(h.base, undefined, BROWSER).post(`${SLUG}/helpful`, { article: articleId, helpful: 'no' });
    expect(voted.status).toBe(303);
    expect((await until(() => countsOf(articleId), (c) => c.no > 0)).no).toBe(1);
  });
});

describe('/kb/stats and the article page', () => {
  it('shows editors the figures per category and per article, with a period filter', async () => {
    // Another article read on an earlier day, outside a period that starts today.
    await h.models.KbArticleStat.create({ articleId: new Types.ObjectId(otherId), day: '2025-01-15', views: 7, yes: 2, no: 0, contact: 1 });
    const page = await admin.get(`/kb/stats?from=${TODAY}&to=${TODAY}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Help center figures');
    expect(page.text).toContain(`href="/kb/${articleId}">Réinitialisation du mot de passe</a>`);
    expect(page.text).not.toContain('Change the email address');
    expect(page.text).toMatch(/<td class="subject" data-label="Category">Compte <span class="badge">fr<\/span><\/td>\s*<td class="num" data-label="Articles">1<\/td>\s*<td class="num" data-label="Views">1<\/td>\s*<td class="num" data-label="Yes">0<\/td>\s*<td class="num" data-label="No">1<\/td>\s*<td class="num" data-label="Helpful">0%<\/td>\s*<td class="num" data-label="Wrote to us">1<\/td>\s*<td class="num" data-label="Wrote per view">100%<\/td>/);
    const year = await admin.get('/kb/stats?from=2025-01-01&to=2025-12-31');
    expect(year.text).toContain('Change the email address');
    expect(year.text).toContain('No category');
    expect(year.text).not.toContain('Réinitialisation du mot de passe');
    expect(year.text).toMatch(/data-label="Views">7<\/td>/);
    expect(year.text).toMatch(/data-label="Helpful">100%<\/td>/);
  });

  it('refuses a bad period with a page naming the field, and agents who do not write articles', async () => {
    const bad = await admin.get('/kb/stats?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from: must be a day written YYYY-MM-DD');
    expect((await admin.get('/kb/stats?from=2026-03-02&to=2026-03-01')).text).toContain('from: must not be after to');
    expect((await agent.get('/kb/stats')).status).toBe(403);
    expect((await agent.get('/kb')).text).not.toContain('href="/kb/stats"');
    expect((await admin.get('/kb')).text).toContain('href="/kb/stats"');
  });

  it('shows an editor the article’s counts, and links its public page as a preview that is not counted', async () => {
    const page = await admin.get(`/kb/${articleId}`);
    expect(page.text).toContain('Last 30 days: 1 view, helpful 0 yes / 1 no, 1 wrote to us');
    expect(page.text).toContain('Since counting began: 1 view, helpful 0 yes / 1 no, 1 wrote to us');
    expect(page.text).toContain(`href="${SLUG}?preview"`);
    expect((await agent.get(`/kb/${articleId}`)).text).not.toContain('Last 30 days');
  });
});
