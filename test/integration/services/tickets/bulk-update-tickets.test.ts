import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppError } from '../../../../src/domain/errors.js';
import type { Actor } from '../../../../src/services/access.js';
import { BULK_MAX_TICKETS, bulkUpdateTickets, type BulkResult, type BulkUpdateDeps } from '../../../../src/services/tickets/bulk-update-tickets.js';
import { createUser } from '../../../helpers/api.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

// Issue 16, triage: one action on many tickets, each through its own use case, each reported.
let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: BulkUpdateDeps;
const replanned: string[] = [];
const support = new Types.ObjectId();
const billing = new Types.ObjectId();
const now = new Date('2026-11-21T09:00:00Z');
let number = 0;
let ada: { _id: Types.ObjectId };
let gina: { _id: Types.ObjectId };
let bill: { _id: Types.ObjectId };
/** Gina works the Support inbox only. */
const agent = (): Actor => ({ userId: gina._id, role: 'agent', inboxIds: [support] });
const admin = (): Actor => ({ userId: ada._id, role: 'admin', inboxIds: [] });

async function ticket(inboxId: Types.ObjectId, extra: Record<string, unknown> = {}): Promise<string> {
  number += 1;
  const t = await db.models.Ticket.create({ number, inboxId, subject: `Case ${number}`, requester: { email: 'paul@customer.test' }, status: 'open', lastActivityAt: now, ...extra });
  return t._id.toHexString();
}
const stored = async (id: string) => (await db.models.Ticket.findById(id).lean())!;
/** The AppError a promise rejects with, checked to have this code. */
async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const err = await appErrorFrom(promise);
  expect(err.code).toBe(code);
  return err;
}
const rows = (r: BulkResult) => r.results.map((row) => (row.ok ? 'ok' : row.error.code));
const errorOf = (r: BulkResult, id: string): AppError => {
  const row = r.results.find((x) => x.id === id);
  if (!row || row.ok) throw new Error(`${id} did not fail`);
  return row.error;
};

