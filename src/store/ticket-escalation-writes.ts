import type { Types } from 'mongoose';
import { ticketAccessKeys } from '../domain/teams.js';
import type { Models } from './models/index.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

/** One escalation of a ticket to another team, as services/tickets/escalate-ticket.ts decided it. */
export interface EscalationWrite {
  inboxId: Types.ObjectId;
  /** The team the ticket had when it was read (null: none); the write is refused if that changed since. */
  fromTeamId: Types.ObjectId | null;
  toTeamId: Types.ObjectId;
  /** The teams it stays visible to, read-only (domain/escalation.ts escalatedFromAfter). */
  escalatedFromTeamIds: Types.ObjectId[];
  /** Cleared (null) when the assignee is not a member of the new team; undefined: kept. */
  assigneeId?: null;
  /** When: the SLA clocks count from here (`sla.levelSince`). */
  at: Date;
  /** Whether the clocks are paused now (pending, spam): the pause then starts over at `at`. */
  paused: boolean;
}

/** The ticket store's write of an escalation between levels. */
export function createTicketEscalationWrites(models: Pick<Models, 'Ticket' | 'TicketEvent'>) {
  return {
    /**
     * Moves an unmerged ticket to its new team in one update, if its team is still the one read:
     * access keys rewritten (the new team's and those escalated from), the assignee cleared when asked,
     * and its SLA started over at `at` (pause total and ladder level reset, breach mark cleared; the
     * trail keeps the old breach). Then records the trail entries. False when the ticket changed.
     */
    async escalate(ticketId: Types.ObjectId, write: EscalationWrite, events: TrailEventInput[]): Promise<boolean> {
      const res = await models.Ticket.updateOne(
        { _id: ticketId, teamId: write.fromTeamId, mergedIntoId: null },
        {
          $set: {
            teamId: write.toTeamId,
            escalatedFromTeamIds: write.escalatedFromTeamIds,
            access: ticketAccessKeys(write.inboxId, write.toTeamId, write.escalatedFromTeamIds),
            ...(write.assigneeId === null ? { assigneeId: null } : {}),
            'sla.levelSince': write.at,
            'sla.pausedSeconds': 0,
            'sla.pausedAt': write.paused ? write.at : null,
            'sla.escalationLevel': 0,
            'sla.breachedAt': null,
          },
        },
      );
      if (res.matchedCount === 0) return false;
      await recordEvents(models, events);
      return true;
    },
  };
}
