import type { TicketStatus } from './ticket-status.js';

/** What threading needs to know about a ticket a new message may belong to. */
export interface ThreadCandidate {
  ticketId: string;
  number: number;
  status: TicketStatus;
  closedAt: Date | null;
  participants: string[];
}

/** Where a new message goes. `mergeFrom`: tickets the message proves to be the same conversation. */
export type ThreadDecision =
  | { kind: 'new'; linkedTo: string | null; reason: string }
  | { kind: 'join'; ticketId: string; status: TicketStatus; mergeFrom: string[]; reopen: boolean; reason: string };

export interface ThreadInputs {
  /** Tickets holding a message that shares a Message-ID link with this one (already resolved past merges). */
  linked: ThreadCandidate[];
  /** The ticket named by a `[#n]` token in the subject, if any. */
  tokenTicket: ThreadCandidate | null;
  /** A recent ticket with the same base subject in which the sender already takes part, if any. */
  subjectTicket: ThreadCandidate | null;
  sender: string | null;
  now: Date;
  /** A reply to a ticket closed longer ago than this starts a new ticket linked to the old one. */
  reopenClosedWithinSeconds: number;
}

function joinOrFollowUp(target: ThreadCandidate, mergeFrom: string[], now: Date, windowSeconds: number, reason: string): ThreadDecision {
  if (target.status === 'closed') {
    const closedFor = target.closedAt ? (now.getTime() - target.closedAt.getTime()) / 1000 : Infinity;
    if (closedFor > windowSeconds) return { kind: 'new', linkedTo: target.ticketId, reason: `${reason}; ticket closed too long ago` };
  }
  return { kind: 'join', ticketId: target.ticketId, status: target.status, mergeFrom, reopen: target.status === 'solved' || target.status === 'closed', reason };
}

/**
 * Decides the ticket for a received message. Message-ID links win and merge every ticket they touch
 * into the oldest; a subject token counts only for a sender who already takes part in that ticket (so
 * a guessed number cannot hijack a ticket); a subject match counts only under the same condition.
 */
export function decideThread(input: ThreadInputs): ThreadDecision {
  const { now, reopenClosedWithinSeconds: window } = input;
  if (input.linked.length > 0) {
    const byNumber = [...input.linked].sort((a, b) => a.number - b.number);
    const target = byNumber[0]!;
    const others = [...new Set(byNumber.slice(1).map((t) => t.ticketId))].filter((id) => id !== target.ticketId);
    return joinOrFollowUp(target, others, now, window, 'references');
  }
  const sender = input.sender?.toLowerCase() ?? null;
  const participates = (t: ThreadCandidate) => sender !== null && t.participants.includes(sender);
  if (input.tokenTicket && participates(input.tokenTicket)) {
    return joinOrFollowUp(input.tokenTicket, [], now, window, 'subject token');
  }
  if (input.subjectTicket && participates(input.subjectTicket)) {
    return joinOrFollowUp(input.subjectTicket, [], now, window, 'subject');
  }
  return { kind: 'new', linkedTo: null, reason: input.tokenTicket ? 'subject token from a non-participant ignored' : 'no thread found' };
}
