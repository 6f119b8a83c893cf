import { Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS } from '../../../src/domain/notifications.js';
import { createNotificationStore, type NotificationInput } from '../../../src/store/notification-store.js';
import { notificationFactory } from '../../helpers/notifications.js';
import { call, createUser, login } from '../../helpers/api.js';
import { startPagesAndApi } from './pages-api-harness.js';
import { Client } from './pages-harness.js';

// The JSON API of notifications: the caller's mail switches (`/me/notification-settings`, the same
// use case as the account page) and their in-app list (`/notifications`).
let h: Awaited<ReturnType<typeof startPagesAndApi>>;
let notifications: ReturnType<typeof createNotificationStore>;
let gina: string;
let max: string;
let ginaId: Types.ObjectId;
let maxId: Types.ObjectId;
const inboxId = new Types.ObjectId();

const { note } = notificationFactory(inboxId);
const idOf = async (n: NotificationInput) => (await h.models.Notification.findOne({ key: n.key }).lean())!._id.toHexString();
const defaults = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { enabled: true, chosen: null, default: true }]));

beforeAll(async () => {
  h = await startPagesAndApi('api_notifications');
  notifications = createNotificationStore(h.models);
  ginaId = (await createUser(h.models, { email: 'gina@example.test', password: 'gina password 123', inboxIds: [inboxId], name: 'Gina' }))._id;
  maxId = (await createUser(h.models, { email: 'max@example.test', password: 'max password 123', role: 'manager', inboxIds: [inboxId], name: 'Max' }))._id;
  gina = await login(h.api, 'gina@example.test', 'gina password 123');
  max = await login(h.api, 'max@example.test', 'max password 123');
});
afterAll(async () => h?.close());
beforeEach(async () => {
  await h.models.Notification.deleteMany({});
  await h.models.Team.deleteMany({});
  await h.models.User.updateMany({}, { $set: { notify: {} } });
});

describe('GET/PATCH /api/v1/me/notification-settings', () => {
  it('answers every kind at its default, then the choices made, kind by kind; null goes back to the default', async () => {
    expect((await call(h.api, 'GET', '/me/notification-settings', { token: gina })).body).toEqual(defaults);

    const set = await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { assigned: false, mentioned: true } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ ...defaults, assigned: { enabled: false, chosen: false, default: true }, mentioned: { enabled: true, chosen: true, default: true } });
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({ assigned: false, mentioned: true });
    expect((await call(h.api, 'GET', '/me/notification-settings', { token: gina })).body).toEqual(set.body);
    // Max's are his own.
    expect((await call(h.api, 'GET', '/me/notification-settings', { token: max })).body).toEqual(defaults);

    // A kind left out stays; null is the default again (the choice is removed).
    const back = await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { mentioned: null } });
    expect(back.body).toMatchObject({ assigned: { enabled: false, chosen: false }, mentioned: { enabled: true, chosen: null } });
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({ assigned: false });
    expect((await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: {} })).body).toEqual(back.body);
  });

  it('refuses an unknown kind or a value that is not true, false or null, naming the field, and writes nothing', async () => {
    const unknown = await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { assigned: false, weekly_digest: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['weekly_digest']);
    const wrong = await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { sla_breached: 'off' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['sla_breached']);
    expect((await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: [true] })).status).toBe(400);
    expect((await h.models.User.findById(ginaId).lean())!.notify).toEqual({});
  });

  it('gives new team tickets their default from the size of the caller’s teams', async () => {
    await h.models.Team.create({ name: 'Level 1', level: 'L1', memberIds: [ginaId, ...Array.from({ length: 5 }, () => new Types.ObjectId())], inboxIds: [inboxId] });
    const big = (await call(h.api, 'GET', '/me/notification-settings', { token: gina })).body;
    expect(big.team_new_ticket).toEqual({ enabled: false, chosen: null, default: false });
    expect(big.assigned).toEqual({ enabled: true, chosen: null, default: true });
    const chosen = await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { team_new_ticket: true } });
    expect(chosen.body.team_new_ticket).toEqual({ enabled: true, chosen: true, default: false });
  });

  it('is the same setting as the account page', async () => {
    await call(h.api, 'PATCH', '/me/notification-settings', { token: gina, body: { customer_replied: false } });
    const browser = new Client(h.base);
    await browser.login('gina@example.test', 'gina password 123');
    const page = await browser.get('/account');
    expect(page.text).toContain('<input type="hidden" name="shown.customer_replied" value="0">');
    expect(page.text).toMatch(/<input type="checkbox" name="notify\.customer_replied" value="1"> /);
    expect(page.text).toMatch(/<input type="checkbox" name="notify\.assigned" value="1" checked> /);
  });
});

