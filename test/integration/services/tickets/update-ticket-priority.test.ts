import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { createCategory, archiveCategory } from '../../../../src/services/categories/categories.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import { invalidFields } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: UpdateTicketDeps;
const admin: Actor = { userId: new Types.ObjectId(), role: 'admin', inboxIds: [] };
let inboxId: Types.ObjectId;
let otherInboxId: Types.ObjectId;
let agent: Actor;
let number = 0;
const refreshed: string[] = [];

beforeAll(async () => {
  db = await openTestDb('update_ticket_priority');
  deps = { ...db.stores, scheduler: noJobs, now: () => new Date(), refreshSla: async (id) => void refreshed.push(id.toHexString()) };
  const mk = (k: string) => db.models.Inbox.create({ name: k, address: `${k}@priority.test`, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  inboxId = (await mk('a'))._id;
  otherInboxId = (await mk('b'))._id;
  agent = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [inboxId] };
});
afterAll(() => db.drop());

/** A ticket as an older version stored it: no category, impact, urgency or override fields at all. */
async function oldTicket(): Promise<string> {
  number += 1;
  const { insertedId } = await db.models.Ticket.collection.insertOne({
    number, inboxId, subject: `Case ${number}`, baseSubject: `case ${number}`, status: 'open', priority: 'normal', requester: { email: 'c@customer.test' },
    participants: [], tags: [], messageCount: 1, lastActivityAt: new Date(), linkedTicketIds: [], flags: { autoSubmitted: false }, sla: { pausedSeconds: 0, escalationLevel: 0, done: [] },
    createdAt: new Date(), updatedAt: new Date(),
  });
  return insertedId.toHexString();
}
const trail = async (id: string) => (await db.models.TicketEvent.find({ ticketId: new Types.ObjectId(id) }).sort({ _id: 1 }).lean()).map((e) => ({ type: e.type, data: e.data }));

describe('updateTicket: impact, urgency, priority and category', () => {
  it('reads a ticket stored without the new fields as not classified', async () => {
    const id = await oldTicket();
    expect(await updateTicket(deps, agent, id, {})).toMatchObject({ categoryId: null, impact: null, urgency: null, priorityOverridden: false, priority: 'normal' });
  });

  it('priority follows impact × urgency, on the trail', async () => {
    const id = await oldTicket();
    expect(await updateTicket(deps, agent, id, { impact: 'high', urgency: 'high' })).toMatchObject({ impact: 'high', urgency: 'high', priority: 'urgent', priorityOverridden: false });
    expect(await trail(id)).toEqual([
      { type: 'impact_urgency_changed', data: { from: { impact: null, urgency: null }, to: { impact: 'high', urgency: 'high' } } },
      { type: 'priority_changed', data: { from: 'normal', to: 'urgent', source: 'matrix' } },
    ]);
    expect(refreshed).toContain(id);
  });

  it('a priority set by hand is kept when impact or urgency change again, until the matrix is followed again', async () => {
    const id = await oldTicket();
    await updateTicket(deps, agent, id, { impact: 'low', urgency: 'low' });
    expect(await updateTicket(deps, agent, id, { priority: 'high' })).toMatchObject({ priority: 'high', priorityOverridden: true });
    expect(await updateTicket(deps, agent, id, { impact: 'high', urgency: 'high', priority: 'high' })).toMatchObject({ impact: 'high', urgency: 'high', priority: 'high', priorityOverridden: true });
    expect(await updateTicket(deps, agent, id, { priorityOverridden: false })).toMatchObject({ priority: 'urgent', priorityOverridden: false });
    const types = (await trail(id)).map((e) => [e.type, e.data.source ?? null]);
    expect(types).toEqual([
      ['impact_urgency_changed', null],
      ['priority_changed', 'matrix'],
      ['priority_changed', 'manual'],
      ['impact_urgency_changed', null],
      ['priority_follows_matrix', null],
      ['priority_changed', 'matrix'],
    ]);
  });

  it('takes a category of its inbox or of every inbox, not another inbox’s nor an archived one', async () => {
    const id = await oldTicket();
    const global = await createCategory(db.stores, admin, { name: 'Facturation' });
    const own = await createCategory(db.stores, admin, { name: 'Accès', inboxId: inboxId.toHexString() });
    const foreign = await createCategory(db.stores, admin, { name: 'Ailleurs', inboxId: otherInboxId.toHexString() });
    expect(await updateTicket(deps, agent, id, { categoryId: own.id })).toMatchObject({ categoryId: own.id });
    expect(await updateTicket(deps, agent, id, { categoryId: global.id })).toMatchObject({ categoryId: global.id });
    expect(await invalidFields(updateTicket(deps, agent, id, { categoryId: foreign.id }))).toEqual(['categoryId']);
    expect(await invalidFields(updateTicket(deps, agent, id, { categoryId: 'nope' }))).toEqual(['categoryId']);
    await archiveCategory(db.stores, admin, own.id);
    expect(await invalidFields(updateTicket(deps, agent, id, { categoryId: own.id }))).toEqual(['categoryId']);
    // A ticket keeps an archived category it already has.
    await archiveCategory(db.stores, admin, global.id);
    expect(await updateTicket(deps, agent, id, { categoryId: global.id, tags: ['x'] })).toMatchObject({ categoryId: global.id, tags: ['x'] });
    expect(await updateTicket(deps, agent, id, { categoryId: null })).toMatchObject({ categoryId: null });
    const categoryEvents = (await trail(id)).filter((e) => e.type === 'category_changed').map((e) => e.data.name ?? null);
    expect(categoryEvents).toEqual(['Accès', 'Facturation', null]);
  });
});
