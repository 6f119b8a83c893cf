import type { Types } from 'mongoose';
import type { PresenceState } from '../../domain/presence.js';
import type { Models } from '../../store/models/index.js';
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
  deps: { models: Models; now: () => Date },
  actor: Actor,
  ticketId: string,
  state: PresenceState,
): Promise<PresenceView[]> {
  const ticket = await visibleTicket(deps.models, actor, ticketId);
  const others = await recordPresence(deps, actor, ticket._id, state);
  if (others.length === 0) return [];
  const users = await deps.models.User.find({ _id: { $in: others.map((e) => e.userId) }, disabled: false }).select({ name: 1, email: 1 }).lean();
  return presenceViews(others, users);
}

/**
 * The write half of {@link trackPresence}, for a ticket the caller has checked: records the actor's
 * presence and returns the other users' entries still within the window, unnamed.
 */
export async function recordPresence(
  deps: { models: Pick<Models, 'TicketPresence'>; now: () => Date },
  actor: Actor,
  ticketId: Types.ObjectId,
  state: PresenceState,
): Promise<Array<{ userId: Types.ObjectId; state: PresenceState }>> {
  const now = deps.now();
  if (actor.userId) {
    const write = () =>
      deps.models.TicketPresence.updateOne(
        { ticketId, userId: actor.userId },
        { $set: { state, seenAt: now, expiresAt: new Date(now.getTime() + PRESENCE_WINDOW_MS) } },
        { upsert: true },
      );
    // Two first heartbeats at once both try to insert; the loser's retry updates the winner's entry.
    await write().catch((err: { code?: number }) => (err.code === 11000 ? write() : Promise.reject(err)));
  }
  return deps.models.TicketPresence.find({ ticketId, userId: { $ne: actor.userId }, expiresAt: { $gt: now } }, { userId: 1, state: 1 }).lean();
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