beforeAll(async () => {
  db = await openTestDb('bulk_update_tickets');
  deps = { ...db.stores, scheduler: noJobs, now: () => now, refreshSla: async (id) => void replanned.push(id.toHexString()) };
  for (const [_id, name] of [[support, 'Support'], [billing, 'Billing']] as const) {
    await db.models.Inbox.create({ _id, name, address: `${name.toLowerCase()}@bulk.test`, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  }
  ada = await createUser(db.models, { email: 'ada@bulk.test', password: 'ada password 123', role: 'admin', name: 'Ada' });
  gina = await createUser(db.models, { email: 'gina@bulk.test', password: 'gina password 123', inboxIds: [support], name: 'Gina' });
  bill = await createUser(db.models, { email: 'bill@bulk.test', password: 'bill password 123', inboxIds: [billing], name: 'Bill' });
});
afterAll(() => db.drop());

describe('bulkUpdateTickets', () => {
  it('changes the tickets the actor may see and reports the others as not found, without touching them', async () => {
    const [a, b, hidden] = [await ticket(support), await ticket(support), await ticket(billing)];
    const missing = new Types.ObjectId().toHexString();
    replanned.length = 0;
    const result = await bulkUpdateTickets(deps, agent(), { ids: [a, hidden, b, missing, 'not-an-id'], action: 'status', value: 'pending' });
    expect(rows(result)).toEqual(['ok', 'NOT_FOUND', 'ok', 'NOT_FOUND', 'NOT_FOUND']);
    expect(result).toMatchObject({ action: 'status', updated: 2, failed: 3 });
    // A hidden ticket fails exactly like a missing one: nothing tells them apart.
    expect(errorOf(result, hidden).message).toBe(errorOf(result, missing).message);
    expect((await stored(a)).status).toBe('pending');
    expect((await stored(b)).status).toBe('pending');
    expect((await stored(hidden)).status).toBe('open');
    // Each change is on its ticket's trail and its SLA clocks were re-planned, as for one ticket.
    const events = await db.models.TicketEvent.find({ type: 'status_changed', ticketId: { $in: [a, b, hidden] } }).lean();
    expect(events.map((e) => e.ticketId.toHexString()).sort()).toEqual([a, b].sort());
    expect(events.every((e) => e.actor?.id?.equals(gina._id))).toBe(true);
    expect(replanned.sort()).toEqual([a, b].sort());
  });

  it('reports each failure on its row and goes on: an assignee outside the inbox, a merged ticket', async () => {
    const [here, there, merged] = [await ticket(support), await ticket(billing), await ticket(support, { mergedIntoId: new Types.ObjectId(), status: 'closed' })];
    const result = await bulkUpdateTickets(deps, admin(), { ids: [there, merged, here], action: 'assign', value: gina._id.toHexString() });
    expect(rows(result)).toEqual(['VALIDATION_FAILED', 'CONFLICT', 'ok']);
    expect(errorOf(result, there).details?.issues).toMatchObject([{ path: 'assigneeId' }]);
    expect((await stored(here)).assigneeId?.equals(gina._id)).toBe(true);
    expect((await stored(there)).assigneeId ?? null).toBeNull();
    // The new assignee is told, as when one ticket is assigned to her.
    expect(await db.models.Notification.countDocuments({ userId: gina._id, kind: 'assigned', ticketId: here })).toBe(1);

    const unassigned = await bulkUpdateTickets(deps, admin(), { ids: [here], action: 'assign', value: null });
    expect(rows(unassigned)).toEqual(['ok']);
    expect((await stored(here)).assigneeId ?? null).toBeNull();
    expect(await db.models.Notification.countDocuments({ kind: 'assigned', userId: bill._id })).toBe(0);
  });

  it('marks tickets as spam, blocking each sender, and refuses a public provider’s domain on its row', async () => {
    const a = await ticket(support, { requester: { email: 'spammer@junk.test' } });
    const b = await ticket(support, { requester: { email: 'someone@gmail.com' } });
    const hidden = await ticket(billing);
    const senders = await bulkUpdateTickets(deps, agent(), { ids: [a, hidden], action: 'spam', value: 'sender' });
    expect(rows(senders)).toEqual(['ok', 'NOT_FOUND']);
    expect((await stored(a)).status).toBe('spam');
    expect((await stored(hidden)).status).toBe('open');
    expect((await db.models.SpamBlock.find({ inboxId: support }).lean()).map((x) => x.value)).toContain('spammer@junk.test');
    const domains = await bulkUpdateTickets(deps, agent(), { ids: [b], action: 'spam', value: 'domain' });
    expect(rows(domains)).toEqual(['VALIDATION_FAILED']);
    expect((await stored(b)).status).toBe('open');
    await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [b], action: 'spam', value: 'everyone' }), 'VALIDATION_FAILED');
  });

  it('adds and removes a tag, keeping the tags each ticket already had', async () => {
    const [a, b] = [await ticket(support, { tags: ['printer'] }), await ticket(support, { tags: ['vpn', 'urgent-customer'] })];
    expect(rows(await bulkUpdateTickets(deps, agent(), { ids: [a, b], action: 'addTag', value: '  VPN ' }))).toEqual(['ok', 'ok']);
    expect((await stored(a)).tags).toEqual(['printer', 'vpn']);
    // b had the tag already: left as it was, and still reported ok.
    expect((await stored(b)).tags).toEqual(['vpn', 'urgent-customer']);
    expect(rows(await bulkUpdateTickets(deps, agent(), { ids: [a, b], action: 'removeTag', value: 'Vpn' }))).toEqual(['ok', 'ok']);
    expect((await stored(a)).tags).toEqual(['printer']);
    expect((await stored(b)).tags).toEqual(['urgent-customer']);
    // Only the changes that changed something are on the trail: a's add and remove, b's remove.
    expect(await db.models.TicketEvent.countDocuments({ type: 'tags_changed', ticketId: a })).toBe(2);
    expect(await db.models.TicketEvent.countDocuments({ type: 'tags_changed', ticketId: b })).toBe(1);
  });

  it('merges the selected tickets into the one chosen, refusing on their rows those of another requester', async () => {
    const keep = await ticket(support);
    const [second, third] = [await ticket(support), await ticket(support)];
    const stranger = await ticket(support, { requester: { email: 'someone@else.test' } });
    const result = await bulkUpdateTickets(deps, agent(), { ids: [second, keep, stranger, third], action: 'merge', value: keep });
    expect(rows(result)).toEqual(['ok', 'ok', 'VALIDATION_FAILED', 'ok']);
    expect(errorOf(result, stranger).details?.issues).toMatchObject([{ key: 'errors:issue.merge.otherRequester' }]);
    for (const id of [second, third]) expect((await stored(id)).mergedIntoId?.toHexString()).toBe(keep);
    expect((await stored(keep)).mergedIntoId ?? null).toBeNull();
    expect((await stored(stranger)).mergedIntoId ?? null).toBeNull();
  });

  it('refuses a merge into a ticket the actor cannot see, as a whole and before touching any', async () => {
    const [mine, theirs] = [await ticket(support), await ticket(billing)];
    const err = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [mine], action: 'merge', value: theirs }), 'VALIDATION_FAILED');
    expect(err.details?.issues).toMatchObject([{ path: 'value', key: 'errors:issue.bulk.mergeTarget' }]);
    expect((await stored(mine)).mergedIntoId ?? null).toBeNull();
  });

  it('bounds the work: at most 100 tickets, at least one, a known action and a value it takes', async () => {
    const a = await ticket(support);
    const many = Array.from({ length: BULK_MAX_TICKETS + 1 }, () => a);
    const tooMany = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: many, action: 'status', value: 'open' }), 'VALIDATION_FAILED');
    expect(tooMany.details?.issues).toMatchObject([{ path: 'ids', key: 'errors:issue.bulk.tooMany', params: { max: 100 } }]);
    const none = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [], action: 'status', value: 'open' }), 'VALIDATION_FAILED');
    expect(none.details?.issues).toMatchObject([{ path: 'ids', key: 'errors:issue.bulk.none' }]);
    const unknown = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [a], action: 'delete', value: null }), 'VALIDATION_FAILED');
    expect(unknown.details?.issues).toMatchObject([{ path: 'action' }]);
    // Spam is its own action (it blocks the sender), never a bare status.
    const spam = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [a], action: 'status', value: 'spam' }), 'VALIDATION_FAILED');
    expect(spam.details?.issues).toMatchObject([{ path: 'value' }]);
    const emptyTag = await expectAppError(bulkUpdateTickets(deps, agent(), { ids: [a], action: 'addTag', value: '   ' }), 'VALIDATION_FAILED');
    expect(emptyTag.details?.issues).toMatchObject([{ path: 'value' }]);
    expect((await stored(a)).status).toBe('open');
    // The same id twice is one ticket, changed once.
    const twice = await bulkUpdateTickets(deps, agent(), { ids: [a, a], action: 'priority', value: 'high' });
    expect(twice.results).toHaveLength(1);
    expect(await db.models.TicketEvent.countDocuments({ ticketId: a, type: 'priority_changed' })).toBe(1);
  });
});
