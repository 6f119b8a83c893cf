import { createHmac } from 'node:crypto';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SURVEY_LINK_TTL_MS, surveyToken } from '../../../src/domain/satisfaction.js';
import { createUser } from '../../helpers/api.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

const sign = (v: string) => createHmac('sha256', 'pages-test-key-of-at-least-32-chars!!').update(v).digest('hex');
const PUBLIC_URL = 'https://desk.example.test';
const DAY = 86_400_000;
let h: Awaited<ReturnType<typeof startPages>>;
const inboxId = new Types.ObjectId();
let n = 0;

beforeAll(async () => {
  // Eight ratings per address, then one a minute: the limit test (last) reaches it.
  h = await startPages(PUBLIC_URL, { sign, satisfactionLimit: { capacity: 8, perSecond: 1 / 60 } });
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', displayName: 'Acme Support', address: 'support@example.test', ...account });
});
afterAll(() => h.close());

/** A solved ticket whose survey was asked now; its link token (valid 30 days from `issuedAt`). */
async function surveyed(opts: { email?: string; issuedAt?: Date } = {}) {
  const number = ++n;
  const solvedAt = new Date();
  const email = opts.email ?? `c${number}@customer.test`;
  const t = await h.models.Ticket.create({ number, inboxId, subject: `Export broken ${number}`, requester: { email }, status: 'solved', solvedAt, lastActivityAt: solvedAt });
  await h.stores.satisfaction.recordAsked({ ticketId: t._id, inboxId, teamId: null, assigneeId: null, email, askedAt: solvedAt, solvedAt });
  const issued = opts.issuedAt ?? new Date();
  return { id: t._id, token: surveyToken(sign, { ticketId: t._id.toHexString(), solvedAt: solvedAt.getTime(), expiresAt: new Date(issued.getTime() + SURVEY_LINK_TTL_MS) }) };
}
const checked = (html: string) => /value="(good|okay|bad)" checked/.exec(html)?.[1] ?? null;