describe('GET /api/v1/notifications and POST /api/v1/notifications/read', () => {
  it("lists the caller's own, newest first, with the ticket by id, the event's data and whether it is read", async () => {
    const older = note(ginaId, 60, { kind: 'sla_reminder', data: { clock: 'firstResponse', minutesLeft: 30 } });
    const newer = note(ginaId, 2, { kind: 'mentioned', data: { by: 'Max', excerpt: 'Can you call them?' } });
    await notifications.recordMany([older, newer, note(maxId, 1)]);
    const res = await call(h.api, 'GET', '/notifications', { token: gina });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      { id: await idOf(newer), kind: 'mentioned', ticket: { id: newer.ticketId.toHexString(), number: newer.ticketNumber, subject: newer.ticketSubject }, at: newer.at.toISOString(), data: { by: 'Max', excerpt: 'Can you call them?' }, read: false, readAt: null },
      { id: await idOf(older), kind: 'sla_reminder', ticket: { id: older.ticketId.toHexString(), number: older.ticketNumber, subject: older.ticketSubject }, at: older.at.toISOString(), data: { clock: 'firstResponse', minutesLeft: 30 }, read: false, readAt: null },
    ]);
    expect((await call(h.api, 'GET', '/notifications', { token: max })).body.items).toHaveLength(1);
  });

  it("marks the ids given (never someone else's), or all", async () => {
    const [a, b, c, his] = [note(ginaId, 3), note(ginaId, 2), note(ginaId, 1), note(maxId, 1)];
    await notifications.recordMany([a, b, c, his]);
    const marked = await call(h.api, 'POST', '/notifications/read', { token: gina, body: { ids: [await idOf(a), await idOf(his)] } });
    expect(marked.status).toBe(200);
    expect(marked.body).toEqual({ marked: 1 });
    expect((await h.models.Notification.findOne({ key: his.key }).lean())!.readAt).toBeNull();
    const listed = (await call(h.api, 'GET', '/notifications', { token: gina })).body.items;
    expect(listed.map((n: { id: string; read: boolean }) => [n.id, n.read])).toEqual([[await idOf(c), false], [await idOf(b), false], [await idOf(a), true]]);
    expect(Date.parse(listed[2].readAt)).toBeGreaterThan(Date.now() - 60_000);

    expect((await call(h.api, 'POST', '/notifications/read', { token: gina, body: { all: true } })).body).toEqual({ marked: 2 });
    expect((await call(h.api, 'POST', '/notifications/read', { token: gina, body: { all: true } })).body).toEqual({ marked: 0 });
    expect(await h.models.Notification.countDocuments({ readAt: null })).toBe(1);
  });

  it('refuses a body that names neither ids nor all, or both, or ids that are not ids', async () => {
    const paths = async (body: unknown) => {
      const res = await call(h.api, 'POST', '/notifications/read', { token: gina, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      return res.body.error.details.issues.map((i: { path: string }) => i.path);
    };
    expect(await paths({})).toEqual(['ids']);
    expect(await paths({ ids: [new Types.ObjectId().toHexString()], all: true })).toEqual(['all']);
    expect(await paths({ ids: ['nope'] })).toEqual(['ids.0']);
    expect(await paths({ all: false })).toEqual(['all']);
    expect(await paths({ ids: [] })).toEqual(['ids']);
  });

  it('needs a token', async () => {
    expect((await call(h.api, 'GET', '/notifications')).status).toBe(401);
    expect((await call(h.api, 'POST', '/notifications/read', { body: { all: true } })).status).toBe(401);
    expect((await call(h.api, 'GET', '/me/notification-settings')).status).toBe(401);
  });
});
