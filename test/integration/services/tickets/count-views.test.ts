import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketStatus } from '../../../../src/domain/ticket-status.js';
import type { Actor } from '../../../../src/services/access.js';
import { inboxOverview } from '../../../../src/services/inboxes/inbox-overview.js';
import { COUNT_CAP, countViews, type ListFilters } from '../../../../src/services/tickets/count-views.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { createSavedView, deleteSavedView, listSavedViews, updateSavedView } from '../../../../src/services/views/saved-views.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
const NOW = new Date('2026-11-21T12:00:00Z');
const inboxA = new Types.ObjectId();
const inboxB = new Types.ObjectId();
const me = new Types.ObjectId();
const other = new Types.ObjectId();
const agent: Actor = { userId: me, role: 'agent', inboxIds: [inboxA] };
const admin: Actor = { userId: other, role: 'admin', inboxIds: [] };
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);
const STATUSES: TicketStatus[] = ['new', 'open', 'pending', 'solved', 'closed', 'open', 'new'];
const DUES = [null, minutes(-90), minutes(30), minutes(-1), minutes(600)];
const deps = () => ({ ...db.stores, now: () => NOW });

async function listLength(actor: Actor, filters: ListFilters): Promise<number> {
  let n = 0;
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const page = await listTickets(deps(), actor, { ...filters, limit: '7', ...(cursor ? { cursor } : {}) });
    n += page.items.length;
    cursor = page.nextCursor;
    if (!cursor) return n;
  }
  throw new Error('paging did not end');
}

beforeAll(async () => {
  db = await openTestDb('count_views');
  await db.models.Inbox.create([
    { _id: inboxA, name: 'A', address: 'a@views.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
    { _id: inboxB, name: 'B', address: 'b@views.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } },
  ]);
  const docs = [];
  for (let i = 0; i < 140; i++) {
    // Some are spam: every view but Spam leaves them out, and its count still equals its list.
    const status: TicketStatus = i % 13 === 2 ? 'spam' : STATUSES[i % STATUSES.length]!;
    const nextDueAt = status === 'solved' || status === 'closed' || status === 'spam' ? null : DUES[i % DUES.length]!;
    docs.push({
      number: i + 1, inboxId: i % 4 === 3 ? inboxB : inboxA, subject: `T ${i}`, requester: { email: 'r@x.test' }, status,
      assigneeId: i % 3 === 0 ? me : i % 3 === 1 ? other : null, lastActivityAt: minutes(-Math.floor(i / 2)),
      sla: { nextDueAt, breachedAt: nextDueAt && nextDueAt < NOW ? nextDueAt : null }, mergedIntoId: i % 11 === 10 ? new Types.ObjectId() : null,
      // Some are snoozed: every view but Snoozed leaves them out, and its count still equals its list.
      ...(i % 30 === 5 ? { snoozed: true } : {}),
    });
  }
  await db.models.Ticket.insertMany(docs);
});
afterAll(() => db.drop());

describe('view counts', () => {
  it('each view count equals the length of the list it links to (up to the cap), for an agent and an admin, in all inboxes and in one', async () => {
    let capped = 0;
    for (const [actor, inboxes] of [[agent, [undefined, inboxA.toHexString()]], [admin, [undefined, inboxA.toHexString(), inboxB.toHexString()]]] as const) {
      for (const inbox of inboxes) {
        const views = await countViews(deps(), actor, inbox ? { inbox } : {});
        expect(views.map((v) => v.name)).toEqual(['mine', 'unassigned', 'all', 'breaching', 'snoozed', 'spam']);
        for (const v of views) {
          const length = await listLength(actor, v.filters);
          expect(v.count, `${actor.role} ${inbox} ${v.name}`).toBe(Math.min(length, COUNT_CAP));
          expect(v.more, `${actor.role} ${inbox} ${v.name}`).toBe(length >= COUNT_CAP);
          expect(v.count, `${actor.role} ${inbox} ${v.name}`).toBeGreaterThan(0);
          if (v.more) capped += 1;
        }
      }
    }
    // Spam is listed in the Spam view only, whatever the filters of the others.
    const spam = new Set((await db.models.Ticket.find({ status: 'spam', mergedIntoId: null }, { _id: 1 }).lean()).map((t) => t._id.toHexString()));
    expect(spam.size).toBeGreaterThan(0);
    for (const view of await countViews(deps(), admin, {})) {
      const page = await listTickets(deps(), admin, { ...view.filters, limit: '100' });
      const listed = page.items.filter((t) => spam.has(t.id)).length;
      if (view.name === 'spam') expect(listed).toBe(spam.size);
      else expect(listed, view.name).toBe(0);
    }
    // The admin's "all" holds more tickets than the cap: a long list shows "100+", read no further.
    expect(capped).toBeGreaterThan(0);
    await expect(countViews(deps(), agent, { inbox: inboxB.toHexString() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('each overview card count equals the length of the list it links to', async () => {
    for (const actor of [agent, admin]) {
      const overview = await inboxOverview(deps(), actor);
      expect(overview.length).toBe(actor === agent ? 1 : 2);
      for (const inbox of overview) {
        for (const card of inbox.cards) expect(card.count, `${inbox.name} ${card.name}`).toBe(Math.min(await listLength(actor, card.filters), COUNT_CAP));
        expect(inbox.cards.find((c) => c.name === 'open')!.count).toBeGreaterThan(0);
        expect(inbox.cards.find((c) => c.name === 'breaching')!.count).toBeGreaterThan(0);
      }
    }
  });

  it('counts each view with one countDocuments', async () => {
    const counts: unknown[] = [];
    db.connection.set('debug', (collection: string, method: string, filter: unknown) => {
      if (collection === 'tickets') counts.push([method, filter]);
    });
    try {
      await countViews(deps(), agent, {});
    } finally {
      db.connection.set('debug', false);
    }
    expect(counts.map((c) => (c as [string])[0])).toEqual(['countDocuments', 'countDocuments', 'countDocuments', 'countDocuments', 'countDocuments', 'countDocuments']);
    expect(JSON.stringify(counts)).not.toContain('$or');
  });
});

describe('saved views', () => {
  it('saves, renames and deletes the owner’s views; another user’s view is NOT_FOUND', async () => {
    const v = await createSavedView(db.stores, agent, { name: ' Billing ', filters: { tag: 'billing', status: 'open', cursor: 'x' } });
    expect(v).toMatchObject({ name: 'Billing', filters: { tag: 'billing', status: 'open' } });
    expect((await listSavedViews(db.stores, agent)).map((x) => x.id)).toEqual([v.id]);
    expect(await listSavedViews(db.stores, admin)).toEqual([]);
    await expect(updateSavedView(db.stores, admin, v.id, { name: 'Mine now' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(deleteSavedView(db.stores, admin, v.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await updateSavedView(db.stores, agent, v.id, { name: 'Invoices' })).name).toBe('Invoices');
    await expect(createSavedView(db.stores, agent, { name: 'x'.repeat(61) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(createSavedView(db.stores, agent, { name: 'bad', filters: { due: 'later' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    for (let i = 1; i < 20; i++) await createSavedView(db.stores, agent, { name: `v${i}` });
    await expect(createSavedView(db.stores, agent, { name: 'one too many' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await deleteSavedView(db.stores, agent, v.id);
    expect(await listSavedViews(db.stores, agent)).toHaveLength(19);
  });
});
