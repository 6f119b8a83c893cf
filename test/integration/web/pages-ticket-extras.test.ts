import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let manager: Client;
let admin: Client;
let agentId: Types.ObjectId;
let managerId: Types.ObjectId;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
let number = 0;
const BASE = Date.parse('2026-03-01T12:00:00Z');

async function ticket(inboxId: Types.ObjectId, email: string, fields: Record<string, unknown> = {}) {
  number += 1;
  return h.models.Ticket.create({
    number,
    inboxId,
    subject: `Question ${number}`,
    requester: { email },
    createdAt: new Date(BASE + number * 60_000),
    lastActivityAt: new Date(BASE + number * 60_000),
    status: 'open',
    ...fields,
  });
}

async function customerMail(t: { _id: Types.ObjectId; inboxId: Types.ObjectId }, text: string) {
  return h.models.Message.create({ ticketId: t._id, inboxId: t.inboxId, direction: 'inbound', from: { address: 'x@customer.test' }, text, ingestState: 'complete', flags: { autoSubmitted: false, bounce: false } });
}

const csrfOf = async (c: Client, path: string) => Client.csrf((await c.get(path)).text);
const textarea = (html: string) => /<textarea name="text"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];
const requesterSection = (html: string) => /<section class="card requester-tickets">[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
const settings = (id: Types.ObjectId = inboxA) => `/settings/inboxes/${id.toHexString()}/canned-replies`;

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create([
    { _id: inboxA, name: 'Support', address: 'support@example.test', ...account },
    { _id: inboxB, name: 'Billing', address: 'billing@example.test', ...account },
  ]);
  agentId = (await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxA], name: 'Gina <Agent>' }))._id;
  managerId = (await createUser(h.models, { email: 'mia@example.test', password: 'mia password 1234', role: 'manager', inboxIds: [inboxA], name: 'Mia' }))._id;
  await createUser(h.models, { email: 'root@example.test', password: 'root password 123', role: 'admin' });
  agent = new Client(h.base);
  manager = new Client(h.base);
  admin = new Client(h.base);
  await agent.login('gina@example.test', 'gina password 123');
  await manager.login('mia@example.test', 'mia password 1234');
  await admin.login('root@example.test', 'root password 123');
});
afterAll(async () => h.close());

describe('canned replies settings', () => {
  it('lets a manager of the inbox add, edit and delete canned replies', async () => {
    const page = await manager.get(settings());
    expect(page.status).toBe(200);
    expect(page.text).toContain('No canned replies yet');
    expect(page.text).toContain('<code>{{customer.name}}</code>');

    const created = await manager.post(settings(), { _csrf: Client.csrf(page.text), title: 'Refund', body: 'Hello {{customer.name}},\r\nyour refund is on its way.' });
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe(`${settings()}?saved=created`);
    const stored = await h.models.CannedReply.findOne({ inboxId: inboxA, title: 'Refund' }).lean();
    expect(stored?.body).toBe('Hello {{customer.name}},\nyour refund is on its way.');
    expect(stored?.createdById?.equals(managerId)).toBe(true);
    const listed = await manager.get(`${settings()}?saved=created`);
    expect(listed.text).toContain('Canned reply added.');
    expect(listed.text).toContain('<strong>Refund</strong>');

    const id = stored!._id.toHexString();
    const edited = await manager.post(`${settings()}/${id}`, { _csrf: Client.csrf(listed.text), title: 'Refund sent', body: 'Done, {{ agent.name }}.' });
    expect(edited.headers.get('location')).toBe(`${settings()}?saved=updated`);
    expect(await h.models.CannedReply.findById(id).lean()).toMatchObject({ title: 'Refund sent', body: 'Done, {{ agent.name }}.' });

    const deleted = await manager.post(`${settings()}/${id}/delete`, { _csrf: Client.csrf(listed.text) });
    expect(deleted.headers.get('location')).toBe(`${settings()}?saved=deleted`);
    expect(await h.models.CannedReply.exists({ _id: id })).toBeNull();
  });

  it('refuses an unknown placeholder or an empty title with a fixed message, keeping what was typed and storing nothing', async () => {
    const csrf = await csrfOf(manager, settings());
    const typo = await manager.post(settings(), { _csrf: csrf, title: 'Typo', body: 'Hi {{customer.nmae}}' });
    expect(typo.status).toBe(400);
    expect(typo.text).toContain('name="title" value="Typo"');
    expect(typo.text).toMatch(/aria-invalid="true">Hi \{\{customer\.nmae\}\}<\/textarea>/);
    expect(typo.text).toMatch(/class="cfg-error" role="alert">[^<]*uses a placeholder Threadline does not know/);
    const empty = await manager.post(settings(), { _csrf: csrf, title: '   ', body: 'text' });
    expect(empty.status).toBe(400);
    expect(empty.text).toMatch(/aria-invalid="true">text<\/textarea>/);
    expect(await h.models.CannedReply.countDocuments({ title: { $in: ['Typo', '   ', ''] } })).toBe(0);
    expect((await manager.get(`${settings()}?error=placeholder`)).text).toContain('uses a placeholder Threadline does not know');
  });

  it('answers 403 to an agent of the inbox and 404 for an inbox the user does not see', async () => {
    const page = await agent.get(settings());
    expect(page.status).toBe(403);
    const csrf = await csrfOf(agent, '/');
    const post = await agent.post(settings(), { _csrf: csrf, title: 'Sneaky', body: 'text' });
    expect(post.status).toBe(403);
    expect(await h.models.CannedReply.exists({ title: 'Sneaky' })).toBeNull();
    expect((await manager.get(settings(inboxB))).status).toBe(404);
    expect((await admin.get(settings(inboxB))).status).toBe(200);
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await manager.post(settings(), { title: 'No token', body: 'text' });
    expect(res.status).toBe(403);
    expect(await h.models.CannedReply.exists({ title: 'No token' })).toBeNull();
  });
});

