import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let admin: Client;
let manager: Client;
let agent: Client;
const inbox = new Types.ObjectId();
const other = new Types.ObjectId();
let ticketId: string;

const decode = (s: string) => s.replace(/&#x27;/g, "'").replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([
    { _id: inbox, name: 'Helpdesk', address: 'help@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
    { _id: other, name: 'Billing', address: 'billing@example.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 } },
  ]);
  ({ admin, manager, agent } = await signInEveryRole(h, inbox));
  ticketId = (await h.models.Ticket.create({ number: 1, inboxId: inbox, subject: 'Printer', requester: { email: 'c@customer.test' }, status: 'open', lastActivityAt: new Date() }))._id.toHexString();
});
afterAll(async () => h.close());

describe('/settings/categories', () => {
  it('admins add, edit and archive categories; the settings index links there', async () => {
    expect((await admin.get('/settings')).text).toContain('href="/settings/categories"');
    let page = await admin.get('/settings/categories');
    expect(page.status).toBe(200);
    const added = await admin.post('/settings/categories', { _csrf: Client.csrf(page.text), name: 'Hardware', inboxId: inbox.toHexString() });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/settings/categories?saved=created');
    await admin.post('/settings/categories', { _csrf: Client.csrf(page.text), name: 'Invoices', inboxId: other.toHexString() });
    await admin.post('/settings/categories', { _csrf: Client.csrf(page.text), name: 'General', inboxId: '' });
    const dup = await admin.post('/settings/categories', { _csrf: Client.csrf(page.text), name: 'General', inboxId: '' });
    // Refused: the list again, the add form keeping what was typed with the error at its name.
    expect(dup.status).toBe(400);
    expect(dup.text).toMatch(/name="name" value="General" required maxlength="\d+" aria-invalid="true" aria-describedby="category-add-error">/);
    expect(dup.text).toContain('id="category-add-error" role="alert">');
    const hardware = (await h.models.Category.findOne({ name: 'Hardware' }).lean())!;
    const rename = await admin.post(`/settings/categories/${hardware._id.toHexString()}`, { _csrf: Client.csrf(page.text), name: 'Invoices', inboxId: other.toHexString() });
    expect(rename.status).toBe(400);
    expect(rename.text).toMatch(/<details open>/);
    expect(rename.text).toMatch(/name="name" value="Invoices"[^>]*aria-invalid="true"/);
    expect((await h.models.Category.findById(hardware._id).lean())!.name).toBe('Hardware');
    page = await admin.get('/settings/categories?saved=created');
    expect(page.text).toContain('Category added.');
    expect(page.text).toMatch(/<td class="subject" data-label="Name">Hardware<\/td>/);
    const general = (await h.models.Category.findOne({ name: 'General' }).lean())!;
    const archived = await admin.post(`/settings/categories/${general._id.toHexString()}/archive`, { _csrf: Client.csrf(page.text), archived: '1' });
    expect(archived.headers.get('location')).toBe('/settings/categories?saved=archived');
    expect((await h.models.Category.findById(general._id).lean())!.archived).toBe(true);
  });

  it('managers see their inboxes’ and the global categories read-only; agents get 403', async () => {
    const page = await manager.get('/settings/categories');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Hardware');
    expect(page.text).not.toContain('Invoices');
    expect(page.text).not.toContain('action="/settings/categories"');
    expect((await manager.post('/settings/categories', { _csrf: Client.csrf(page.text), name: 'Mine' })).status).toBe(403);
    expect((await agent.get('/settings/categories')).status).toBe(403);
  });
});

describe('the ticket page’s category, impact and urgency', () => {
  it('offers the inbox’s and global categories, and priority follows impact × urgency until set by hand', async () => {
    let page = await agent.get(`/tickets/${ticketId}`);
    expect(page.text).toContain('<select name="impact">');
    expect(page.text).toContain('<select name="urgency">');
    expect(page.text).toContain('>Hardware</option>');
    expect(page.text).not.toContain('Invoices');
    expect(page.text).not.toContain('>General</option>');
    const hardware = (await h.models.Category.findOne({ name: 'Hardware' }).lean())!._id.toHexString();
    const form = (extra: Record<string, string>) => ({ _csrf: Client.csrf(page.text), status: 'open', priority: 'normal', assigneeId: '', tags: '', categoryId: hardware, impact: 'high', urgency: 'high', ...extra });
    expect((await agent.post(`/tickets/${ticketId}/update`, form({}))).status).toBe(303);
    let stored = (await h.models.Ticket.findById(ticketId).lean())!;
    expect(stored).toMatchObject({ priority: 'urgent', impact: 'high', urgency: 'high', priorityOverridden: false });
    expect(stored.categoryId?.toHexString()).toBe(hardware);
    page = await agent.get(`/tickets/${ticketId}`);
    expect(decode(page.text)).toContain('Priority changed from normal to urgent by impact × urgency');
    await agent.post(`/tickets/${ticketId}/update`, form({ priority: 'low' }));
    await agent.post(`/tickets/${ticketId}/update`, form({ priority: 'low', impact: 'medium' }));
    stored = (await h.models.Ticket.findById(ticketId).lean())!;
    expect(stored).toMatchObject({ priority: 'low', impact: 'medium', priorityOverridden: true });
    page = await agent.get(`/tickets/${ticketId}`);
    expect(decode(page.text)).toContain('Gina set the priority by hand from urgent to low');
    expect(page.text).toContain('name="followMatrix"');
    await agent.post(`/tickets/${ticketId}/update`, form({ priority: 'low', impact: 'medium', followMatrix: '1' }));
    expect((await h.models.Ticket.findById(ticketId).lean())!).toMatchObject({ priority: 'high', priorityOverridden: false });
  });
});
