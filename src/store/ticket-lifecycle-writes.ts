import type { Types } from 'mongoose';
import { transition } from '../domain/ticket.js';
import type { SnoozeWakeReason } from '../domain/lifecycle.js';
import { LIFECYCLE_BACKFILL_COLLECTION } from './migrations/0005-ticket-lifecycle.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

/** What the lifecycle rules read of a ticket. */
const LIFECYCLE_FIELDS = { number: 1, subject: 1, inboxId: 1, teamId: 1, status: 1, solvedAt: 1, pendingSince: 1, lifecycleDone: 1, assigneeId: 1, mergedIntoId: 1, snoozed: 1, snooze: 1 } as const;

/** A ticket as the lifecycle rules read it. */
export type LifecycleRow = Pick<TicketDoc, '_id' | keyof typeof LIFECYCLE_FIELDS>;

/** A snooze as stored on the ticket. */
export type StoredSnooze = NonNullable<TicketDoc['snooze']>;

/**
 * The ticket store's writes of lifecycle automation (domain/lifecycle.ts): auto-close, snoozes and
 * their wake-up. Each is one conditional update, so a job that runs twice, or runs after an agent
 * or a customer changed the ticket, changes nothing; its trail entry is recorded only by the update
 * that changed the ticket.
 */
export function createTicketLifecycleWrites(models: Pick<Models, 'Ticket' | 'TicketEvent'>) {
  const { Ticket } = models;
  const backfill = () => Ticket.db.db!.collection<{ _id: Types.ObjectId }>(LIFECYCLE_BACKFILL_COLLECTION);
  return {
    /** Tickets by id as the lifecycle rules read them; missing ones are left out. */
    async listLifecycleByIds(ids: readonly Types.ObjectId[]): Promise<LifecycleRow[]> {
      return Ticket.find({ _id: { $in: ids } }, LIFECYCLE_FIELDS).lean<LifecycleRow[]>();
    },

    /**
     * Closes the ticket if it is still solved since `solvedAt` and not merged (the status rule:
     * closedAt set, solvedAt kept), then records `event`. False when the ticket changed meanwhile.
     */
    async closeIfStillSolved(id: Types.ObjectId, solvedAt: Date, at: Date, event: TrailEventInput): Promise<boolean> {
      const change = transition({ status: 'solved', solvedAt }, 'closed', at)!;
      const res = await Ticket.updateOne({ _id: id, status: 'solved', solvedAt, mergedIntoId: null }, { $set: change });
      if (res.modifiedCount === 0) return false;
      await recordEvents(models, [event]);
      return true;
    },

    /** Records a lifecycle step as done (a reminder sent, an auto-close given up), so its period does not run it again. */
    async markLifecycleDone(id: Types.ObjectId, key: string): Promise<void> {
      await Ticket.updateOne({ _id: id }, { $addToSet: { lifecycleDone: key } });
    },

    /** Snoozes an unmerged ticket (replacing a snooze it has) and clears its "back from snooze" mark; false when it is merged or gone. */
    async snooze(id: Types.ObjectId, snooze: StoredSnooze, event: TrailEventInput): Promise<boolean> {
      const res = await Ticket.updateOne({ _id: id, mergedIntoId: null }, { $set: { snoozed: true, snooze }, $unset: { wokeFromSnooze: 1 } });
      if (res.matchedCount === 0) return false;
      await recordEvents(models, [event]);
      return true;
    },

    /** Ends a ticket's snooze by hand; false when it was not snoozed. */
    async unsnooze(id: Types.ObjectId, event: TrailEventInput): Promise<boolean> {
      const res = await Ticket.updateOne({ _id: id, snoozed: true }, { $unset: { snoozed: 1, snooze: 1 } });
      if (res.modifiedCount === 0) return false;
      await recordEvents(models, [event]);
      return true;
    },

    /**
     * Brings a snoozed ticket back: the snooze made at `snoozedAt` ends (a newer one is left alone), the
     * ticket is marked as back from snooze and moves up the lists (its last activity becomes `at`
     * unless later). Records `event` when it changed the ticket.
     */
    async wakeSnoozed(id: Types.ObjectId, snoozedAt: Date, reason: SnoozeWakeReason, at: Date, event: TrailEventInput): Promise<boolean> {
      const res = await Ticket.updateOne(
        { _id: id, snoozed: true, 'snooze.at': snoozedAt },
        { $unset: { snoozed: 1, snooze: 1 }, $set: { wokeFromSnooze: { at, reason } }, $max: { lastActivityAt: at } },
      );
      if (res.modifiedCount === 0) return false;
      await recordEvents(models, [event]);
      return true;
    },

    /** Up to `limit` tickets stored before lifecycle automation whose jobs are still to plan (listed by migration 5). */
    async listLifecycleBackfill(limit: number): Promise<Types.ObjectId[]> {
      const rows = await backfill().find({}, { projection: { _id: 1 } }).limit(limit).toArray();
      return rows.map((r) => r._id);
    },

    /** These tickets' lifecycle jobs are planned: they leave the backfill list. */
    async dropLifecycleBackfill(ids: readonly Types.ObjectId[]): Promise<void> {
      if (ids.length > 0) await backfill().deleteMany({ _id: { $in: [...ids] } });
    },

    /** Takes the "back from snooze" mark off a ticket: someone acted on it. */
    async clearSnoozeMark(id: Types.ObjectId): Promise<void> {
      await Ticket.updateOne({ _id: id, wokeFromSnooze: { $ne: null } }, { $unset: { wokeFromSnooze: 1 } });
    },
  };
}
