import type { Types } from 'mongoose';
import type { UserStore } from '../../store/user-store.js';
import { parseObjectId } from '../access.js';

/** A user as the pages name them. */
export interface UserLabel {
  id: string;
  label: string;
  /** Marked away (the ticket page's assignee list says so); absent where it is not read. */
  away?: boolean;
}

const labelOf = (u: { _id: Types.ObjectId; name?: string | null; email: string }): UserLabel => ({ id: u._id.toHexString(), label: u.name || u.email });

/** The active users a ticket of this inbox can be assigned to: its members and every admin (as update-ticket allows). */
export async function listAssignees(deps: { users: Pick<UserStore, 'listAssignable'> }, inboxId: Types.ObjectId): Promise<UserLabel[]> {
  const users = await deps.users.listAssignable(inboxId);
  return users.map(labelOf);
}

/**
 * The active users a ticket of one of these inboxes can be assigned to (the list page's bulk assign):
 * their members and every admin. Whether one fits a given ticket is updateTicket's to say.
 */
export async function listBulkAssignees(deps: { users: Pick<UserStore, 'listAssignableToAny'> }, inboxIds: readonly string[]): Promise<UserLabel[]> {
  const users = await deps.users.listAssignableToAny(inboxIds.map(parseObjectId).filter((id): id is Types.ObjectId => id !== null));
  return users.map(labelOf);
}

/** Display names of the given users by id (hex); unknown ids are left out. */
export async function userLabels(deps: { users: Pick<UserStore, 'listLabelsByIds'> }, ids: Array<string | null | undefined>): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id)))];
  if (wanted.length === 0) return new Map();
  const users = await deps.users.listLabelsByIds(wanted);
  return new Map(users.map((u) => [u._id.toHexString(), labelOf(u).label]));
}
