import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
const desk = new Types.ObjectId();
const sales = new Types.ObjectId();
const inbox = (_id: Types.ObjectId, name: string) => ({ _id, name, address: `${name.toLowerCase()}@example.test`, imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 }, options: {} });

beforeAll(async () => {
  h = await startPages(null);
  await h.models.Inbox.create([inbox(desk, 'Desk'), inbox(sales, 'Sales')]);
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin' });
  await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [desk, sales] });
});
afterAll(() => h.close());

describe('inbox settings: disable, enable, delete (without JavaScript)', () => {
  it('disables and enables an inbox from its settings page, showing it disabled with the reason', async () => {
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const path = `/settings/inboxes/${desk.toHexString()}`;
    const page = await c.get(path);
    expect(page.text).toContain('Disable this inbox');
    const disabled = await c.post(`${path}/disable`, { _csrf: Client.csrf(page.text) });
    expect(disabled.status).toBe(303);
    const after = await c.get(`${path}?saved=inboxDisabled`);
    expect(after.text).toContain('Inbox disabled.');
    expect(after.text).toContain('An admin disabled it.');
    expect(after.text).toContain('Enable this inbox');
    expect((await c.get('/settings/inboxes')).text).toMatch(/Disabled<\/strong>/);
    expect(await h.models.Inbox.findById(desk).lean()).toMatchObject({ disabled: { reason: 'admin' } });

    expect((await c.post(`${path}/enable`, { _csrf: Client.csrf(after.text) })).status).toBe(303);
    expect((await h.models.Inbox.findById(desk).lean())!.disabled).toBeNull();
  });

  it('shows managers no buttons and refuses their posts', async () => {
    const c = await Client.signedIn(h.base, 'max@example.test', 'max password 123');
    const page = await c.get(`/settings/inboxes/${desk.toHexString()}`);
    expect(page.text).not.toContain('Disable this inbox');
    expect((await c.post(`/settings/inboxes/${desk.toHexString()}/disable`, { _csrf: Client.csrf(page.text) })).status).toBe(403);
    expect((await c.get(`/settings/inboxes/${desk.toHexString()}/delete`)).status).toBe(403);
  });

  it('deletes an inbox only with its name typed, keeping the form choice on a mistake', async () => {
    const kept = await h.models.Ticket.create({ number: 1, inboxId: desk, subject: 'Printer jam', requester: { email: 'cy@customer.test' } });
    const c = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
    const path = `/settings/inboxes/${desk.toHexString()}/delete`;
    const page = await c.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Type the inbox name to confirm');
    expect(page.text).toContain('<option value="' + sales.toHexString() + '"');
    const csrf = Client.csrf(page.text);
    const wrong = await c.post(path, { _csrf: csrf, mode: 'move', move_to: sales.toHexString(), confirm_name: 'desk' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Type the inbox name exactly as shown.');
    expect(wrong.text).toContain(`value="${sales.toHexString()}" selected`);
    expect(await h.models.Inbox.findById(desk).lean()).not.toBeNull();

    const done = await c.post(path, { _csrf: csrf, mode: 'keep', confirm_name: 'Desk' });
    expect(done.status).toBe(303);
    const list = await c.get('/settings/inboxes?saved=inboxDeleted');
    expect(list.text).toContain('Inbox deleted.');
    expect(list.text).not.toContain('desk@example.test');
    expect(list.text).toContain('sales@example.test');

    // Its tickets stay readable, with no reply form and the reason instead.
    const ticket = await c.get(`/tickets/${kept.id}`);
    expect(ticket.status).toBe(200);
    expect(ticket.text).toContain('Printer jam');
    expect(ticket.text).toContain('This inbox was deleted: its tickets can be read but not replied to.');
    expect(ticket.text).not.toContain(`action="/tickets/${kept.id}/reply"`);
    expect((await c.get('/tickets')).text).toContain('Printer jam');
  });
});
