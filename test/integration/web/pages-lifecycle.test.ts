import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatsFor } from '../../../src/i18n/formats.js';
import { createUser } from '../../helpers/api.js';
import { Client, startPages } from './pages-harness.js';

let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let admin: Client;
let outsider: Client;
const inboxId = new Types.ObjectId();
const otherInboxId = new Types.ObjectId();
// The real clock: sessions expire against it. Times are typed and read in Paris time, as Gina does.
const ZONE = 'Europe/Paris';
const paris = formatsFor('en', ZONE);
/** A `datetime-local` value `days` from now, on the minute, and the moment it names. */
function localIn(days: number): { value: string; at: Date } {
  const local = DateTime.now().setZone(ZONE).plus({ days }).startOf('minute');
  return { value: local.toFormat("yyyy-MM-dd'T'HH:mm"), at: local.toJSDate() };
}
let number = 0;

async function ticket(subject: string) {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId, subject, requester: { email: `c${number}@example.com` }, status: 'open', lastActivityAt: new Date(Date.now() - number * 60_000) });
  return t._id.toHexString();
}

/** Posts a form of a page (with that page's CSRF token); answers status, where it redirects, and the text. */
async function postForm(c: Client, page: string, path: string, form: Record<string, string>) {
  const csrf = Client.csrf((await c.get(page)).text);
  const res = await c.post(path, { _csrf: csrf, ...form });
  return { status: res.status, location: res.headers.get('location'), text: res.text };
}

beforeAll(async () => {
  h = await startPages(null);
  const account = { imap: { host: 'x', port: 993, secure: true, folder: 'INBOX' }, smtp: { host: 'x', port: 25, secure: false }, options: {} };
  await h.models.Inbox.create({ _id: inboxId, name: 'Support', address: 'support@example.test', ...account });
  await h.models.Inbox.create({ _id: otherInboxId, name: 'Sales', address: 'sales@example.test', ...account });
  await createUser(h.models, { email: 'ada@example.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' });
  await createUser(h.models, { email: 'olaf@example.test', password: 'olaf password 123', inboxIds: [otherInboxId], name: 'Olaf' });
  // Gina reads and types times in Paris time.
  await h.models.User.updateOne({ email: 'gina@example.test' }, { $set: { timeZone: ZONE, locale: 'en' } });
  agent = await Client.signedIn(h.base, 'gina@example.test', 'gina password 123');
  admin = await Client.signedIn(h.base, 'ada@example.test', 'ada password 123');
  outsider = await Client.signedIn(h.base, 'olaf@example.test', 'olaf password 123');
});
afterAll(() => h.close());

