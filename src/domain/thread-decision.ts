import { startsFollowUp } from './ticket.js';
import type { TicketStatus } from './ticket-status.js';

/** What threading needs to know about a ticket a new message may belong to. */
export interface ThreadCandidate {
  ticketId: string;
  number: number;
  inboxId: string;
  status: TicketStatus;
  closedAt: Date | null;
  participants: string[];
}

/** A side conversation (an agent's mail to a partner about a ticket) a received message may answer. */
export interface SideCandidate {
  sideConversationId: string;
  /** The ticket it is about (the one holding its conversation, after merges). */
  ticket: ThreadCandidate;
}

/**
 * Where a new message goes. `side`: an answer in a side conversation of the ticket (never part of the
 * customer's conversation). `mergeFrom`: tickets the message proves to be the same conversation.
 * `related`: tickets of other inboxes the message links to; they are only noted on both trails.
 */
export type ThreadDecision =
  | { kind: 'new'; linkedTo: string | null; related: string[]; reason: string }
  | { kind: 'join'; ticketId: string; status: TicketStatus; mergeFrom: string[]; related: string[]; reopen: boolean; reason: string }
  | { kind: 'side'; ticketId: string; sideConversationId: string; status: TicketStatus; related: string[]; reason: string };

export interface ThreadInputs {
  /**
   * The inboxes the message may be filed in: the one that received it and ours it is addressed to
   * (To/Cc), so every copy of one mail sent to two of our addresses is filed alike.
   */
  inboxIds: string[];
  /** Tickets holding a message that shares a Message-ID link with this one (already resolved past merges). */
  linked: ThreadCandidate[];
  /** The side conversation one of our side-conversation Message-IDs it references names (domain/side-conversations.ts), if any. */
  sideLinked?: SideCandidate | null;
  /** A side conversation of the ticket its `[#n]` token names in which the sender takes part (as a recipient or writer), if any. */
  sideByToken?: SideCandidate | null;
  /** The ticket named by a `[#n]` token in the subject, if any. */
  tokenTicket: ThreadCandidate | null;
  /** A recent ticket of `inboxIds` with the same base subject in which the sender already takes part, if any. */
  subjectTicket: ThreadCandidate | null;
  sender: string | null;
  now: Date;
  /** A reply to a ticket closed longer ago than this starts a new ticket linked to the old one. */
  reopenClosedWithinSeconds: number;
}

function joinOrFollowUp(target: ThreadCandidate, mergeFrom: string[], related: string[], now: Date, windowSeconds: number, reason: string): ThreadDecision {
  if (startsFollowUp(target, now, windowSeconds)) return { kind: 'new', linkedTo: target.ticketId, related, reason: `${reason}; ticket closed too long ago` };
  return { kind: 'join', ticketId: target.ticketId, status: target.status, mergeFrom, related, reopen: target.status === 'solved' || target.status === 'closed', reason };
}

function sideDecision(side: SideCandidate, elsewhere: ThreadCandidate[], reason: string): ThreadDecision {
  const { ticket } = side;
  return { kind: 'side', ticketId: ticket.ticketId, sideConversationId: side.sideConversationId, status: ticket.status, related: idsOf(elsewhere, ticket.ticketId), reason };
}

const idsOf = (tickets: ThreadCandidate[], except: string | null = null) => [...new Set(tickets.map((t) => t.ticketId))].filter((id) => id !== except);

/**
 * Decides the ticket for a received message. An answer in a side conversation comes first: a message
 * referencing one of our side-conversation Message-IDs of a ticket of its inboxes goes to that side
 * conversation even when it also links to the customer's conversation (a partner may copy the
 * customer), and one that links to no conversation of its inboxes by id but carries the ticket's
 * token from someone taking part in a side conversation of it goes there too. Then Message-ID links win: the message joins the oldest
 * linked ticket of its inboxes and merges the others of that ticket's inbox into it. A ticket of any
 * other inbox is never joined or merged (its agents may not be ours), only related. A subject token
 * counts only for a sender who already takes part in that ticket (so a guessed number cannot hijack
 * a ticket, nor relate to one); a subject match counts only under the same condition.
 */
export function decideThread(input: ThreadInputs): ThreadDecision {
  const { now, reopenClosedWithinSeconds: window } = input;
  const ours = (t: ThreadCandidate) => input.inboxIds.includes(t.inboxId);
  // An answer to our mail in a side conversation stays there, whatever else it links to: a partner's words never reach the customer.
  const side = input.sideLinked && ours(input.sideLinked.ticket) ? input.sideLinked : null;
  if (side) return sideDecision(side, input.linked.filter((t) => !ours(t)), 'references a side conversation');
  const joinable = input.linked.filter(ours).sort((a, b) => a.number - b.number);
  const elsewhere = input.linked.filter((t) => !ours(t));
  if (joinable.length === 0 && input.sideByToken && ours(input.sideByToken.ticket)) {
    return sideDecision(input.sideByToken, elsewhere, 'subject token from a side conversation participant');
  }
  if (joinable.length > 0) {
    const target = joinable[0]!;
    const mergeFrom = idsOf(joinable.filter((t) => t.inboxId === target.inboxId), target.ticketId);
    const related = idsOf([...joinable.filter((t) => t.inboxId !== target.inboxId), ...elsewhere]);
    return joinOrFollowUp(target, mergeFrom, related, now, window, 'references');
  }
  const sender = input.sender?.toLowerCase() ?? null;
  const participates = (t: ThreadCandidate) => sender !== null && t.participants.includes(sender);
  const token = input.tokenTicket && participates(input.tokenTicket) ? input.tokenTicket : null;
  if (token && ours(token)) return joinOrFollowUp(token, [], idsOf(elsewhere), now, window, 'subject token');
  const related = idsOf(token ? [...elsewhere, token] : elsewhere);
  if (input.subjectTicket && ours(input.subjectTicket) && participates(input.subjectTicket)) {
    return joinOrFollowUp(input.subjectTicket, [], related, now, window, 'subject');
  }
  const reason = token
    ? 'subject token names a ticket of another inbox'
    : input.tokenTicket
      ? 'subject token from a non-participant ignored'
      : related.length > 0 ? 'links only to tickets of other inboxes' : 'no thread found';
  return { kind: 'new', linkedTo: null, related, reason };
}
