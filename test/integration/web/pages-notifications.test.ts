import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../../src/domain/notifications.js';
import type { NotificationInput } from '../../../src/store/notification-store.js';
import { notificationFactory } from '../../helpers/notifications.js';
import { Client, signInEveryRole, startPages } from './pages-harness.js';

// The in-app notifications (/notifications, the top bar's unread count) and the notification
// switches on /account. The notifications are written with the store, as the producers record them.
let h: Awaited<ReturnType<typeof startPages>>;
let agent: Client;
let manager: Client;
let ginaId: Types.ObjectId;
let maxId: Types.ObjectId;
const inboxId = new Types.ObjectId();

// Notifications on tickets #101, #102…
const { note, number: lastNumber } = notificationFactory(inboxId, { firstNumber: 101, subject: (n) => `Printer ${n} jams`, mail: 'skipped' });

const rows = (html: string) => [...html.matchAll(/<li class="notification( unread)?">\s*<a href="\/notifications\/([0-9a-f]{24})\/open">([\s\S]*?)<\/a>/g)].map((m) => ({ unread: Boolean(m[1]), id: m[2]!, text: m[3]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim() }));
const badge = (html: string) => /<span class="notif-count">([^<]+)<\/span>/.exec(html)?.[1] ?? null;
const stored = (id: string) => h.models.Notification.findById(id).lean();

beforeAll(async () => {
  h = await startPages(null);
  const roles = await signInEveryRole(h, inboxId);
  agent = roles.agent;
  manager = roles.manager;
  ginaId = new Types.ObjectId(roles.agentId);
  maxId = (await h.models.User.findOne({ email: 'max@example.test' }).lean())!._id;
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.models.Notification.deleteMany({});
  await h.models.Team.deleteMany({});
  await h.models.User.updateMany({}, { $set: { notify: {} } });
});

