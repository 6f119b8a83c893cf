import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketSearchTerms } from '../../../src/domain/ticket-search.js';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';
import { clockNearRealTime, minutesFrom } from '../../helpers/clock.js';

let h: ApiHarness;
let token: string;
const inbox = new Types.ObjectId();
// Pinned near real time: sessions expire on the database's own clock (see test/helpers/clock.ts).
const NOW = clockNearRealTime();
const minutes = (m: number) => minutesFrom(NOW, m);

beforeAll(async () => {
  h = await startApi('api_ticket_filters');
  h.setNow(NOW);
  await h.models.Inbox.create({ _id: inbox, name: 'A', address: 'a@example.com', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
  await createUser(h.models, { email: 'agent@example.com', password: 'agent password 123', inboxIds: [inbox] });
  token = await login(h.base, 'agent@example.com', 'agent password 123');
  const rows = [
    { n: 1, subject: 'Refund please', email: 'alice@customer.test', tags: ['billing'], due: minutes(-10) },
    { n: 2, subject: 'Refund again', email: 'bob@customer.test', tags: ['billing'], due: minutes(20) },
    { n: 3, subject: 'Refund, third time', email: 'alice@customer.test', tags: ['billing'], due: minutes(500) },
    { n: 4, subject: 'Refund', email: 'alice@customer.test', tags: [], due: minutes(5) },
  ];
  await h.models.Ticket.insertMany(rows.map((r) => ({
    number: r.n, inboxId: inbox, subject: r.subject, requester: { email: r.email }, status: 'open', tags: r.tags, lastActivityAt: minutes(r.n),
    searchTerms: ticketSearchTerms({ subject: r.subject, requester: { email: r.email } }), sla: { resolutionDueAt: r.due, nextDueAt: r.due },
  })));
});
afterAll(() => h.close());

describe('GET /api/v1/tickets filters', () => {
  it('takes tag, due=soon and q together, at the app’s clock', async () => {
    const res = await call(h.base, 'GET', '/tickets?tag=billing&due=soon&q=refund', { token });
    expect(res.status).toBe(200);
    // Due soon lists the soonest due first (1 is breached, 2 due in 20 minutes).
    expect(res.body.items.map((t: { number: number }) => t.number)).toEqual([1, 2]);
    const alice = await call(h.base, 'GET', '/tickets?q=ALI+refund&limit=2', { token });
    expect(alice.body.items.map((t: { number: number }) => t.number)).toEqual([4, 3]);
    const rest = await call(h.base, 'GET', `/tickets?q=ALI+refund&limit=2&cursor=${alice.body.nextCursor}`, { token });
    expect(rest.body).toMatchObject({ nextCursor: null });
    expect(rest.body.items.map((t: { number: number }) => t.number)).toEqual([1]);
    h.setNow(minutes(-50));
    expect((await call(h.base, 'GET', '/tickets?due=soon', { token })).body.items.map((t: { number: number }) => t.number)).toEqual([1, 4]);
    h.setNow(NOW);
  });

  it('answers bad filters with 400 VALIDATION_FAILED naming the field', async () => {
    for (const [query, field] of [['due=tomorrow', 'due'], ['q=%21%21', 'q'], ['tag=a&tag=b', 'tag'], [`tag=${'t'.repeat(51)}`, 'tag']]) {
      const res = await call(h.base, 'GET', `/tickets?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
  });
});