describe('snooze on the pages', () => {
  it('snoozes from the ticket page in the agent\'s time zone: gone from the lists, in the Snoozed view, woken by hand', async () => {
    const id = await ticket('Printer on fire');
    await ticket('Keyboard missing keys');
    const page = await agent.get(`/tickets/${id}`);
    expect(page.text).toContain(`action="/tickets/${id}/snooze"`);
    expect(page.text).toMatch(/type="datetime-local" name="until" min="\d{4}-\d\d-\d\dT\d\d:\d\d"/);
    expect(page.text).toContain('In your time zone (Europe/Paris).');

    const until = localIn(2);
    const res = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/snooze`, { until: until.value });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/tickets/${id}#end`);
    const stored = await h.models.Ticket.findById(id).lean();
    expect(stored).toMatchObject({ snoozed: true, snooze: { until: until.at, untilReply: false } });
    const when = paris.dateTime(until.at);

    const list = await agent.get('/tickets');
    expect(list.text).not.toContain('Printer on fire');
    expect(list.text).toContain('Keyboard missing keys');
    // The view bar (Handlebars writes `=` in attributes as `&#x3D;`).
    expect(list.text).toMatch(/href="\/tickets\?snoozed(=|&#x3D;)only"[^>]*>Snoozed <span class="count">1<\/span>/);
    const snoozed = await agent.get('/tickets?snoozed=only');
    expect(snoozed.text).toContain('Printer on fire');
    expect(snoozed.text).toContain(`Snoozed until ${when}`);
    expect(snoozed.text).not.toContain('Keyboard missing keys');

    const ticketPage = await agent.get(`/tickets/${id}`);
    expect(ticketPage.text).toContain(`Snoozed until ${when}`);
    expect(ticketPage.text).toContain(`Gina snoozed the ticket until ${when}`);
    expect(ticketPage.text).toContain(`action="/tickets/${id}/unsnooze"`);

    const woken = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/unsnooze`, {});
    expect(woken.status).toBe(303);
    expect((await h.models.Ticket.findById(id).lean())!.snoozed).toBeUndefined();
    expect((await agent.get('/tickets')).text).toContain('Printer on fire');
    expect((await agent.get(`/tickets/${id}`)).text).toContain('Gina ended the snooze');
  });

  it('snoozes until the customer replies, and shows the mark of a ticket back from snooze on the list and the page', async () => {
    const id = await ticket('Invoice question');
    expect((await postForm(agent, `/tickets/${id}`, `/tickets/${id}/snooze`, { until: '', untilReply: '1' })).status).toBe(303);
    expect((await agent.get('/tickets?snoozed=only')).text).toContain('Snoozed until the customer replies');

    // What the wake-up (a job, or the customer's mail) leaves on the ticket.
    const woke = new Date();
    await h.models.Ticket.updateOne({ _id: id }, { $unset: { snoozed: 1, snooze: 1 }, $set: { wokeFromSnooze: { at: woke, reason: 'customer_replied' } } });
    expect((await agent.get('/tickets')).text).toMatch(/Invoice question<\/a> <span class="badge woke">Back from snooze<\/span>/);
    expect((await agent.get(`/tickets/${id}`)).text).toContain(`Woke up on ${paris.dateTime(woke)}: the customer replied.`);
  });

  it('sends a refused snooze back with a message, and saves nothing', async () => {
    const id = await ticket('Old printer');
    for (const form of [{ until: localIn(-1).value }, { until: localIn(400).value }, { until: '' }, { until: 'next week' }]) {
      const res = await postForm(agent, `/tickets/${id}`, `/tickets/${id}/snooze`, form);
      expect(res.location).toBe(`/tickets/${id}?error=snooze-invalid#forms`);
    }
    expect((await agent.get(`/tickets/${id}?error=snooze-invalid`)).text).toContain('That snooze was not accepted');
    expect((await h.models.Ticket.findById(id).lean())!.snoozed).toBeUndefined();
  });

  it('answers 404 to an agent of another inbox', async () => {
    const id = await ticket('Not yours');
    const csrf = Client.csrf((await outsider.get('/account')).text);
    expect((await outsider.post(`/tickets/${id}/snooze`, { _csrf: csrf, until: localIn(2).value })).status).toBe(404);
    expect((await outsider.post(`/tickets/${id}/unsnooze`, { _csrf: csrf })).status).toBe(404);
    expect((await h.models.Ticket.findById(id).lean())!.snoozed).toBeUndefined();
  });
});

describe('inbox lifecycle settings on the page', () => {
  it('shows the days (defaults 4 and 3), saves them, and refuses what is not a whole number of days', async () => {
    const path = `/settings/inboxes/${inboxId.toHexString()}`;
    const page = await admin.get(path);
    expect(page.text).toContain('name="auto_close_days" value="4"');
    expect(page.text).toContain('name="pending_reminder_days" value="3"');
    const form = {
      name: 'Support', address: 'support@example.test', imap_host: 'x', imap_port: '993', imap_secure: 'on', imap_user: '', imap_folder: 'INBOX',
      smtp_host: 'x', smtp_port: '25', action: 'save',
    };
    await h.models.Inbox.updateOne({ _id: inboxId }, { $set: { 'imap.user': 'support' } });
    const saved = await postForm(admin, path, path, { ...form, imap_user: 'support', auto_close_days: '10', pending_reminder_days: '0' });
    expect(saved.status).toBe(303);
    expect(await h.models.Inbox.findById(inboxId).lean()).toMatchObject({ autoCloseAfterDays: 10, pendingReminderAfterDays: 0 });
    const refused = await postForm(admin, path, path, { ...form, imap_user: 'support', auto_close_days: '400', pending_reminder_days: 'two' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Close solved tickets after: must be a whole number of days from 0 to 365');
    expect(refused.text).toContain('Remind about pending tickets after: must be a whole number of days from 0 to 365');
    expect(await h.models.Inbox.findById(inboxId).lean()).toMatchObject({ autoCloseAfterDays: 10, pendingReminderAfterDays: 0 });
  });
});
