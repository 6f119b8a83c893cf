import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import type { Migration } from './migration.js';

const BATCH = 500;

interface OldTicket extends Document {
  _id: ObjectId;
  inboxId: ObjectId;
  teamId?: ObjectId | null;
  access?: string[];
}

/**
 * Tickets learn teams and access keys: a ticket without a team gets its inbox's default team (none
 * when the inbox has none), and every ticket gets `access` (`inbox:<id>`, and `team:<id>` when it has
 * a team), by which agents' lists are scoped. Tickets that already have `access` are left as they
 * are, so a second run changes nothing.
 */
export const ticketTeams: Migration = {
  version: 3,
  name: 'ticket-teams',
  async up({ db, logger }) {
    const defaults = new Map<string, ObjectId | null>();
    for await (const inbox of db.collection('inboxes').find({}, { projection: { defaultTeamId: 1 } })) {
      defaults.set(String(inbox._id), (inbox.defaultTeamId as ObjectId | null | undefined) ?? null);
    }
    const tickets = db.collection<OldTicket>('tickets');
    let ops: AnyBulkWriteOperation<OldTicket>[] = [];
    let done = 0;
    const flush = async () => {
      if (ops.length > 0) await tickets.bulkWrite(ops, { ordered: false });
      done += ops.length;
      ops = [];
    };
    for await (const t of tickets.find({ access: { $exists: false } }, { projection: { inboxId: 1, teamId: 1 } })) {
      const teamId = t.teamId ?? defaults.get(String(t.inboxId)) ?? null;
      const access = teamId ? [`inbox:${String(t.inboxId)}`, `team:${String(teamId)}`] : [`inbox:${String(t.inboxId)}`];
      ops.push({ updateOne: { filter: { _id: t._id, access: { $exists: false } }, update: { $set: { teamId, access } } } });
      if (ops.length >= BATCH) await flush();
    }
    await flush();
    if (done > 0) logger.info({ tickets: done }, 'gave tickets their inbox’s default team and access keys');
  },
};