describe('/notifications', () => {
  it("lists only the user's own, newest first, with what happened, the ticket and how long ago, unread ones marked", async () => {
    const [older, newer, read] = [
      note(ginaId, 90, { kind: 'customer_replied', ticketSubject: 'Toner <empty> again' }),
      note(ginaId, 5, { kind: 'mentioned', data: { by: 'Max' } }),
      note(ginaId, 30, { kind: 'sla_breached' }),
    ];
    await h.stores.notifications.recordMany([older, newer, read, note(maxId, 1, { ticketSubject: 'Only for Max' })]);
    const readId = (await h.models.Notification.findOne({ key: read.key }).lean())!._id;
    await h.stores.notifications.markRead(ginaId, [readId], new Date());

    const page = await agent.get('/notifications');
    expect(page.status).toBe(200);
    const listed = rows(page.text);
    expect(listed.map((r) => [r.text, r.unread])).toEqual([
      [`Unread Max mentioned you in a note #${newer.ticketNumber} ${newer.ticketSubject}`, true],
      [`SLA breached #${read.ticketNumber} ${read.ticketSubject}`, false],
      [`Unread The customer replied #${older.ticketNumber} Toner &lt;empty&gt; again`, true],
    ]);
    expect(page.text).not.toContain('Only for Max');
    expect(page.text).toMatch(/<time datetime="[^"]+" title="[^"]+">5 min\. ago<\/time>/);
    expect(page.text).toMatch(/<time datetime="[^"]+" title="[^"]+">2 hr\. ago<\/time>/);
    // The form that marks them all read, and the link to the switches.
    expect(page.text).toContain('<form method="post" action="/notifications/read">');
    expect(page.text).toContain('<a href="/account#notifications">');
    expect((await manager.get('/notifications')).text).toContain('Only for Max');
  });

  it('shows the last 50 and says so when there are none', async () => {
    expect((await agent.get('/notifications')).text).toContain('No notifications yet.');
    await h.stores.notifications.recordMany(Array.from({ length: 55 }, (_, i) => note(ginaId, i + 1)));
    const listed = rows((await agent.get('/notifications')).text);
    expect(listed).toHaveLength(50);
    // The newest is the first of the 55 (1 minute old); the five oldest are left out.
    expect(listed[0]!.text).toContain(`#${lastNumber() - 54} `);
    expect(listed[49]!.text).toContain(`#${lastNumber() - 5} `);
  });

  it('marks all read with the form (token required), and the top bar count goes', async () => {
    await h.stores.notifications.recordMany([note(ginaId, 3), note(ginaId, 2), note(maxId, 1)]);
    const page = await agent.get('/notifications');
    expect(badge(page.text)).toBe('2');
    expect((await agent.post('/notifications/read', { _csrf: 'forged' })).status).toBe(403);
    expect(await h.models.Notification.countDocuments({ readAt: null })).toBe(3);

    const done = await agent.post('/notifications/read', { _csrf: Client.csrf(page.text) });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/notifications?saved=read');
    const after = await agent.get('/notifications?saved=read');
    expect(after.text).toContain('All notifications are marked as read.');
    expect(rows(after.text).every((r) => !r.unread)).toBe(true);
    expect(badge(after.text)).toBeNull();
    expect(after.text).not.toContain('action="/notifications/read"');
    // Max's stays unread.
    expect(await h.models.Notification.countDocuments({ userId: maxId, readAt: null })).toBe(1);
  });

  it("opening one marks it read and goes to its ticket by id; someone else's is 404", async () => {
    const mine = note(ginaId, 4);
    const his = note(maxId, 4);
    await h.stores.notifications.recordMany([mine, his]);
    const idOf = async (n: NotificationInput) => (await h.models.Notification.findOne({ key: n.key }).lean())!._id.toHexString();
    const [mineId, hisId] = [await idOf(mine), await idOf(his)];

    const opened = await agent.get(`/notifications/${mineId}/open`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/tickets/${mine.ticketId.toHexString()}`);
    const readAt = (await stored(mineId))!.readAt;
    expect(readAt).toBeInstanceOf(Date);
    expect(rows((await agent.get('/notifications')).text)).toEqual([expect.objectContaining({ id: mineId, unread: false })]);
    // Opening it again keeps the first time it was read.
    await agent.get(`/notifications/${mineId}/open`);
    expect((await stored(mineId))!.readAt).toEqual(readAt);

    for (const id of [hisId, new Types.ObjectId().toHexString(), 'not-an-id']) {
      expect((await agent.get(`/notifications/${id}/open`)).status, id).toBe(404);
    }
    expect((await stored(hisId))!.readAt).toBeNull();
    // Signed out: to the login page, nothing marked.
    const anonymous = await new Client(h.base).get(`/notifications/${hisId}/open`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/);
  });

  it('the top bar links to the list on every page, with the unread count capped at 9+', async () => {
    let home = await agent.get('/');
    expect(home.text).toMatch(/<a class="notif-link" href="\/notifications">Notifications<\/a>/);
    expect(badge(home.text)).toBeNull();

    await h.stores.notifications.recordMany([note(ginaId, 1)]);
    home = await agent.get('/');
    expect(home.text).toContain('<a class="notif-link" href="/notifications" aria-label="Notifications, 1 unread">Notifications <span class="notif-count">1</span></a>');

    await h.stores.notifications.recordMany(Array.from({ length: 11 }, (_, i) => note(ginaId, i + 2)));
    expect(badge((await agent.get('/account')).text)).toBe('9+');
    const list = await agent.get('/notifications');
    expect(badge(list.text)).toBe('9+');
    expect(list.text).toContain('<a class="notif-link" href="/notifications" aria-current="page"');
    // Another user's count is their own.
    expect(badge((await manager.get('/')).text)).toBeNull();
  });
});

/** The notification switches of the account page: kind → [shown value, ticked]. */
function switches(html: string): Record<string, { shown: string; on: boolean }> {
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => {
      const shown = new RegExp(`name="shown\\.${kind}" value="([01])"`).exec(html)?.[1] ?? '?';
      const on = new RegExp(`name="notify\\.${kind}" value="1" checked>`).test(html);
      return [kind, { shown, on }];
    }),
  );
}

/** The form as a browser posts it with these kinds ticked or not (the rest as shown). */
function notifyForm(html: string, change: Partial<Record<NotificationKind, boolean>> = {}): Record<string, string> {
  const form: Record<string, string> = { _csrf: Client.csrf(html) };
  for (const [kind, s] of Object.entries(switches(html))) {
    form[`shown.${kind}`] = s.shown;
    if (change[kind as NotificationKind] ?? s.on) form[`notify.${kind}`] = '1';
  }
  return form;
}

describe('notification switches on /account', () => {
  it('show every kind in plain words, at its default when the user never chose', async () => {
    const page = await agent.get('/account');
    expect(page.text).toContain('<section class="card settings-form" id="notifications">');
    for (const label of ['Assigned to me', 'The customer replied on a ticket assigned to me', 'Someone mentioned me in a note', 'New ticket in one of my teams (off by default for teams over 5 people)', 'SLA at risk on my tickets', 'SLA breached on my tickets', 'Escalations that reach me', 'A ticket of mine has been pending for days']) {
      expect(page.text).toContain(label);
    }
    expect(Object.values(switches(page.text))).toEqual(NOTIFICATION_KINDS.map(() => ({ shown: '1', on: true })));
  });

  it('show new team tickets off by default when every team of theirs has more than 5 people, on when one is small', async () => {
    const crowd = Array.from({ length: 5 }, () => new Types.ObjectId());
    await h.models.Team.create({ name: 'Level 1', level: 'L1', memberIds: [ginaId, ...crowd], inboxIds: [inboxId] });
    expect(switches((await agent.get('/account')).text).team_new_ticket).toEqual({ shown: '0', on: false });
    await h.models.Team.create({ name: 'Network', level: 'L2', memberIds: [ginaId, maxId], inboxIds: [inboxId] });
    expect(switches((await agent.get('/account')).text).team_new_ticket).toEqual({ shown: '1', on: true });
  });

  it('save the switches changed, leave the others at their default, and go back to the defaults', async () => {
    const page = await agent.get('/account');
    const saved = await agent.post('/account/notifications', notifyForm(page.text, { mentioned: false, sla_reminder: false }));
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/account?saved=notify#notifications');
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({ mentioned: false, sla_reminder: false });
    let after = await agent.get('/account?saved=notify');
    expect(after.text).toContain('Notification settings saved.');
    expect(switches(after.text)).toMatchObject({ mentioned: { shown: '0', on: false }, sla_reminder: { shown: '0', on: false }, assigned: { shown: '1', on: true } });

    // Ticking one again is a choice of its own; a stale form changes only what it changed.
    await agent.post('/account/notifications', notifyForm(after.text, { mentioned: true }));
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({ mentioned: true, sla_reminder: false });
    // Max's choices are his own.
    expect((await h.models.User.findById(maxId).lean())!.notify).toEqual({});

    after = await agent.get('/account');
    const reset = await agent.post('/account/notifications', { ...notifyForm(after.text), reset: '1' });
    expect(reset.headers.get('location')).toBe('/account?saved=notify-reset#notifications');
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({});
    expect(Object.values(switches((await agent.get('/account')).text)).every((s) => s.on)).toBe(true);
  });

  it('need the form token', async () => {
    const page = await agent.get('/account');
    expect((await agent.post('/account/notifications', { ...notifyForm(page.text, { assigned: false }), _csrf: 'forged' })).status).toBe(403);
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({});
  });
});