describe('canned replies on the ticket page', () => {
  it('pre-fills the reply box from ?canned= with the placeholders filled in and escaped', async () => {
    const t = await ticket(inboxA, 'alice@customer.test', { requester: { email: 'alice@customer.test', name: '<b>Alice</b> & "Co"' } });
    const canned = await h.models.CannedReply.create({ inboxId: inboxA, title: 'Greeting', body: 'Hi {{customer.name}},\nabout #{{ticket.number}}: {{ticket.subject}}\n-- {{agent.name}}' });
    const other = await h.models.CannedReply.create({ inboxId: inboxB, title: 'Elsewhere', body: 'from another inbox' });

    const plain = await agent.get(`/tickets/${t._id.toHexString()}`);
    expect(plain.text).toContain(`<option value="${canned._id.toHexString()}" >Greeting</option>`);
    expect(plain.text).not.toContain('Elsewhere');
    expect(plain.text).not.toContain('Manage</a>');
    expect(textarea(plain.text)).toBe('');

    const filled = await agent.get(`/tickets/${t._id.toHexString()}?canned=${canned._id.toHexString()}`);
    expect(filled.status).toBe(200);
    expect(textarea(filled.text)).toBe(`Hi &lt;b&gt;Alice&lt;/b&gt; &amp; &quot;Co&quot;,\nabout #${t.number}: Question ${t.number}\n-- Gina &lt;Agent&gt;`);
    expect(filled.text).not.toContain('<b>Alice</b>');
    expect(filled.text).toContain(`<option value="${canned._id.toHexString()}" selected>Greeting</option>`);

    // Another inbox's reply, or one that no longer exists, leaves the box empty.
    expect(textarea((await agent.get(`/tickets/${t._id.toHexString()}?canned=${other._id.toHexString()}`)).text)).toBe('');
    expect(textarea((await agent.get(`/tickets/${t._id.toHexString()}?canned=nonsense`)).text)).toBe('');
    // Managers get a link to the settings page.
    expect((await manager.get(`/tickets/${t._id.toHexString()}`)).text).toContain(`href="${settings()}">Manage</a>`);
  });
});

