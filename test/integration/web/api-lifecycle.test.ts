import { DateTime } from 'luxon';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
let admin: string;
let agent: string;
let outsider: string;
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
// The real clock: API tokens expire against it.
const DAY = 86_400_000;
let number = 0;

async function ticket(inboxId: Types.ObjectId = inboxA) {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId, subject: `Ticket ${number}`, requester: { email: `c${number}@example.com` }, status: 'open', lastActivityAt: new Date(Date.now() - number * 60_000) });
  return t._id.toHexString();
}
const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((t) => t.id);

beforeAll(async () => {
  h = await startApi('api_lifecycle', { refreshSla: async () => {} });
  const account = { imap: { host: 'h', port: 993, folder: 'INBOX' }, smtp: { host: 'h', port: 465 } };
  await h.models.Inbox.create([{ _id: inboxA, name: 'A', address: 'a@example.com', ...account }, { _id: inboxB, name: 'B', address: 'b@example.com', ...account }]);
  await createUser(h.models, { email: 'admin@example.com', password: 'admin password 123', role: 'admin' });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inboxA] });
  await createUser(h.models, { email: 'other@example.com', password: 'other password 123', inboxIds: [inboxB] });
  admin = await login(h.base, 'admin@example.com', 'admin password 123');
  agent = await login(h.base, 'agent@example.com', 'agent password 123');
  outsider = await login(h.base, 'other@example.com', 'other password 123');
});
afterAll(() => h.close());

describe('POST/DELETE /tickets/:id/snooze', () => {
  it('snoozes until a time: the ticket leaves the list, shows in snoozed=only, and comes back with DELETE', async () => {
    const id = await ticket();
    const other = await ticket();
    // Two days ahead, written with a +01:00 offset; answered in UTC.
    const ahead = DateTime.now().plus({ days: 2 }).startOf('second').setZone('UTC+1');
    const until = ahead.toISO({ suppressMilliseconds: true })!;
    const utc = ahead.toUTC().toISO()!;
    expect(until).toMatch(/\+01:00$/);
    const res = await call(h.base, 'POST', `/tickets/${id}/snooze`, { token: agent, body: { until } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, snooze: { until: utc, untilReply: false }, backFromSnooze: null });

    const list = await call(h.base, 'GET', '/tickets', { token: agent });
    expect(ids(list)).not.toContain(id);
    expect(ids(list)).toContain(other);
    const snoozed = await call(h.base, 'GET', '/tickets?snoozed=only', { token: agent });
    expect(ids(snoozed)).toEqual([id]);
    expect(snoozed.body.items[0].snooze).toEqual({ until: utc, untilReply: false });
    expect(ids(await call(h.base, 'GET', '/tickets?snoozed=any', { token: agent }))).toEqual(expect.arrayContaining([id, other]));
    const detail = await call(h.base, 'GET', `/tickets/${id}`, { token: agent });
    expect(detail.body.events.map((e: { type: string }) => e.type)).toContain('snoozed');

    const woken = await call(h.base, 'DELETE', `/tickets/${id}/snooze`, { token: agent });
    expect(woken.status).toBe(200);
    expect(woken.body).toMatchObject({ snooze: null, backFromSnooze: null });
    expect(ids(await call(h.base, 'GET', '/tickets', { token: agent }))).toContain(id);
  });

  it('snoozes until the customer replies without a time', async () => {
    const id = await ticket();
    const res = await call(h.base, 'POST', `/tickets/${id}/snooze`, { token: agent, body: { untilReply: true } });
    expect(res.status).toBe(200);
    expect(res.body.snooze).toEqual({ until: null, untilReply: true });
  });

  it('refuses a time in the past, without an offset, or no time at all (400 naming until), and unknown fields', async () => {
    const id = await ticket();
    const past = new Date(Date.now() - DAY).toISOString();
    const tooFar = new Date(Date.now() + 400 * DAY).toISOString();
    const noOffset = DateTime.now().plus({ days: 2 }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    for (const body of [{ until: past }, { until: tooFar }, { until: noOffset }, {}, { untilReply: false }]) {
      const res = await call(h.base, 'POST', `/tickets/${id}/snooze`, { token: agent, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(['until']);
    }
    expect((await call(h.base, 'POST', `/tickets/${id}/snooze`, { token: agent, body: { untilReply: true, later: 1 } })).status).toBe(400);
    expect(ids(await call(h.base, 'GET', '/tickets', { token: agent }))).toContain(id);
  });

  it('answers 404 to an agent of another inbox', async () => {
    const id = await ticket();
    expect((await call(h.base, 'POST', `/tickets/${id}/snooze`, { token: outsider, body: { untilReply: true } })).status).toBe(404);
    expect((await call(h.base, 'DELETE', `/tickets/${id}/snooze`, { token: outsider })).status).toBe(404);
    expect((await call(h.base, 'POST', `/tickets/${new Types.ObjectId().toHexString()}/snooze`, { token: agent, body: { untilReply: true } })).status).toBe(404);
  });
});

describe('inbox lifecycle settings', () => {
  it('defaults to 4 and 3 days, and PATCH sets whole days from 0 to 365', async () => {
    const before = await call(h.base, 'GET', `/inboxes/${inboxA.toHexString()}`, { token: admin });
    expect(before.body).toMatchObject({ autoCloseAfterDays: 4, pendingReminderAfterDays: 3 });
    const res = await call(h.base, 'PATCH', `/inboxes/${inboxA.toHexString()}`, { token: admin, body: { autoCloseAfterDays: 7, pendingReminderAfterDays: 0 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ autoCloseAfterDays: 7, pendingReminderAfterDays: 0 });
    for (const body of [{ autoCloseAfterDays: 366 }, { autoCloseAfterDays: 1.5 }, { pendingReminderAfterDays: -1 }, { pendingReminderAfterDays: '3' }]) {
      const bad = await call(h.base, 'PATCH', `/inboxes/${inboxA.toHexString()}`, { token: admin, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.details.issues.map((i: { path: string }) => i.path)).toEqual(Object.keys(body));
    }
    expect((await call(h.base, 'GET', `/inboxes/${inboxA.toHexString()}`, { token: agent })).body).toMatchObject({ autoCloseAfterDays: 7, pendingReminderAfterDays: 0 });
  });
});
