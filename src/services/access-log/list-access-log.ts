import { Types } from 'mongoose';
import { accessLogCursor, parseAccessLogFilter, type AccessAction, type AccessLogQuery } from '../../domain/access-log.js';
import { AppError } from '../../domain/errors.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';

/** Entries per page when the caller names no limit, and the most a page may hold. */
export const ACCESS_LOG_PAGE = 50;
const MAX_PAGE = 200;

/** One entry as the page and the API show it: ids, with the names an admin reads them by. */
export interface AccessLogEntryView {
  id: string;
  at: Date;
  action: AccessAction;
  /** Null: the system (a job). `name` is the user's name, else their address; null when the user is gone. */
  user: { id: string; name: string | null } | null;
  /** `number` is null when the ticket is gone (deleted by retention, say). */
  ticket: { id: string; number: number | null } | null;
  inbox: { id: string; name: string | null } | null;
  contactId: string | null;
  detail: string | null;
}

/** A page of the access log, newest first; `nextCursor` names the following page (null on the last). */
export interface AccessLogPage {
  items: AccessLogEntryView[];
  nextCursor: string | null;
}

/** The access log is for admins only: it tells who looked at what across every inbox. */
export function requireAccessLogAccess(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'The access log is for admins.', { key: 'forbidden.adminOnly' });
}

/**
 * The access log, newest first, a page at a time (keyset paging), for admins (FORBIDDEN otherwise):
 * filtered by user, action, ticket number and period (see domain/access-log.ts parseAccessLogFilter,
 * read in `timeZone`). A ticket number no ticket has gives an empty page.
 */
export async function listAccessLog(
  deps: {
    accessLog: Pick<AccessLogStore, 'list'>;
    tickets: Pick<TicketStore, 'findIdByNumber' | 'listRefs'>;
    users: Pick<UserStore, 'listLabelsByIds'>;
    inboxes: Pick<InboxStore, 'listNamesByIds'>;
  },
  actor: Actor,
  query: AccessLogQuery,
  opts: { timeZone: string; limit?: number },
): Promise<AccessLogPage> {
  requireAccessLogAccess(actor);
  const filter = parseAccessLogFilter(query, { timeZone: opts.timeZone });
  const limit = Math.min(Math.max(Math.trunc(opts.limit ?? ACCESS_LOG_PAGE) || ACCESS_LOG_PAGE, 1), MAX_PAGE);
  const ticket = filter.ticketNumber === null ? null : await deps.tickets.findIdByNumber(filter.ticketNumber);
  if (filter.ticketNumber !== null && !ticket) return { items: [], nextCursor: null };

  const docs = await deps.accessLog.list({
    ...(filter.userId ? { userId: new Types.ObjectId(filter.userId) } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(ticket ? { ticketId: ticket._id } : {}),
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
    ...(filter.before ? { before: { at: filter.before.at, id: new Types.ObjectId(filter.before.id) } } : {}),
    limit: limit + 1,
  });
  const page = docs.slice(0, limit);
  const ids = (pick: (d: (typeof page)[number]) => Types.ObjectId | null) => [...new Map(page.flatMap((d) => (pick(d) ? [[pick(d)!.toHexString(), pick(d)!] as const] : []))).values()];
  const [users, tickets, inboxes] = await Promise.all([
    deps.users.listLabelsByIds(ids((d) => d.userId)),
    deps.tickets.listRefs(ids((d) => d.ticketId)),
    deps.inboxes.listNamesByIds(ids((d) => d.inboxId)),
  ]);
  const userNames = new Map(users.map((u) => [u._id.toHexString(), u.name || u.email]));
  const numbers = new Map(tickets.map((t) => [t._id.toHexString(), t.number]));
  const inboxNames = new Map(inboxes.map((i) => [i._id.toHexString(), i.name]));
  const hex = (id: Types.ObjectId | null) => id?.toHexString() ?? null;

  const items = page.map((d): AccessLogEntryView => {
    const [userId, ticketId, inboxId] = [hex(d.userId), hex(d.ticketId), hex(d.inboxId)];
    return {
      id: d._id.toHexString(),
      at: d.at,
      action: d.action,
      user: userId ? { id: userId, name: userNames.get(userId) ?? null } : null,
      ticket: ticketId ? { id: ticketId, number: numbers.get(ticketId) ?? null } : null,
      inbox: inboxId ? { id: inboxId, name: inboxNames.get(inboxId) ?? null } : null,
      contactId: hex(d.contactId),
      detail: d.detail ?? null,
    };
  });
  const last = items[items.length - 1];
  return { items, nextCursor: docs.length > limit && last ? accessLogCursor(last) : null };
}
