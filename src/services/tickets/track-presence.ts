import type { Types } from 'mongoose';
import type { PresenceState } from '../../domain/presence.js';
import type { PresenceStore } from '../../store/presence-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { visibleTicket } from './visible-ticket.js';

/** How long a heartbeat keeps a user listed; the ticket page's script beats every 20 s. */
export const PRESENCE_WINDOW_MS = 60_000;

/** Another user who has the ticket open. */
export interface PresenceView {
  userId: string;
  name: string;
  state: PresenceState;
}

/**
 * Records that the actor has the ticket open (`viewing`) or is writing a reply (`replying`), and
 * returns the other active users seen on it within the last {@link PRESENCE_WINDOW_MS}, by name.
 * NOT_FOUND for a ticket the actor cannot see.
 */
export async function trackPresence(
  deps: { tickets: Pick<TicketStore, 'findById'>; presence: Pick<PresenceStore, 'beat' | 'listOthers'>; users: Pick<UserStore, 'listActiveLabelsByIds'>; now: () => Date },
  actor: Actor,
  ticketId: string,
  state: PresenceState,
): Promise<PresenceView[]> {
  const ticket = await visibleTicket(deps.tickets, actor, ticketId);
  const others = await recordPresence(deps, actor, ticket._id, state);
  if (others.length === 0) return [];
  const users = await deps.users.listActiveLabelsByIds(others.map((e) => e.userId));
  return presenceViews(others, users);
}

/**
 * The write half of {@link trackPresence}, for a ticket the caller has checked: records the actor's
 * presence and returns the other users' entries still within the window, unnamed.
 */
export async function recordPresence(
  deps: { presence: Pick<PresenceStore, 'beat' | 'listOthers'>; now: () => Date },
  actor: Actor,
  ticketId: Types.ObjectId,
  state: PresenceState,
): Promise<Array<{ userId: Types.ObjectId; state: PresenceState }>> {
  const now = deps.now();
  if (actor.userId) await deps.presence.beat(ticketId, actor.userId, { state, seenAt: now, expiresAt: new Date(now.getTime() + PRESENCE_WINDOW_MS) });
  return deps.presence.listOthers(ticketId, actor.userId, now);
}

/** The entries of {@link recordPresence} named by their users (active ones only), by name. */
export function presenceViews(
  entries: ReadonlyArray<{ userId: Types.ObjectId; state: PresenceState }>,
  users: ReadonlyArray<{ _id: Types.ObjectId; name?: string | null; email: string; disabled?: boolean }>,
): PresenceView[] {
  const names = new Map(users.filter((u) => !u.disabled).map((u) => [u._id.toHexString(), u.name || u.email]));
  return entries
    .flatMap((e) => {
      const name = names.get(e.userId.toHexString());
      return name ? [{ userId: e.userId.toHexString(), name, state: e.state }] : [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
