import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let c: Client;
let ticketId: string;
const inbox = new Types.ObjectId();
/** A French month as Intl writes it in `dateStyle: 'medium'`: `6 déc. 2026`. */
const FRENCH_DATE = /\d{1,2} (janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.? \d{4}/;
const NBSP = '\u00a0';

// Every request of this file comes from a browser set to French.
const realFetch = globalThis.fetch;
vi.stubGlobal('fetch', (input: string | URL | Request, init: RequestInit = {}) =>
  realFetch(input, { ...init, headers: { ...(init.headers as Record<string, string>), 'accept-language': 'fr-FR,fr;q=0.9' } }),
);

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Support Lyon', address: 'lyon@example.test', imap: { host: 'x', port: 993, folder: 'INBOX' }, smtp: { host: 'x', port: 25 } });
  const agent = await createUser(h.models, { email: 'lea@example.test', password: 'lea password 123', inboxIds: [inbox], name: 'Léa' });
  await h.models.User.updateOne({ _id: agent._id }, { $set: { timeZone: 'Europe/Paris' } });
  const ticket = await h.models.Ticket.create({
    number: 42, inboxId: inbox, subject: 'Imprimante en panne', requester: { email: 'marc@client.test', name: 'Marc' }, status: 'pending', assigneeId: agent._id,
    lastActivityAt: new Date('2026-03-09T08:30:00Z'),
    sla: { nextResponseDueAt: new Date(Date.now() + 3 * 3600_000 + 600_000) },
  });
  ticketId = ticket._id.toHexString();
  // Written on 1 March (its Date header), imported on 3 March: the page shows when it was written.
  const message = await h.models.Message.create({
    ticketId: ticket._id, inboxId: inbox, direction: 'inbound', messageId: 'panne@client.test', from: { address: 'marc@client.test', name: 'Marc' },
    subject: 'Imprimante en panne', text: 'Mon imprimante ne marche plus.', date: new Date('2026-03-01T08:15:00Z'), createdAt: new Date('2026-03-03T16:40:00Z'),
  });
  await h.models.TicketEvent.create([
    { ticketId: ticket._id, type: 'message_received', actor: { kind: 'contact', label: 'marc@client.test' }, at: new Date('2026-03-03T16:40:00Z'), data: { messageId: message._id } },
    { ticketId: ticket._id, type: 'status_changed', actor: { kind: 'user', id: agent._id }, at: new Date('2026-03-09T08:30:00Z'), data: { from: 'open', to: 'pending' } },
  ]);
  c = new Client(h.base);
  await c.login('lea@example.test', 'lea password 123');
});
afterAll(async () => {
  vi.unstubAllGlobals();
  await h.close();
});

describe('the ticket pages for a French browser', () => {
  it('lists the tickets in French, with French dates', async () => {
    const page = await c.get('/tickets');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    // Without filters the list is the All view, titled as such and marked in the view bar.
    expect(page.text).toContain('<h1>Toutes les demandes</h1>');
    expect(page.text).toContain('<title>Toutes les demandes · Threadline</title>');
    expect(page.text).toMatch(/<a href="\/tickets" aria-current="page">Toutes les demandes <span class="count">1<\/span><\/a>/);
    expect(page.text).toContain('<th>Objet</th><th>Demandeur</th>');
    expect(page.text).toContain('<span class="badge status-pending">en attente</span>');
    expect(page.text).toContain('data-label="Statut"');
    expect(page.text).toContain('<option value="">Tous les statuts</option>');
    expect(page.text).toMatch(/échéance dans 3\s*h/);
    // 08:30 UTC is 09:30 in Paris.
    const activity = /<time datetime="2026-03-09T08:30:00.000Z">([^<]+)<\/time>/.exec(page.text)?.[1] ?? '';
    expect(activity).toMatch(FRENCH_DATE);
    expect(activity).toContain('9 mars 2026');
    expect(activity).toContain('09:30');
  });

  it('titles the Mine view "Mes demandes" and marks it in the top bar', async () => {
    // The Mine view is the top bar's Mine link: follow it as a browser would.
    const list = await c.get('/tickets');
    const mine = /<a href="([^"]+)" >Mes demandes<\/a>/.exec(list.text)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(mine).toBe('/tickets?assignee=me&status=active');
    const page = await c.get(mine);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Mes demandes</h1>');
    expect(page.text).toContain('<title>Mes demandes · Threadline</title>');
    expect(page.text).toMatch(/href="\/tickets\?assignee=me&amp;status=active"\s*aria-current="page">Mes demandes<\/a>/);
    expect(page.text).toMatch(/<a href="\/tickets" >Demandes<\/a>/);
    expect(page.text).toContain('Imprimante en panne');
    // Only assignee=me is a filtered list, not the Mine view: another title, Mine not highlighted.
    const filtered = await c.get('/tickets?assignee=me');
    expect(filtered.text).toContain('<h1>Demandes filtrées</h1>');
    expect(filtered.text).not.toMatch(/status=active"\s*aria-current="page">Mes demandes<\/a>/);
  });

  it('shows a ticket in French: trail, status, and the mail’s own date', async () => {
    const page = await c.get(`/tickets/${ticketId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="fr">');
    expect(page.text).toContain('<span class="badge status-pending">en attente</span>');
    expect(page.text).toContain(`Léa a changé le statut de «${NBSP}ouverte${NBSP}» en «${NBSP}en attente${NBSP}»`);
    expect(page.text).toContain('<h2>Note interne</h2>');
    expect(page.text).toContain('Envoyer la réponse');
    expect(page.text).toContain('Autres demandes de Marc');
    // The message shows its Date header (1 March, 09:15 in Paris), not when it was imported (3 March).
    const shown = /<article class="msg inbound"[\s\S]*?<time datetime="([^"]+)">([^<]+)<\/time>/.exec(page.text);
    expect(shown?.[1]).toBe('2026-03-01T08:15:00.000Z');
    expect(shown?.[2]).toMatch(FRENCH_DATE);
    expect(shown?.[2]).toContain('1 mars 2026');
    expect(shown?.[2]).toContain('09:15');
  });
});
