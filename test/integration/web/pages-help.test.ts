import { get } from 'node:http';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../src/services/access.js';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../../src/services/kb/create-kb-category.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
const editor: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [] };
let publicId = '';

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ name: 'Support', displayName: 'Acme Support', address: 'help@acme.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 }, branding: { logoUrl: 'https://cdn.acme.test/logo.png' } });
  const deps = { ...h.stores, now: () => new Date() };
  const account = await createKbCategory(deps, editor, { name: 'Compte', language: 'fr', description: 'Mots de passe et accès' });
  const article = await createKbArticle(deps, editor, {
    title: 'Réinitialisation du mot de passe', body: 'Ouvrez **Compte**.\n\n![capture](https://cdn.acme.test/a.png)', language: 'fr', status: 'published', categoryId: account.id,
  });
  publicId = article.id;
  await createKbArticle(deps, editor, { title: 'Procédure interne de réinitialisation', body: 'Réservé aux agents.', language: 'fr', status: 'published', visibility: 'internal' });
  await createKbArticle(deps, editor, { title: 'Réinitialiser (brouillon)', body: 'Pas prêt.', language: 'fr' });
});
afterAll(async () => h.close());

describe('the public help center', () => {
  it('sends /help to the browser’s language', async () => {
    const res = await new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' }).get('/help');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/help/fr');
  });

  it('shows categories, the instance’s name and logo, a language switch and the support address, with no cookie and cache headers', async () => {
    const res = await new Client(h.base).get('/help/fr');
    expect(res.status).toBe(200);
    expect(res.setCookies).toEqual([]);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('etag')).toBeTruthy();
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    // The pages' own CSP, but article pictures and the logo may come over https.
    expect(res.headers.get('content-security-policy')).toMatch(/img-src 'self'[^;]* https:/);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Acme Support');
    expect(res.text).toContain('<img class="help-logo" src="https://cdn.acme.test/logo.png" alt="">');
    expect(res.text).toContain('href="/help/fr/c/compte">Compte</a>');
    expect(res.text).toContain('href="/help/en" lang="en"');
    expect(res.text).toContain('href="mailto:help@acme.test"');
    expect(res.text).toContain('Écrivez-nous');
  });

  it('answers 304 to a repeated request with its ETag', async () => {
    const first = await fetch(`${h.base}/help/fr`);
    // Not fetch: it adds `Cache-Control: no-cache` to a request with If-None-Match, which forbids a 304.
    const status = await new Promise<number>((resolve, reject) => {
      get(`${h.base}/help/fr`, { headers: { 'if-none-match': first.headers.get('etag')! } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('shows a category and a published public article with its sanitized HTML', async () => {
    const category = await new Client(h.base).get('/help/fr/c/compte');
    expect(category.text).toContain('href="/help/fr/reinitialisation-du-mot-de-passe"');
    const page = await new Client(h.base).get('/help/fr/reinitialisation-du-mot-de-passe');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Réinitialisation du mot de passe</h1>');
    expect(page.text).toContain('<p>Ouvrez <strong>Compte</strong>.</p>');
    expect(page.text).toContain('<img src="https://cdn.acme.test/a.png" alt="capture" />');
    expect(page.text).toContain('Cet article vous a-t-il aidé');
  });

  it('finds the article by an inflected word typed without accents, never the internal or draft ones', async () => {
    const res = await new Client(h.base).get('/help/search?lang=fr&q=reinitialiser');
    expect(res.status).toBe(200);
    expect(res.text).toContain('href="/help/fr/reinitialisation-du-mot-de-passe"');
    expect(res.text).not.toContain('interne');
    expect(res.text).not.toContain('brouillon');
  });

  it('answers 404 with its own page for internal articles, drafts and unknown addresses', async () => {
    for (const path of ['/help/fr/procedure-interne-de-reinitialisation', '/help/fr/reinitialiser-brouillon', '/help/fr/c/nothing', '/help/de', '/help/fr/../etc']) {
      const res = await new Client(h.base).get(path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).toContain('help-footer');
      expect(res.setCookies, path).toEqual([]);
    }
  });

  it('counts a helpful vote posted by a form, without a cookie', async () => {
    const res = await new Client(h.base).post('/help/fr/reinitialisation-du-mot-de-passe/helpful', { article: publicId, helpful: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/help/fr/reinitialisation-du-mot-de-passe?voted=yes#helpful');
    expect(res.setCookies).toEqual([]);
    expect((await h.models.KbArticle.findById(publicId).lean())!.counters).toEqual({ helpfulYes: 1, helpfulNo: 0 });
    const thanked = await new Client(h.base).get('/help/fr/reinitialisation-du-mot-de-passe?voted=yes');
    expect(thanked.text).toContain('Merci pour votre retour.');
    const crossSite = await fetch(`${h.base}/help/fr/reinitialisation-du-mot-de-passe/helpful`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, body: `article=${publicId}&helpful=no` });
    expect(crossSite.status).toBe(303);
    expect((await h.models.KbArticle.findById(publicId).lean())!.counters.helpfulNo).toBe(0);
  });

  it('limits searches per address and answers 429 with a page', async () => {
    const client = new Client(h.base);
    let last = { status: 0, headers: new Headers(), text: '' };
    for (let i = 0; i < 25 && last.status !== 429; i++) last = await client.get('/help/search?lang=en&q=password');
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last.text).toContain('Too many requests');
  });
});