describe("the requester's other tickets", () => {
  it('lists the same requester\'s tickets in the inboxes the user sees, newest first, without merged ones', async () => {
    const first = await ticket(inboxA, 'olga@customer.test', { subject: 'First' });
    const second = await ticket(inboxA, 'Olga@Customer.test', { subject: 'Second', status: 'solved' });
    const hidden = await ticket(inboxB, 'olga@customer.test', { subject: 'Hidden billing' });
    const merged = await ticket(inboxA, 'olga@customer.test', { subject: 'Merged away', mergedIntoId: first._id });
    await ticket(inboxA, 'someone-else@customer.test', { subject: 'Not hers' });
    const current = await ticket(inboxA, 'olga@customer.test', { subject: 'Current' });

    const section = requesterSection((await agent.get(`/tickets/${current._id.toHexString()}`)).text);
    const links = [...section.matchAll(/<a href="\/tickets\/([0-9a-f]{24})">/g)].map((m) => m[1]);
    expect(links).toEqual([second._id.toHexString(), first._id.toHexString()]);
    expect(section).toContain('<span class="badge status-solved">solved</span>');
    expect(section).not.toContain('Hidden billing');
    expect(section).not.toContain(merged._id.toHexString());
    expect(section).not.toContain('Not hers');

    // An admin sees every inbox, so the billing ticket shows up for them.
    const adminSection = requesterSection((await admin.get(`/tickets/${current._id.toHexString()}`)).text);
    expect(adminSection).toContain(hidden._id.toHexString());
  });
});

