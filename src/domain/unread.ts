/**
 * Unread marks: a ticket is unread for a user when something they did not do happened on it after
 * they last opened it. "Something" is news: a customer's or partner's mail, an agent's reply or
 * internal note. The ticket keeps only its latest news (when, and which agent did it: null for mail);
 * each user keeps when they last opened it, or that they marked it unread.
 */

/** A ticket's latest news: when, and the agent who made it (as a hex id; null: mail from outside). */
export interface TicketNews {
  at: Date;
  by: string | null;
}

/** What a ticket stores about its news; tickets written before unread marks have only their last activity. */
export interface TicketNewsFields {
  newsAt?: Date | null;
  newsBy?: { toHexString(): string } | null;
  lastActivityAt: Date;
}

/** One user's mark on a ticket: `readAt` when they last opened it, null when they marked it unread; absent: never opened. */
export interface ReadMark {
  readAt: Date | null;
}

/** A ticket's latest news; an older ticket without news fields counts its last activity, by nobody in particular. */
export function newsOf(ticket: TicketNewsFields): TicketNews {
  if (ticket.newsAt) return { at: ticket.newsAt, by: ticket.newsBy?.toHexString() ?? null };
  return { at: ticket.lastActivityAt, by: null };
}

/**
 * Whether the ticket is unread for `userId`: marked unread by hand; else never opened, or opened
 * before (or as) its latest news was stored, unless that news is the user's own (their reply or note never makes a
 * ticket unread for them).
 */
export function isUnread(news: TicketNews, mark: ReadMark | null | undefined, userId: string): boolean {
  if (mark && mark.readAt === null) return true;
  if (news.by === userId) return false;
  if (!mark) return true;
  // News stored in the very millisecond the ticket was opened may not have been on the page: unread.
  return mark.readAt!.getTime() <= news.at.getTime();
}
