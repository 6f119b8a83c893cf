import type { Types } from 'mongoose';
import type { Models } from './models/index.js';

/** A ticket's planned SLA clock state, by the dotted paths it is stored at (the rest of the clock state stays). */
export interface SlaClockFields {
  'sla.firstResponseDueAt': Date | null;
  'sla.nextResponseDueAt': Date | null;
  'sla.resolutionDueAt': Date | null;
  'sla.pausedAt': Date | null;
  'sla.pausedSeconds': number;
  'sla.nextDueAt': Date | null;
}

/** The ticket store's writes of SLA clock state (due times, breaches, the events acted on). */
export function createTicketSlaWrites(models: Pick<Models, 'Ticket'>) {
  return {
    /** Stores a ticket's re-planned SLA clocks. */
    async setSlaClocks(ticketId: Types.ObjectId, clocks: SlaClockFields): Promise<void> {
      await models.Ticket.updateOne({ _id: ticketId }, { $set: clocks });
    },

    /** {@link setSlaClocks} for several tickets in one round trip. */
    async setSlaClocksMany(plans: ReadonlyArray<{ ticketId: Types.ObjectId; clocks: SlaClockFields }>): Promise<void> {
      await models.Ticket.bulkWrite(plans.map((p) => ({ updateOne: { filter: { _id: p.ticketId }, update: { $set: p.clocks } } })), { ordered: false });
    },

    /** Records when a ticket first breached its SLA; a later breach leaves that time. */
    async markSlaBreached(ticketId: Types.ObjectId, at: Date): Promise<void> {
      await models.Ticket.updateOne({ _id: ticketId, 'sla.breachedAt': null }, { $set: { 'sla.breachedAt': at } });
    },

    /** Marks an SLA event (by its key) acted on, so it happens once; an escalation also raises the ticket's level to `escalationLevel`. */
    async markSlaEventDone(ticketId: Types.ObjectId, eventKey: string, escalationLevel?: number): Promise<void> {
      await models.Ticket.updateOne(
        { _id: ticketId },
        { $addToSet: { 'sla.done': eventKey }, ...(escalationLevel !== undefined ? { $max: { 'sla.escalationLevel': escalationLevel } } : {}) },
      );
    },
  };
}