describe('merging two tickets', () => {
  it("merges the ticket into the requester's ticket the agent picks, on both trails with who merged", async () => {
    const older = await ticket(inboxA, 'carol@customer.test', { subject: 'Printer broken', tags: ['hardware'] });
    const newer = await ticket(inboxA, 'carol@customer.test', { subject: 'Printer still broken', tags: ['urgent'] });
    await customerMail(older, 'My printer is broken.');
    await customerMail(newer, 'Still broken, any news?');
    const page = await agent.get(`/tickets/${newer._id.toHexString()}`);
    expect(page.text).toContain(`<option value="${older._id.toHexString()}">#${older.number} Printer broken (open)</option>`);

    const res = await agent.post(`/tickets/${newer._id.toHexString()}/merge`, { _csrf: Client.csrf(page.text), intoId: older._id.toHexString() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${older._id.toHexString()}#end`);

    const [survivor, gone] = await Promise.all([h.models.Ticket.findById(older._id).lean(), h.models.Ticket.findById(newer._id).lean()]);
    expect(gone).toMatchObject({ status: 'closed', messageCount: 0 });
    expect(gone?.mergedIntoId?.equals(older._id)).toBe(true);
    expect(survivor?.mergedIntoId ?? null).toBeNull();
    expect(survivor?.messageCount).toBe(2);
    expect([...survivor!.tags].sort()).toEqual(['hardware', 'urgent']);
    const events = await h.models.TicketEvent.find({ type: 'merged', ticketId: { $in: [older._id, newer._id] } }).lean();
    expect(events).toHaveLength(2);
    for (const e of events) expect(e.actor).toMatchObject({ kind: 'user', id: agentId });
    expect(events.find((e) => e.ticketId.equals(older._id))?.data).toMatchObject({ fromNumber: newer.number });
    expect(events.find((e) => e.ticketId.equals(newer._id))?.data).toMatchObject({ intoNumber: older.number });

    const view = await agent.get(`/tickets/${older._id.toHexString()}`);
    expect(view.text).toContain('Still broken, any news?');
    expect(view.text).toContain('My printer is broken.');
    expect(view.text).toMatch(new RegExp(`merged #${newer.number} into this ticket`));
    const mergedView = await agent.get(`/tickets/${newer._id.toHexString()}`);
    expect(mergedView.text).toContain(`Merged into <a href="/tickets/${older._id.toHexString()}">#${older.number}</a>`);
    expect(mergedView.text).toContain(`merged this ticket into #${older.number}`);
    expect(mergedView.text).not.toContain('action="/tickets/' + newer._id.toHexString() + '/merge"');

    // A second post of the same form changes nothing and lands on the same ticket.
    const again = await agent.post(`/tickets/${newer._id.toHexString()}/merge`, { _csrf: Client.csrf(page.text), intoId: older._id.toHexString() });
    expect(again.headers.get('location')).toBe(`/tickets/${older._id.toHexString()}#end`);
    expect(await h.models.TicketEvent.countDocuments({ type: 'merged', ticketId: { $in: [older._id, newer._id] } })).toBe(2);
  });

  it('refuses to merge tickets of different requesters, or a ticket into itself', async () => {
    const dave = await ticket(inboxA, 'dave@customer.test');
    const erin = await ticket(inboxA, 'erin@customer.test');
    const csrf = await csrfOf(agent, `/tickets/${dave._id.toHexString()}`);
    const res = await agent.post(`/tickets/${dave._id.toHexString()}/merge`, { _csrf: csrf, intoId: erin._id.toHexString() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${dave._id.toHexString()}?error=merge-invalid#forms`);
    const self = await agent.post(`/tickets/${dave._id.toHexString()}/merge`, { _csrf: csrf, intoId: dave._id.toHexString() });
    expect(self.headers.get('location')).toBe(`/tickets/${dave._id.toHexString()}?error=merge-invalid#forms`);
    expect((await h.models.Ticket.findById(dave._id).lean())?.mergedIntoId ?? null).toBeNull();
    expect((await agent.get(`/tickets/${dave._id.toHexString()}?error=merge-invalid`)).text).toContain('Only two different tickets of the same requester can be merged.');
    expect(await h.models.TicketEvent.countDocuments({ type: 'merged', ticketId: { $in: [dave._id, erin._id] } })).toBe(0);
  });

  it("answers 404 when the target is in an inbox the agent does not see, and merges nothing", async () => {
    const mine = await ticket(inboxA, 'frank@customer.test');
    const theirs = await ticket(inboxB, 'frank@customer.test');
    const csrf = await csrfOf(agent, `/tickets/${mine._id.toHexString()}`);
    const res = await agent.post(`/tickets/${mine._id.toHexString()}/merge`, { _csrf: csrf, intoId: theirs._id.toHexString() });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await agent.post(`/tickets/${theirs._id.toHexString()}/merge`, { _csrf: csrf, intoId: mine._id.toHexString() })).status).toBe(404);
    const [a, b] = await Promise.all([h.models.Ticket.findById(mine._id).lean(), h.models.Ticket.findById(theirs._id).lean()]);
    expect(a?.mergedIntoId ?? null).toBeNull();
    expect(b?.mergedIntoId ?? null).toBeNull();
  });

  it('refuses a merge form without its CSRF token', async () => {
    const one = await ticket(inboxA, 'gus@customer.test');
    const two = await ticket(inboxA, 'gus@customer.test');
    expect((await agent.post(`/tickets/${one._id.toHexString()}/merge`, { intoId: two._id.toHexString() })).status).toBe(403);
    expect((await h.models.Ticket.findById(one._id).lean())?.mergedIntoId ?? null).toBeNull();
  });
});

describe('tags', () => {
  it('saves the comma-separated tags of the Ticket form and shows them', async () => {
    const t = await ticket(inboxA, 'hana@customer.test');
    const id = t._id.toHexString();
    const csrf = await csrfOf(agent, `/tickets/${id}`);
    const res = await agent.post(`/tickets/${id}/update`, { _csrf: csrf, status: 'open', priority: 'normal', assigneeId: '', tags: 'Billing, vip , ,billing' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/tickets/${id}#end`);
    expect((await h.models.Ticket.findById(t._id).lean())?.tags).toEqual(['billing', 'vip']);
    expect(await h.models.TicketEvent.countDocuments({ ticketId: t._id, type: 'tags_changed' })).toBe(1);

    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toContain('<span class="badge tag">billing</span><span class="badge tag">vip</span>');
    expect(page.text).toContain('name="tags" value="billing, vip"');

    // An empty field clears them; a tag over 50 characters is refused with the form's error.
    await agent.post(`/tickets/${id}/update`, { _csrf: csrf, tags: '' });
    expect((await h.models.Ticket.findById(t._id).lean())?.tags).toEqual([]);
    const long = await agent.post(`/tickets/${id}/update`, { _csrf: csrf, tags: 'x'.repeat(51) });
    expect(long.headers.get('location')).toBe(`/tickets/${id}?error=invalid#forms`);
  });
});
