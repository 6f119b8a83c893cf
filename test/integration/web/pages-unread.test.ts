import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

// Unread marks on the pages: bold rows with a hidden "Unread" for screen readers, opening a ticket
// reads it, "Mark as unread" on the ticket page, another agent's note as news; each agent's own marks.
let h: Awaited<ReturnType<typeof startPages>>;
let ann: Client;
let bob: Client;
const inbox = new Types.ObjectId();
let first: string;
let second: string;

/** The list's rows as `number → unread`, read from the row's class and its hidden text. */
async function rows(client: Client, hidden = 'Unread'): Promise<Record<string, boolean>> {
  const page = await client.get('/tickets');
  expect(page.status).toBe(200);
  const found: Record<string, boolean> = {};
  for (const [, cls, body] of page.text.matchAll(/<tr class="(unread|read)">([\s\S]*?)<\/tr>/g)) {
    const number = /<td class="num"[^>]*>(\d+)<\/td>/.exec(body!)![1]!;
    const unread = cls === 'unread';
    // The hidden words go with the bold row, and only with it.
    expect(body!.includes(`<span class="visually-hidden">${hidden}</span>`)).toBe(unread);
    found[number] = unread;
  }
  return found;
}

const csrfOf = async (client: Client, path: string) => Client.csrf((await client.get(path)).text);

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@example.test', imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} });
  await createUser(h.models, { email: 'ann@example.test', password: 'ann password 123', inboxIds: [inbox], name: 'Ann' });
  const bobUser = await createUser(h.models, { email: 'bob@example.test', password: 'bob password 123', inboxIds: [inbox], name: 'Bob' });
  await h.models.User.updateOne({ _id: bobUser._id }, { $set: { locale: 'fr' } });
  const past = Date.now() - 3600_000;
  for (const n of [1, 2]) {
    await h.models.Ticket.create({ number: n, inboxId: inbox, subject: `Question ${n}`, requester: { email: `c${n}@customer.test` }, status: 'open', lastActivityAt: new Date(past + n * 60_000) });
  }
  const idOf = async (n: number) => (await h.models.Ticket.findOne({ number: n }).lean())!._id.toHexString();
  [first, second] = [await idOf(1), await idOf(2)];
  ann = await Client.signedIn(h.base, 'ann@example.test', 'ann password 123');
  bob = await Client.signedIn(h.base, 'bob@example.test', 'bob password 123');
});
afterAll(async () => h?.close());

describe('unread rows in the ticket list', () => {
  it('shows tickets nobody opened in bold for everyone, and an opened one read for its reader only', async () => {
    expect(await rows(ann)).toEqual({ 1: true, 2: true });
    expect((await ann.get(`/tickets/${first}`)).status).toBe(200);
    expect(await rows(ann)).toEqual({ 1: false, 2: true });
    // Bob reads in French, and has his own marks.
    expect(await rows(bob, 'Non lue')).toEqual({ 1: true, 2: true });
  });

  it("makes another agent's note news, not the author's own", async () => {
    const csrf = await csrfOf(bob, `/tickets/${first}`);
    expect((await bob.post(`/tickets/${first}/note`, { _csrf: csrf, text: 'Called the customer.' })).status).toBe(303);
    expect(await rows(bob, 'Non lue')).toEqual({ 1: false, 2: true });
    expect(await rows(ann)).toEqual({ 1: true, 2: true });
  });

  it('marks a ticket unread from its page, back to the list, until it is opened again', async () => {
    const page = await ann.get(`/tickets/${second}`);
    expect(page.text).toContain(`action="/tickets/${second}/unread"`);
    expect(page.text).toContain('Mark as unread');
    expect(await rows(ann)).toEqual({ 1: true, 2: false });
    const marked = await ann.post(`/tickets/${second}/unread`, { _csrf: Client.csrf(page.text) });
    expect(marked.status).toBe(303);
    expect(marked.headers.get('location')).toBe('/tickets');
    expect(await rows(ann)).toEqual({ 1: true, 2: true });
    // Bob's marks did not move.
    expect(await rows(bob, 'Non lue')).toEqual({ 1: false, 2: true });
    // Without the form's token nothing is marked.
    expect((await bob.post(`/tickets/${first}/unread`, { _csrf: 'forged' })).status).toBe(403);
    expect(await rows(bob, 'Non lue')).toEqual({ 1: false, 2: true });
  });

  it('answers a ticket outside the agent\'s inboxes as missing', async () => {
    const other = await h.models.Ticket.create({ number: 3, inboxId: new Types.ObjectId(), subject: 'Elsewhere', requester: { email: 'x@customer.test' }, status: 'open' });
    const csrf = await csrfOf(ann, '/tickets');
    expect((await ann.post(`/tickets/${other._id.toHexString()}/unread`, { _csrf: csrf })).status).toBe(404);
    expect(await h.models.TicketRead.countDocuments({ ticketId: other._id })).toBe(0);
  });
});
