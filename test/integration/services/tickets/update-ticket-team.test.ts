import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../../../src/services/access.js';
import { countViews } from '../../../../src/services/tickets/count-views.js';
import { getTicket } from '../../../../src/services/tickets/get-ticket.js';
import { listTickets } from '../../../../src/services/tickets/list-tickets.js';
import { updateTicket, type UpdateTicketDeps } from '../../../../src/services/tickets/update-ticket.js';
import { invalidFields } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';
import { noJobs } from '../../../helpers/use-case-deps.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: UpdateTicketDeps;
let inboxId: Types.ObjectId;
let agent: Actor;
let l2Member: Actor;
let l2: Types.ObjectId;
let elsewhere: Types.ObjectId;

beforeAll(async () => {
  db = await openTestDb('update_ticket_team');
  deps = { ...db.stores, scheduler: noJobs, now: () => new Date(), refreshSla: async () => {} };
  const mk = (k: string) => db.models.Inbox.create({ name: k, address: `${k}@team.test`, imap: { host: 'imap.test', port: 993 }, smtp: { host: 'smtp.test', port: 465 } });
  inboxId = (await mk('a'))._id;
  const other = (await mk('b'))._id;
  agent = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [inboxId] };
  const memberId = new Types.ObjectId();
  l2 = (await db.stores.teams.create({ name: 'Network', level: 'L2', memberIds: [memberId], inboxIds: [inboxId] }))._id;
  elsewhere = (await db.stores.teams.create({ name: 'Billing', level: 'L1', memberIds: [], inboxIds: [other] }))._id;
  // A member of the L2 team, not of the inbox: sees the ticket through its team only.
  l2Member = { userId: memberId, role: 'agent', inboxIds: [], teamIds: [l2] };
});
afterAll(() => db.drop());

let number = 0;
async function newTicket(): Promise<string> {
  number += 1;
  const { insertedId } = await db.models.Ticket.collection.insertOne({
    number, inboxId, subject: 'Router down', baseSubject: 'router down', status: 'open', priority: 'normal', requester: { email: 'c@customer.test' },
    participants: [], tags: [], messageCount: 1, lastActivityAt: new Date(), linkedTicketIds: [], flags: { autoSubmitted: false }, sla: { pausedSeconds: 0, escalationLevel: 0, done: [] },
    access: [`inbox:${inboxId.toHexString()}`], mergedIntoId: null, createdAt: new Date(), updatedAt: new Date(),
  });
  return insertedId.toHexString();
}

describe('updateTicket: team', () => {
  it('moves a ticket to a team of its inbox, so the team sees it, and clears it again', async () => {
    const id = await newTicket();
    const seeDeps = { ...db.stores, now: () => new Date() };
    expect((await listTickets(seeDeps, l2Member, { teams: 'mine', status: 'active' })).items).toHaveLength(0);

    expect(await updateTicket(deps, agent, id, { teamId: l2.toHexString() })).toMatchObject({ teamId: l2.toHexString(), level: 'L2' });
    const stored = await db.models.Ticket.findById(id).lean();
    expect(stored?.access).toEqual([`inbox:${inboxId.toHexString()}`, `team:${l2.toHexString()}`]);
    const events = await db.models.TicketEvent.find({ ticketId: new Types.ObjectId(id), type: 'team_changed' }).lean();
    expect(events.map((e) => e.data)).toEqual([{ from: null, to: l2, name: 'Network', level: 'L2' }]);

    // The team's member now sees it: on its page, in My teams, with a count matching the list.
    expect((await getTicket(db.stores, l2Member, id)).teamId).toBe(l2.toHexString());
    const mine = await listTickets(seeDeps, l2Member, { teams: 'mine', status: 'active' });
    expect(mine.items.map((t) => t.id)).toEqual([id]);
    const views = await countViews(seeDeps, l2Member);
    expect(views.map((v) => v.name)).toEqual(['mine', 'teams', 'unassigned', 'all', 'breaching', 'snoozed', 'spam']);
    expect(views.find((v) => v.name === 'teams')).toMatchObject({ count: 1, filters: { teams: 'mine', status: 'active' } });
    // Without a team: no My teams view, and its list is empty.
    expect((await countViews(seeDeps, agent)).map((v) => v.name)).not.toContain('teams');
    expect((await listTickets(seeDeps, agent, { teams: 'mine' })).items).toEqual([]);

    expect(await updateTicket(deps, agent, id, { teamId: null })).toMatchObject({ teamId: null, level: null });
    expect((await db.models.Ticket.findById(id).lean())?.access).toEqual([`inbox:${inboxId.toHexString()}`]);
    expect((await countViews(seeDeps, l2Member)).find((v) => v.name === 'teams')?.count).toBe(0);
    expect(await db.models.TicketEvent.countDocuments({ ticketId: new Types.ObjectId(id), type: 'team_changed' })).toBe(2);
  });

  it('refuses a team that does not work the ticket inbox, or no team id at all', async () => {
    const id = await newTicket();
    expect(await invalidFields(updateTicket(deps, agent, id, { teamId: elsewhere.toHexString() }))).toEqual(['teamId']);
    expect(await invalidFields(updateTicket(deps, agent, id, { teamId: 'nope' }))).toEqual(['teamId']);
    expect(await invalidFields(updateTicket(deps, agent, id, { teamId: new Types.ObjectId().toHexString() }))).toEqual(['teamId']);
  });

  it('keeps a team that no longer works the inbox when the page sends it back unchanged (regression: saving the sidebar cleared it)', async () => {
    const id = await newTicket();
    await updateTicket(deps, agent, id, { teamId: l2.toHexString() });
    await db.models.Team.updateOne({ _id: l2 }, { $set: { inboxIds: [] } });
    try {
      await updateTicket(deps, agent, id, { teamId: l2.toHexString(), priority: 'high' });
      const stored = await db.models.Ticket.findById(id).lean();
      expect(stored?.teamId).toEqual(l2);
      expect(stored?.priority).toBe('high');
    } finally {
      await db.models.Team.updateOne({ _id: l2 }, { $set: { inboxIds: [inboxId] } });
    }
  });
});
