import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// Issue 20: the ticket page shows the metrics stored on the ticket in a small card of its side column.
let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let french: Client;
const inboxId = new Types.ObjectId();
const created = new Date('2026-03-02T09:00:00Z');
const at = (seconds: number) => new Date(created.getTime() + seconds * 1000);
const card = (html: string) => /<section class="card ticket-metrics-card">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
const rows = (html: string) => [...card(html).matchAll(/<dt>([^<]*)<\/dt><dd>([\s\S]*?)<\/dd>/g)].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim()]);

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@metrics-page.test', ...account });
  await createUser(h.models, { email: 'gina@metrics-page.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' });
  const fr = await createUser(h.models, { email: 'flo@metrics-page.test', password: 'flo password 123', inboxIds: [inboxId], name: 'Flo' });
  await h.models.User.updateOne({ _id: fr._id }, { $set: { locale: 'fr' } });
  agent = new Client(h.base);
  await agent.login('gina@metrics-page.test', 'gina password 123');
  french = new Client(h.base);
  await french.login('flo@metrics-page.test', 'flo password 123');
});
afterAll(() => h.close());

describe('the ticket page’s metrics card', () => {
  it('shows first response and resolution (with business time when it differs), their SLA attainment and the reopens', async () => {
    const t = await h.models.Ticket.create({
      number: 1, inboxId, subject: 'Printer', requester: { email: 'pat@customer.test' }, status: 'solved', createdAt: created, lastActivityAt: at(93_600),
      metrics: {
        firstResponseAt: at(2700), firstResponseSeconds: 2700, firstResponseBusinessSeconds: 2700,
        lastSolvedAt: at(93_600), resolutionSeconds: 93_600, resolutionBusinessSeconds: 30_600, reopenCount: 2,
        sla: { firstResponse: 'met', nextResponse: null, resolution: 'breached' },
      },
    });
    const page = await agent.get(`/tickets/${t._id}`);
    expect(page.status).toBe(200);
    expect(rows(page.text)).toEqual([
      ['First response', '45 min SLA met'],
      ['Resolution', '1 d 2 h (8 h 30 min in business hours) SLA breached'],
      ['Reopened', '2 times'],
    ]);
    expect(card(page.text)).toContain('class="badge sla-breach"');

    const fr = await french.get(`/tickets/${t._id}`);
    expect(rows(fr.text)).toEqual([
      ['Première réponse', '45 min SLA respecté'],
      ['Résolution', '1 j 2 h (8 h 30 min en heures ouvrées) SLA dépassé'],
      ['Rouverte', '2 fois'],
    ]);
  });

  it('is left out while nothing was measured yet', async () => {
    const t = await h.models.Ticket.create({ number: 2, inboxId, subject: 'New', requester: { email: 'new@customer.test' }, status: 'new' });
    const page = await agent.get(`/tickets/${t._id}`);
    expect(page.status).toBe(200);
    expect(card(page.text)).toBe('');
  });
});
