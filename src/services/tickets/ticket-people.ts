import type { Types } from 'mongoose';
import { withHandles } from '../../domain/mentions.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';

/** An active user who can see a ticket, with the handle that mentions them in a note (src/domain/mentions.ts). */
export interface TicketPerson {
  _id: Types.ObjectId;
  name: string | null;
  email: string;
  handle: string;
}

/** What finding the people of a ticket needs. */
export interface TicketPeopleDeps {
  users: Pick<UserStore, 'listNamedOrAssignable'>;
  teams: Pick<TeamStore, 'findById'>;
}

/**
 * The active users who can see a ticket (every admin, its inbox's members and its team's members),
 * by name, each with their mention handle. Two reads: the ticket's team, then the users.
 */
export async function listTicketPeople(deps: TicketPeopleDeps, ticket: { inboxId: Types.ObjectId; teamId?: Types.ObjectId | null }): Promise<TicketPerson[]> {
  const team = ticket.teamId ? await deps.teams.findById(ticket.teamId) : null;
  const users = await deps.users.listNamedOrAssignable(team?.memberIds ?? [], ticket.inboxId);
  return withHandles(users.filter((u) => !u.disabled).map((u) => ({ _id: u._id, name: u.name ?? null, email: u.email })));
}