describe('/satisfaction/<token>', () => {
  it('opens with the link\'s rating pre-selected, a comment box and a button, without a session, and records nothing', async () => {
    const { id, token } = await surveyed();
    const res = await new Client(h.base).get(`/satisfaction/${token}?rating=bad`);
    expect(res.status).toBe(200);
    expect(checked(res.text)).toBe('bad');
    expect(res.text).toContain('<textarea id="satisfaction-comment" name="comment"');
    expect(res.text).toContain(`action="/satisfaction/${token}"`);
    expect(res.text).toContain('Acme Support');
    expect(res.setCookies).toEqual([]);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).not.toMatch(/<script/);
    expect((await h.stores.satisfaction.findByTicket(id))!.rating).toBeNull();
    expect((await h.models.Ticket.findById(id).lean())!.satisfaction).toBeUndefined();
  });

  it('records the rating and comment on POST, shows it when opened again, and lets it change', async () => {
    const { id, token } = await surveyed();
    const client = new Client(h.base, PUBLIC_URL);
    const res = await client.post(`/satisfaction/${token}`, { rating: 'okay', comment: 'It took a while' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Okay');
    expect(await h.stores.satisfaction.findByTicket(id)).toMatchObject({ rating: 'okay', comment: 'It took a while' });
    expect((await h.models.Ticket.findById(id).lean())!.satisfaction?.rating).toBe('okay');
    const again = await client.get(`/satisfaction/${token}`);
    expect(checked(again.text)).toBe('okay');
    expect(again.text).toContain('It took a while');
    await client.post(`/satisfaction/${token}`, { rating: 'good', comment: '' });
    expect(await h.stores.satisfaction.findByTicket(id)).toMatchObject({ rating: 'good', comment: null });
  });

  it('is in the customer\'s language', async () => {
    await h.models.Contact.create({ email: 'marie@client.test', locale: 'fr' });
    const { token } = await surveyed({ email: 'marie@client.test' });
    const res = await new Client(h.base).get(`/satisfaction/${token}?rating=good`);
    expect(res.text).toContain('<html lang="fr">');
    expect(res.text).toContain('Confirmer mon évaluation');
  });

  it('is closed once the first rating is more than 7 days old (410)', async () => {
    const { id, token } = await surveyed();
    await new Client(h.base, PUBLIC_URL).post(`/satisfaction/${token}`, { rating: 'good', comment: '' });
    h.setNow(new Date(Date.now() + 8 * DAY));
    try {
      const page = await new Client(h.base).get(`/satisfaction/${token}`);
      expect(page.status).toBe(410);
      expect(page.text).toContain('Rating closed');
      const post = await new Client(h.base, PUBLIC_URL).post(`/satisfaction/${token}`, { rating: 'bad', comment: '' });
      expect(post.status).toBe(410);
      expect((await h.stores.satisfaction.findByTicket(id))!.rating).toBe('good');
    } finally {
      h.setNow(null);
    }
  });

  it('answers a bad link with 400 and an expired one with 410, with a page', async () => {
    const { token } = await surveyed({ issuedAt: new Date(Date.now() - 31 * DAY) });
    const expired = await new Client(h.base).get(`/satisfaction/${token}?rating=good`);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain('This link has expired');
    for (const bad of ['nonsense', `${token.slice(0, -2)}00`, `${new Types.ObjectId().toHexString()}.a.b.${'0'.repeat(32)}`]) {
      const res = await new Client(h.base).get(`/satisfaction/${bad}`);
      expect(res.status).toBe(400);
      expect(res.text).toContain('This link does not work');
    }
  });

  it('refuses a rating posted from another site, and a missing one', async () => {
    const { id, token } = await surveyed();
    const foreign = await new Client(h.base, 'https://evil.example').post(`/satisfaction/${token}`, { rating: 'bad', comment: '' });
    expect(foreign.status).toBe(403);
    const missing = await new Client(h.base, PUBLIC_URL).post(`/satisfaction/${token}`, { comment: 'no rating' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Choose a rating first');
    expect((await h.stores.satisfaction.findByTicket(id))!.rating).toBeNull();
  });
});

describe('ratings for agents and managers', () => {
  it('shows the rating as a badge and the comment on the ticket page, and per team and agent on the team load page', async () => {
    const { manager, agent, agentId } = await signInEveryRole(h, inboxId);
    const team = await h.models.Team.create({ name: 'Front desk', level: 'L1', memberIds: [new Types.ObjectId(agentId)], inboxIds: [inboxId] });
    const { id, token } = await surveyed();
    await h.models.SatisfactionRating.updateOne({ ticketId: id }, { $set: { assigneeId: new Types.ObjectId(agentId), teamId: team._id } });
    await new Client(h.base, PUBLIC_URL).post(`/satisfaction/${token}`, { rating: 'bad', comment: 'Nobody answered my question' });

    const page = await agent.get(`/tickets/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<span class="badge satisfaction-bad">Rated bad</span>');
    expect(page.text).toContain('Nobody answered my question');
    // A bad rating flags the ticket in the lists too.
    const list = await agent.get('/tickets?status=solved');
    const row = list.text.slice(list.text.indexOf(`href="/tickets/${id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('<span class="badge satisfaction-bad">Rated bad</span>');

    const load = await manager.get('/team-load');
    expect(load.status).toBe(200);
    const section = load.text.slice(load.text.indexOf('id="satisfaction-heading"'));
    expect(section).toContain('Front desk');
    expect(section).toContain('Gina');
    expect(section).toMatch(/data-label="Score">0%</);
  });
});

describe('the inbox settings page', () => {
  it('shows the survey settings and saves them without JavaScript, refusing a bad delay', async () => {
    await createUser(h.models, { email: 'root@example.test', password: 'root password 123', role: 'admin' });
    const c = await Client.signedIn(h.base, 'root@example.test', 'root password 123');
    const path = `/settings/inboxes/${inboxId.toHexString()}`;
    const page = await c.get(path);
    expect(page.text).toMatch(/<input type="checkbox" name="satisfaction_enabled">/);
    expect(page.text).toContain('<option value="solved" selected>');
    const form = (csrf: string, extra: Record<string, string>) => ({
      _csrf: csrf, action: 'save', name: 'Support', address: 'support@example.test', display_name: 'Acme Support',
      imap_host: 'x', imap_port: '993', imap_secure: 'on', imap_user: 'support@example.test', imap_folder: 'INBOX', smtp_host: 'x', smtp_port: '25',
      satisfaction_shown: '1', satisfaction_mode: 'delayed', satisfaction_delay_hours: '6', satisfaction_ask_days: '14', ...extra,
    });
    const saved = await c.post(path, form(Client.csrf(page.text), { satisfaction_enabled: 'on' }));
    expect(saved.status).toBe(303);
    expect((await h.models.Inbox.findById(inboxId).lean())!.satisfaction).toEqual({ enabled: true, mode: 'delayed', delayHours: 6, askEveryDays: 14 });
    const again = await c.get(path);
    expect(again.text).toMatch(/<input type="checkbox" name="satisfaction_enabled" checked>/);
    const refused = await c.post(path, form(Client.csrf(again.text), { satisfaction_delay_hours: 'soon' }));
    expect(refused.status).toBe(400);
    expect((await h.models.Inbox.findById(inboxId).lean())!.satisfaction?.enabled).toBe(true);
  });
});

describe('the rating limit', () => {
  it('answers 429 with a page once an address has posted too many ratings, and records nothing more', async () => {
    const { id, token } = await surveyed();
    const client = new Client(h.base, PUBLIC_URL);
    let last = 0;
    for (let i = 0; i < 10 && last !== 429; i++) last = (await client.post(`/satisfaction/${token}`, { rating: 'okay', comment: `try ${i}` })).status;
    expect(last).toBe(429);
    const limited = await client.post(`/satisfaction/${token}`, { rating: 'bad', comment: 'too many' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.text).toContain('Too many attempts');
    expect((await h.stores.satisfaction.findByTicket(id))!.rating).toBe('okay');
  });
});

