import { readOurMessageId, type Signer } from './message-ids.js';
import { transition, type StatusChange, type StatusFields, type TicketStatusState } from './ticket.js';

/**
 * Side conversations: an agent writes about a ticket to someone outside the customer's conversation
 * (an outside partner, or any address for a forward). Their mail is never part of the customer's
 * conversation: answers to it are filed in the side conversation, shown to agents only.
 *
 * Our Message-IDs in a side conversation carry its id in their signed unique part (`s` + the side
 * conversation's 24 hex digits + 15 of the outbox item's), so a partner's answer is recognised as such
 * from its In-Reply-To or References alone, without a look-up that a crash could have left unwritten,
 * and nobody can forge one.
 */

/** `partner`: "Send to partner"; `forward`: "Forward" to any address the agent types. */
export const SIDE_CONVERSATION_KINDS = ['partner', 'forward'] as const;
export type SideConversationKind = (typeof SIDE_CONVERSATION_KINDS)[number];

const SIDE_PART = /^s([0-9a-f]{24})([0-9a-z]{1,15})$/;

/** The unique part of the Message-ID of a mail of side conversation `sideConversationId` (hex), from the outbox item's id (hex). */
export function sideMessageIdPart(sideConversationId: string, outboxId: string): string {
  return `s${sideConversationId.toLowerCase()}${outboxId.toLowerCase().slice(-15)}`;
}

/** The ticket number and side conversation (hex id) one of our side-conversation Message-IDs names, or null for any other id. */
export function sideConversationOfMessageId(messageId: string, sign: Signer): { ticketNumber: number; sideConversationId: string } | null {
  const ours = readOurMessageId(messageId, sign);
  const match = ours ? SIDE_PART.exec(ours.uniquePart) : null;
  return ours && match ? { ticketNumber: ours.ticketNumber, sideConversationId: match[1]! } : null;
}

/** The first side conversation a mail's referenced ids name (newest reference first), or null. */
export function sideConversationReferenced(referenced: readonly string[], sign: Signer): { ticketNumber: number; sideConversationId: string } | null {
  for (const id of [...referenced].reverse()) {
    const found = sideConversationOfMessageId(id, sign);
    if (found) return found;
  }
  return null;
}

/** The statuses a ticket leaves for `with_partner` when an agent writes to a partner; a solved, closed or spam ticket keeps its status. */
const WAITS_FOR_PARTNER_FROM = new Set(['new', 'open', 'pending', 'with_partner']);

/** What writing to a partner does to the ticket's status: it waits on the partner (`with_partner`), unless it is solved, closed or spam. */
export function onPartnerAsked(ticket: TicketStatusState, at: Date): { change: StatusFields; statusChanged: StatusChange } | null {
  if (!WAITS_FOR_PARTNER_FROM.has(ticket.status)) return null;
  const change = transition(ticket, 'with_partner', at);
  return change ? { change, statusChanged: { from: ticket.status, to: 'with_partner' } } : null;
}

/**
 * What a partner's answer does to the ticket's status: a ticket waiting on the partner is open again
 * (an agent has something to read). Any other status stays: a partner never reopens a solved ticket,
 * and never answers the customer.
 */
export function onPartnerAnswered(ticket: TicketStatusState, at: Date): { change: StatusFields; statusChanged: StatusChange } | null {
  if (ticket.status !== 'with_partner') return null;
  const change = transition(ticket, 'open', at)!;
  return { change, statusChanged: { from: 'with_partner', to: 'open' } };
}

/** A message of the ticket as a side conversation quotes it. */
export interface QuotedMessage {
  from: string | null;
  date: Date | null;
  subject: string | null;
  text: string;
}

/** Labels for the quoted block, in the agent's language; each field label carries its own colon (`From:`, `De :`). */
export interface QuoteLabels {
  heading: string;
  from: string;
  date: string;
  subject: string;
}

/**
 * The text of a mail to a partner: the agent's words, then each selected message of the ticket
 * quoted as plain text (`> ` lines) under a short header, oldest first.
 */
export function sideConversationText(agentText: string, quoted: readonly QuotedMessage[], labels: QuoteLabels): string {
  const parts = [agentText.trimEnd()];
  for (const q of quoted) {
    const head = [`${labels.heading}`, `${labels.from} ${q.from ?? '-'}`];
    if (q.date) head.push(`${labels.date} ${q.date.toISOString()}`);
    if (q.subject) head.push(`${labels.subject} ${q.subject}`);
    const body = q.text.replace(/\r\n/g, '\n').split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
    parts.push(`${head.join('\n')}\n${body}`);
  }
  return parts.join('\n\n');
}
