import type { Types } from 'mongoose';
import { ACTIVE_TICKET_STATUSES } from '../domain/ticket-status.js';
import type { Models } from './models/index.js';
import type { TicketDoc } from './models/ticket.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

/** A ticket as auto-assignment weighs it. */
export type AssignableTicketRow = Pick<TicketDoc, '_id' | 'number' | 'subject' | 'inboxId' | 'teamId' | 'status' | 'assigneeId' | 'mergedIntoId' | 'assignment'>;

const ASSIGNABLE_FIELDS = { number: 1, subject: 1, inboxId: 1, teamId: 1, status: 1, assigneeId: 1, mergedIntoId: 1, assignment: 1 } as const;

/** What a ticket must still be for auto-assignment to give it to someone: unassigned, active, unmerged, in the team. */
const assignable = (teamId: Types.ObjectId) => ({ teamId, assigneeId: null, mergedIntoId: null, status: { $in: [...ACTIVE_TICKET_STATUSES] } });

/**
 * The ticket writes of auto-assignment (services/teams/auto-assign-ticket.ts): a team's open tickets
 * per member, its tickets waiting for a free agent, and the conditional writes that assign a ticket or
 * mark it waiting.
 */
export function createTicketAssignmentWrites(models: Pick<Models, 'Ticket' | 'TicketEvent'>) {
  const { Ticket } = models;
  return {
    /** One ticket as auto-assignment weighs it; null when there is none. */
    findAssignable(id: Types.ObjectId): Promise<AssignableTicketRow | null> {
      return Ticket.findById(id, ASSIGNABLE_FIELDS).lean<AssignableTicketRow>().exec();
    },

    /**
     * The active (new, open, pending, with partner), unmerged tickets of a team per assignee, as hex ids
     * (members with none are left out). One aggregation on the team's status index.
     */
    async countOpenOfTeamByAssignee(teamId: Types.ObjectId): Promise<Map<string, number>> {
      const rows = await Ticket.aggregate<{ _id: Types.ObjectId | null; n: number }>([
        { $match: { teamId, status: { $in: [...ACTIVE_TICKET_STATUSES] }, mergedIntoId: null, assigneeId: { $ne: null } } },
        { $group: { _id: '$assigneeId', n: { $sum: 1 } } },
      ]);
      return new Map(rows.filter((r) => r._id).map((r) => [r._id!.toHexString(), r.n]));
    },

    /** The team's tickets waiting for a free agent, oldest wait first (stale marks included: the caller checks). */
    listWaitingOfTeam(teamId: Types.ObjectId, limit: number): Promise<AssignableTicketRow[]> {
      return Ticket.find({ 'assignment.waitingTeamId': teamId }, ASSIGNABLE_FIELDS)
        .sort({ 'assignment.waitingTeamId': 1, 'assignment.since': 1, _id: 1 })
        .limit(limit)
        .lean<AssignableTicketRow[]>()
        .exec();
    },

    /** Whether any ticket waits for a free agent of this team. */
    async hasWaitingOfTeam(teamId: Types.ObjectId): Promise<boolean> {
      return (await Ticket.exists({ 'assignment.waitingTeamId': teamId })) !== null;
    },

    /**
     * Gives the ticket to `assigneeId` if it is still unassigned, active, unmerged and in the team, taking
     * any waiting mark off; then records the trail entry. False when the ticket changed meanwhile.
     */
    async assignIfUnassigned(id: Types.ObjectId, teamId: Types.ObjectId, assigneeId: Types.ObjectId, event: Omit<TrailEventInput, 'ticketId'>): Promise<boolean> {
      const res = await Ticket.updateOne({ _id: id, ...assignable(teamId) }, { $set: { assigneeId, assignment: null } });
      if (res.modifiedCount === 0) return false;
      await recordEvents(models, [{ ...event, ticketId: id }]);
      return true;
    },

    /**
     * Marks the ticket waiting for a free agent of the team, if it is still assignable and not already
     * waiting for it (a ticket keeps its place in the queue); the trail entry is recorded the first time.
     * True when it waits (now or already).
     */
    async markWaiting(id: Types.ObjectId, teamId: Types.ObjectId, since: Date, event: Omit<TrailEventInput, 'ticketId'>): Promise<boolean> {
      const res = await Ticket.updateOne(
        { _id: id, ...assignable(teamId), 'assignment.waitingTeamId': { $ne: teamId } },
        { $set: { assignment: { waitingTeamId: teamId, since } } },
      );
      if (res.modifiedCount > 0) {
        await recordEvents(models, [{ ...event, ticketId: id }]);
        return true;
      }
      return (await Ticket.exists({ _id: id, ...assignable(teamId), 'assignment.waitingTeamId': teamId })) !== null;
    },

    /** Takes a stale waiting mark off (the ticket was assigned, solved or moved by a write that kept it). */
    async clearWaiting(id: Types.ObjectId): Promise<void> {
      await Ticket.updateOne({ _id: id }, { $set: { assignment: null } });
    },
  };
}
