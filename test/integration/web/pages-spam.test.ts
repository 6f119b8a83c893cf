import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let admin: Client;
let outsider: Client;
const inboxId = new Types.ObjectId();
const otherInboxId = new Types.ObjectId();
let number = 0;

async function ticket(email: string) {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId, subject: `Offer ${number}`, requester: { email }, status: 'open', lastActivityAt: new Date(Date.now() - number * 60_000) });
  return t._id.toHexString();
}

/** Posts a form of a page (with that page's CSRF token); answers status and where it redirects. */
async function postForm(c: Client, page: string, path: string, form: Record<string, string>) {
  const csrf = Client.csrf((await c.get(page)).text);
  const res = await c.post(path, { _csrf: csrf, ...form });
  return { status: res.status, location: res.headers.get('location') };
}

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', ...account });
  await h.models.Inbox.create({ _id: otherInboxId, name: 'Sales', address: 'sales@example.test', ...account });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' });
  await createUser(h.models, { email: 'olaf@example.test', password: 'olaf password 123', inboxIds: [otherInboxId], name: 'Olaf' });
  agent = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  admin = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
  outsider = await Client.signedIn(h.base, 'olaf@example.test', 'olaf password 123');
});
afterAll(() => h.close());

describe('spam on the pages', () => {
  it('marks as spam from the ticket page without script: in the Spam view only, then back with Not spam', async () => {
    const id = await ticket('promo@deals.example');
    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toContain(`action="/tickets/${id}/spam"`);
    expect(page.text).toContain('name="block" value="domain"');
    expect(page.text).not.toMatch(/<option value="spam"/);

    const res = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/spam`, { block: 'domain' });
    expect(res).toEqual({ status: 303, location: `/tickets/${id}` });
    expect(await h.models.Ticket.findById(id).lean()).toMatchObject({ status: 'spam', spam: { block: { kind: 'domain', value: 'deals.example' } } });

    const list = await agent.get('/tickets');
    expect(list.text).not.toContain(`/tickets/${id}"`);
    expect(list.text).toMatch(/href="\/tickets\?status(=|&#x3D;)spam&amp;snoozed(=|&#x3D;)any"[^>]*>Spam <span class="count">1<\/span>/);
    const spamView = await agent.get('/tickets?status=spam&snoozed=any');
    expect(spamView.text).toContain(`/tickets/${id}"`);

    const spamPage = await agent.get(`/tickets/${id}`);
    expect(spamPage.text).toContain('mail from any address at deals.example goes straight to Spam');
    expect(spamPage.text).toContain(`action="/tickets/${id}/not-spam"`);
    expect(spamPage.text).toMatch(/<select name="status" disabled>/);
    expect(spamPage.text).not.toContain(`action="/tickets/${id}/reply"`);
    expect(spamPage.text).toContain('A ticket in Spam takes no reply');
    expect(spamPage.text).toMatch(/marked the ticket as spam and blocked every address at deals\.example/);

    const back = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/not-spam`, {});
    expect(back).toEqual({ status: 303, location: `/tickets/${id}` });
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('open');
    expect(await h.models.SpamBlock.countDocuments({ inboxId })).toBe(0);
    expect((await agent.get('/tickets')).text).toContain(`/tickets/${id}"`);
  });

  it('offers no whole-domain block for a public mail provider and explains why; a forged one comes back as an error', async () => {
    const id = await ticket('someone@gmail.com');
    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toMatch(/name="block" value="domain" disabled/);
    expect(page.text).toContain('gmail.com is a public mail provider');
    const res = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/spam`, { block: 'domain' });
    expect(res).toEqual({ status: 303, location: `/tickets/${id}?error=spam-invalid#forms` });
    expect((await agent.get(res.location!)).text).toContain('a public mail provider’s domain cannot be blocked whole');
    expect((await h.models.Ticket.findById(id).lean())!.status).toBe('open');
  });

  it('shows the block list to admins on the inbox settings, each entry removable', async () => {
    const id = await ticket('loud@noise.example');
    await postForm(agent, `/tickets/${id}`, `/tickets/${id}/spam`, { block: 'sender' });
    const path = `/settings/inboxes/${inboxId.toHexString()}/spam-blocks`;
    const page = await admin.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('loud@noise.example');
    expect(page.text).toContain(`href="/tickets/${id}"`);
    const entry = (await h.models.SpamBlock.findOne({ value: 'loud@noise.example' }).lean())!;
    const removed = await postForm(admin, path, `${path}/${entry._id.toHexString()}/remove`, {});
    expect(removed).toEqual({ status: 303, location: `${path}?done=removed` });
    expect((await admin.get(`${path}?done=removed`)).text).toContain('Removed from the block list.');
    expect(await h.models.SpamBlock.countDocuments({ value: 'loud@noise.example' })).toBe(0);
    expect((await agent.get(path)).status).toBe(403);
    // Another inbox's agent neither sees the ticket nor its Spam card.
    expect((await outsider.get(`/tickets/${id}`)).status).toBe(404);
  });
});
