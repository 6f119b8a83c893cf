import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

let h: ApiHarness;
const tokens: Record<string, string> = {};
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const DAY = 86_400_000;
let gina: Types.ObjectId;

/** A rated survey `daysAgo` days ago (against the server's own clock: now). */
async function rated(inboxId: Types.ObjectId, rating: 'good' | 'okay' | 'bad', daysAgo: number, assigneeId: Types.ObjectId | null = null, comment: string | null = null) {
  const at = new Date(Date.now() - daysAgo * DAY);
  await h.models.SatisfactionRating.create({ ticketId: new Types.ObjectId(), inboxId, teamId: null, assigneeId, email: 'c@customer.test', askedAt: at, solvedAt: at, rating, comment, ratedAt: at, changedAt: null });
}

beforeAll(async () => {
  h = await startApi('api_satisfaction');
  for (const [id, name] of [[inboxA, 'A'], [inboxB, 'B']] as const) await h.models.Inbox.create({ _id: id, name, address: `${name.toLowerCase()}@example.com`, imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
  await createUser(h.models, { email: 'ada@example.com', password: 'ada password 123', role: 'admin' });
  await createUser(h.models, { email: 'max@example.com', password: 'max password 123', role: 'manager', inboxIds: [inboxA] });
  gina = (await createUser(h.models, { email: 'gina@example.com', password: 'gina password 123', inboxIds: [inboxA], name: 'Gina' }))._id;
  for (const who of ['ada', 'max', 'gina']) tokens[who] = await login(h.base, `${who}@example.com`, `${who} password 123`);
  await rated(inboxA, 'good', 1, gina, 'Quick and kind');
  await rated(inboxA, 'bad', 2, gina);
  await rated(inboxA, 'okay', 3);
  await rated(inboxB, 'good', 4);
  // Outside the default 30 days.
  await rated(inboxA, 'bad', 45, gina);
});
afterAll(() => h.close());

const get = (who: string, query = '') => call(h.base, 'GET', `/satisfaction${query}`, { token: tokens[who] });

describe('GET /api/v1/satisfaction', () => {
  it('lists an admin every inbox\'s ratings of the last 30 days, newest first, with the score', async () => {
    const res = await get('ada');
    expect(res.status).toBe(200);
    expect(res.body.summary).toEqual({ good: 2, okay: 1, bad: 1, total: 4, score: 0.5 });
    expect(res.body.items.map((i: { rating: string }) => i.rating)).toEqual(['good', 'bad', 'okay', 'good']);
    expect(res.body.items[0]).toMatchObject({ assigneeId: String(gina), assigneeName: 'Gina', comment: 'Quick and kind' });
    const longer = await get('ada', `?from=${new Date(Date.now() - 60 * DAY).toISOString()}`);
    expect(longer.body.summary.total).toBe(5);
  });

  it('shows a manager their inboxes\' ratings and an agent their own tickets\'', async () => {
    expect((await get('max')).body.summary).toEqual({ good: 1, okay: 1, bad: 1, total: 3, score: 1 / 3 });
    expect((await get('max', `?agent=${gina}`)).body.summary.total).toBe(2);
    const own = await get('gina', `?agent=${new Types.ObjectId()}`);
    expect(own.body.summary).toEqual({ good: 1, okay: 0, bad: 1, total: 2, score: 0.5 });
  });

  it('refuses an inbox the caller cannot see and a reversed period', async () => {
    expect((await get('max', `?inbox=${inboxB}`)).status).toBe(400);
    expect((await get('ada', '?from=2026-05-02&to=2026-05-01')).status).toBe(400);
    expect((await get('ada', '?since=yesterday')).status).toBe(400);
  });
});

describe('the inbox survey settings', () => {
  it('are off by default, and an admin changes them in part through PATCH /inboxes/{id}', async () => {
    const before = await call(h.base, 'GET', `/inboxes/${inboxB}`, { token: tokens.ada });
    expect(before.body.satisfaction).toEqual({ enabled: false, mode: 'solved', delayHours: 24, askEveryDays: 30 });
    const patched = await call(h.base, 'PATCH', `/inboxes/${inboxB}`, { token: tokens.ada, body: { satisfaction: { enabled: true, mode: 'delayed', delayHours: 2 } } });
    expect(patched.status).toBe(200);
    expect(patched.body.satisfaction).toEqual({ enabled: true, mode: 'delayed', delayHours: 2, askEveryDays: 30 });
    const again = await call(h.base, 'PATCH', `/inboxes/${inboxB}`, { token: tokens.ada, body: { satisfaction: { askEveryDays: 0 } } });
    expect(again.body.satisfaction).toEqual({ enabled: true, mode: 'delayed', delayHours: 2, askEveryDays: 0 });
    expect((await call(h.base, 'PATCH', `/inboxes/${inboxB}`, { token: tokens.ada, body: { satisfaction: { mode: 'weekly' } } })).status).toBe(400);
  });
});

