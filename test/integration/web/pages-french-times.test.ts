import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SURVEY_LINK_TTL_MS, surveyToken } from '../../../src/domain/satisfaction.js';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

/**
 * Issue 13 on the newer pages: the knowledge base, the help center and the satisfaction page answer
 * in French with `<html lang="fr">`, and show times in the reader's zone: a signed-in user's own, a
 * visitor's the instance's (DEFAULT_TIME_ZONE, here Europe/Paris), never UTC. The moment chosen,
 * 23:30 UTC, is already the next day in Paris and Tokyo, so a date shown in UTC is caught.
 */
const NOW = new Date('2026-12-06T23:30:00Z');
const sign = (v: string) => createHmac('sha256', 'french-times-test-key-of-32-chars!!!').update(v).digest('hex');
let h: Awaited<ReturnType<typeof startPages>>;
const inboxId = new Types.ObjectId();
let articleId = '';
let articleSlug = '';
let surveyLink = '';

beforeAll(async () => {
  h = await startPages(null, { sign, localeDefaults: { locale: 'en', timeZone: 'Europe/Paris' } });
  h.setNow(NOW);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', displayName: 'Acme Support', address: 'support@example.test', ...account });
  await createUser(h.models, { email: 'camille@example.test', password: 'camille password 1', role: 'admin', name: 'Camille' });
  // Camille reads in French, in Tokyo's time.
  await h.models.User.updateOne({ email: 'camille@example.test' }, { $set: { locale: 'fr', timeZone: 'Asia/Tokyo' } });
  const article = await createKbArticle({ ...h.stores, now: () => NOW }, { userId: null, role: 'admin', inboxIds: [] }, { title: 'Exporter ses factures', body: 'Ouvrez Factures, puis Exporter.', language: 'fr', status: 'published' });
  articleId = article.id;
  // Stored as written at NOW (the store stamps the real time).
  await h.models.KbArticle.collection.updateOne({ _id: new Types.ObjectId(articleId) }, { $set: { updatedAt: NOW, createdAt: NOW } });
  await h.models.KbRevision.collection.updateMany({}, { $set: { at: NOW } });
  articleSlug = article.slug;
  // A solved ticket of a French customer, asked for a rating.
  await h.models.Contact.create({ email: 'marie@client.test', locale: 'fr' });
  const solvedAt = new Date(NOW.getTime() - 3_600_000);
  const ticket = await h.models.Ticket.create({ number: 1, inboxId, subject: 'Export impossible', requester: { email: 'marie@client.test' }, status: 'solved', solvedAt, lastActivityAt: solvedAt });
  await h.stores.satisfaction.recordAsked({ ticketId: ticket._id, inboxId, teamId: null, assigneeId: null, email: 'marie@client.test', askedAt: solvedAt, solvedAt });
  surveyLink = `/satisfaction/${surveyToken(sign, { ticketId: ticket._id.toHexString(), solvedAt: solvedAt.getTime(), expiresAt: new Date(NOW.getTime() + SURVEY_LINK_TTL_MS) })}`;
});
afterAll(() => h.close());

describe('the newer pages in French, with local times', () => {
  it('shows the knowledge base to a French user in their own time zone', async () => {
    // Signed in on the real clock: the database's TTL index ends a session by its own wall clock, so
    // a session stamped at the pinned moment dies 8 hours after it, whatever today's date is.
    h.setNow(null);
    const camille = await Client.signedIn(h.base, 'camille@example.test', 'camille password 1');
    h.setNow(NOW);
    for (const path of ['/kb', `/kb/${articleId}`, `/kb/${articleId}/revisions`]) {
      const page = await camille.get(path);
      expect(page.status, path).toBe(200);
      expect(page.text, path).toContain('<html lang="fr">');
      // 23:30 UTC is 08:30 the next morning in Tokyo.
      expect(page.text, path).toContain('7 déc. 2026, 08:30');
      expect(page.text, path).not.toContain('6 déc. 2026');
    }
    // The figures are counted per UTC day: the period says so, its days dated in French.
    const stats = await camille.get('/kb/stats');
    expect(stats.text).toContain('<html lang="fr">');
    expect(stats.text).toContain('Du 7 nov. 2026 au 6 déc. 2026 (jours UTC)');
  });

  it("shows the help center to a French visitor, dated in the instance's time zone", async () => {
    const visitor = new Client(h.base, undefined, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect((await visitor.get('/help')).headers.get('location')).toBe('/help/fr');
    const page = await visitor.get(`/help/fr/${articleSlug}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    // 23:30 UTC is 00:30 the next day in Paris.
    expect(page.text).toContain('Mis à jour le 7 déc. 2026');
  });

  it("shows the satisfaction page in the customer's language, the time to change a rating in the instance's zone", async () => {
    // An English browser: the customer's remembered language wins.
    const customer = new Client(h.base, undefined, { 'accept-language': 'en' });
    const rated = await customer.post(surveyLink, { rating: 'good', comment: '' });
    expect(rated.status).toBe(200);
    const page = await customer.get(surveyLink);
    expect(page.text).toContain('<html lang="fr">');
    // Changeable for 7 days from the first rating: 13 Dec 23:30 UTC is 14 Dec 00:30 in Paris.
    expect(page.text).toContain('jusqu’au 14 déc. 2026, 00:30');
  });
});
