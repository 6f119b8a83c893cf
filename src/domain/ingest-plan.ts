import { isAutoReplyReport, type BounceReport } from './bounce.js';
import type { MailFacts } from './ingest-classify.js';
import type { MailAddress, ParsedMail } from './mail.js';
import { MAX_LISTED_ADDRESSES, type ParticipantsCapped } from './participants.js';
import type { SpamBlock, SpamMark } from './spam.js';
import { baseSubject, referencedIds, threadKeysOf } from './threading.js';
import { SEARCH_INDEX_VERSION, ticketSearchTerms } from './ticket-search.js';
import type { TicketStatus } from './ticket-status.js';
import { onCustomerReply } from './ticket.js';

/** The trail entries ingest writes. */
export type IngestEventType =
  | 'created'
  | 'linked'
  | 'reopened'
  | 'status_changed'
  | 'message_received'
  | 'participants_capped'
  | 'bounce_received'
  | 'auto_reply_received'
  | 'marked_spam'
  | 'side_message_received';

/** One trail entry, keyed so that a retried ingest records it once. */
export interface TrailEvent<Id> {
  ticketId: Id;
  type: IngestEventType;
  actor: { kind: 'contact' | 'system'; label?: string | null };
  at: Date;
  data: Record<string, unknown>;
  key: string;
}

/** What one mail asks of its ticket's follow-up work (see followUpsByTicket). */
export interface MailFollowUp<Id> {
  ticketId: Id;
  /** A person wrote (not automated mail): the ticket now waits for our answer. */
  awaitingReply: boolean;
  /** The mail that opened the ticket, which the acknowledgement answers; null when it joined one. */
  openedBy: Id | null;
  /** A person's mails that joined the ticket (not opening it, not automated), for its assignee's notification; absent when none. */
  replies?: Id[];
}

/** Follow-up work for one ticket, once per batch however many of its mails the batch brought. */
export type TicketFollowUp<Id> = MailFollowUp<Id>;

/** The ticket's state as the mail finds it. */
export interface TicketAsFound<Id> {
  status: TicketStatus;
  /** This mail opened the ticket. */
  created: boolean;
  /** Tickets the opening mail follows up (a reply to one closed too long ago). */
  linkedTicketIds: Id[];
}

export interface TicketUpdateInput<Id> {
  ticketId: Id;
  messageDocId: Id;
  inboxId: Id;
  /** Threading joined an existing conversation (not a new ticket). */
  joined: boolean;
  ticket: TicketAsFound<Id>;
  mail: Pick<ParsedMail, 'from' | 'subject'>;
  facts: Pick<MailFacts, 'autoReason' | 'capped'>;
  /** Tickets of other inboxes the mail links to. */
  related: Id[];
  /** The inbox's block-list entry the sender matches (services/spam), or null. */
  blocked?: SpamBlock | null;
  at: Date;
}

/** What a customer mail changes on its ticket, besides one more message and its participants. */
export interface TicketUpdate<Id> {
  /** Fields to set on the ticket (its status, when the mail reopens it). */
  set: Record<string, unknown>;
  /** The mail reopens a solved or closed ticket: one more reopen in its metrics (domain/ticket-metrics.ts). */
  reopened?: boolean;
  events: Array<TrailEvent<Id>>;
  /** Tickets that now list this one as linked (the opening mail follows them up). */
  linkBack: Id[];
  related: Id[];
  followUp: MailFollowUp<Id>;
}

const lower = (a: MailAddress | null | undefined) => a?.address.toLowerCase() ?? null;

/**
 * How a customer's mail changes the status of the ticket it reaches, under the ticket rules
 * ({@link onCustomerReply}): `reopened` for a solved or closed conversation, `customer-replied` for a
 * ticket that was waiting on the customer, null when nothing changes.
 */
export function customerReplyStatus(status: TicketStatus, joined: boolean, automated: boolean, at: Date): { set: Record<string, unknown>; change: 'reopened' | 'customer-replied' } | null {
  const outcome = onCustomerReply({ status }, at, { automated, continuesConversation: joined });
  if (!outcome) return null;
  return { set: { ...outcome.change }, change: outcome.kind === 'reopen' ? 'reopened' : 'customer-replied' };
}

/**
 * The ticket change, trail and follow-up work of a customer mail stored on `ticketId`.
 *
 * Mail from a sender on the inbox's block list, and any mail reaching a ticket in Spam, is quiet: it
 * is threaded and kept (never lost), but it changes no status (a blocked sender's reply does not
 * reopen or wake the ticket it joins, and a spam ticket stays in Spam), starts no SLA clock, and asks
 * for no acknowledgement and no notification. A ticket a blocked sender opens is already in Spam
 * ({@link openingTicket}); the trail says why. That is what a support team expects: the sender was
 * judged a spammer, so nothing of theirs should interrupt anyone, yet nothing is thrown away.
 */
export function planTicketUpdate<Id>(input: TicketUpdateInput<Id>): TicketUpdate<Id> {
  const { ticketId, messageDocId, ticket, at } = input;
  const blocked = input.blocked ?? null;
  const quiet = blocked !== null || ticket.status === 'spam';
  const msgKey = String(messageDocId);
  const actor = { kind: 'contact' as const, label: lower(input.mail.from) };
  const events: Array<TrailEvent<Id>> = [];
  const linkBack = ticket.created ? ticket.linkedTicketIds : [];
  if (ticket.created) {
    events.push({ ticketId, type: 'created', actor, at, data: { via: 'email', inboxId: input.inboxId }, key: `created:${String(ticketId)}` });
    for (const linked of linkBack) {
      events.push({ ticketId: linked, type: 'linked', actor: { kind: 'system' }, at, data: { ticketId, reason: 'reply to a closed ticket' }, key: `linked:${String(linked)}>${String(ticketId)}` });
    }
  }
  if (ticket.created && ticket.status === 'spam') {
    events.push({ ticketId, type: 'marked_spam', actor: { kind: 'system', label: 'spam' }, at, data: { reason: 'blocked', block: blocked }, key: `spam:${String(ticketId)}` });
  }
  const status = quiet ? null : customerReplyStatus(ticket.status, input.joined, input.facts.autoReason !== null, at);
  if (status?.change === 'reopened') {
    events.push({ ticketId, type: 'reopened', actor, at, data: { from: ticket.status, messageId: messageDocId }, key: `reopen:${msgKey}` });
  } else if (status) {
    events.push({ ticketId, type: 'status_changed', actor, at, data: { from: 'pending', to: 'open' }, key: `customer-replied:${msgKey}` });
  }
  events.push({ ticketId, type: 'message_received', actor, at, data: { messageId: messageDocId, subject: input.mail.subject.slice(0, 200), autoSubmitted: input.facts.autoReason, ...(blocked ? { blocked } : {}) }, key: `received:${msgKey}` });
  if (input.facts.capped) events.push(cappedEvent(ticketId, messageDocId, input.facts.capped, at));
  return {
    set: status?.set ?? {},
    ...(status?.change === 'reopened' ? { reopened: true } : {}),
    events,
    linkBack,
    related: input.related.filter((other) => String(other) !== String(ticketId)),
    // A quiet mail's follow-up only brings the ticket's clocks and jobs up to date: no clock starts, nobody is told, nothing is acknowledged.
    followUp: quiet
      ? { ticketId, awaitingReply: false, openedBy: null }
      : {
          ticketId,
          awaitingReply: input.facts.autoReason === null,
          openedBy: ticket.created ? messageDocId : null,
          ...(!ticket.created && input.facts.autoReason === null ? { replies: [messageDocId] } : {}),
        },
  };
}

function cappedEvent<Id>(ticketId: Id, messageDocId: Id, capped: ParticipantsCapped, at: Date): TrailEvent<Id> {
  return { ticketId, type: 'participants_capped', actor: { kind: 'system' }, at, data: { messageId: messageDocId, ...capped }, key: `participants-capped:${String(messageDocId)}` };
}

/** A recipient a delivery report says can no longer be reached. */
export interface BouncingAddress {
  email: string;
  reason: string;
}

/** What filing a mailer report on its ticket records. */
export interface ReportFiling<Id> {
  event: TrailEvent<Id>;
  /** Recipients to mark as bouncing, so no further mail (and no auto-reply) goes to them. */
  bouncing: BouncingAddress[];
}

/**
 * Files a delivery report or an automatic reply on the ticket of the mail it is about. A report
 * never changes the ticket's status. An out-of-office notice is recorded as what it is: no person
 * wrote it (RFC 3834 §2), so it moves no status, SLA clock or acknowledgement, and marks nobody as
 * unreachable.
 */
export function fileReport<Id>(report: BounceReport, ticketId: Id, messageDocId: Id, at: Date): ReportFiling<Id> {
  const key = String(messageDocId);
  if (isAutoReplyReport(report)) {
    const from = report.recipients[0]?.address ?? null;
    return {
      event: { ticketId, type: 'auto_reply_received', actor: { kind: 'contact', label: from }, at, data: { from, subject: report.recipients[0]?.diagnostic ?? null, messageId: messageDocId }, key: `auto-reply-received:${key}` },
      bouncing: [],
    };
  }
  // A report can mix recipients that failed with ones only delayed (RFC 3464 §2.3.3 Action).
  const failed = report.permanent ? report.recipients.filter((r) => r.address && (r.action === null || r.action === 'failed')) : [];
  return {
    event: {
      ticketId,
      type: 'bounce_received',
      actor: { kind: 'system', label: 'mailer-daemon' },
      at,
      data: { kind: report.kind, permanent: report.permanent, reason: report.reason, recipients: report.recipients, messageId: messageDocId },
      key: `bounce:${key}`,
    },
    bouncing: failed.map((r) => ({ email: r.address!.toLowerCase(), reason: (r.diagnostic ?? report.reason).slice(0, 500) })),
  };
}

/** Groups the follow-up work of a batch's mails by ticket, in the order the tickets first appear. */
export function followUpsByTicket<Id>(mails: ReadonlyArray<MailFollowUp<Id>>): Array<TicketFollowUp<Id>> {
  const byTicket = new Map<string, TicketFollowUp<Id>>();
  for (const m of mails) {
    const key = String(m.ticketId);
    const known = byTicket.get(key);
    if (!known) byTicket.set(key, { ...m });
    else {
      const replies = [...(known.replies ?? []), ...(m.replies ?? [])];
      byTicket.set(key, { ticketId: known.ticketId, awaitingReply: known.awaitingReply || m.awaitingReply, openedBy: known.openedBy ?? m.openedBy, ...(replies.length > 0 ? { replies } : {}) });
    }
  }
  return [...byTicket.values()];
}

/**
 * The fields of a ticket a mail opens, less its number and requester contact, which the store assigns.
 * With `spam` (the sender is on the inbox's block list) it opens straight in Spam.
 */
export function openingTicket<Id>(mail: Pick<ParsedMail, 'from' | 'sender' | 'subject'>, opts: { inboxId: Id; teamId?: Id | null; participants: string[]; linkedTo: Id | null; autoReason: string | null; at: Date; spam?: SpamMark<Id> | null }) {
  const from = mail.from ?? mail.sender;
  const email = lower(from) ?? 'unknown@invalid';
  const subject = mail.subject.slice(0, 998);
  return {
    inboxId: opts.inboxId,
    /** The inbox's default team, if it has one. */
    teamId: opts.teamId ?? null,
    subject,
    baseSubject: baseSubject(mail.subject),
    status: opts.spam ? ('spam' as const) : ('new' as const),
    ...(opts.spam ? { spam: opts.spam } : {}),
    requester: { email, name: from?.name ?? null },
    searchTerms: ticketSearchTerms({ subject, requester: { email, name: from?.name ?? null } }),
    searchVersion: SEARCH_INDEX_VERSION,
    participants: opts.participants,
    lastActivityAt: opts.at,
    flags: { autoSubmitted: opts.autoReason !== null },
    linkedTicketIds: opts.linkedTo ? [opts.linkedTo] : [],
  };
}

/** Where a received mail's stored files are. */
export interface StoredFiles<FileId, Attachment> {
  raw: { fileId: FileId; size: number; sha256: string };
  attachments: Attachment[];
}

/** The inbound message document of a received mail, as stored (ingest state `stored` until its ticket is done). */
export function inboundMessage<Id, FileId, Attachment>(input: {
  mail: ParsedMail;
  ticketId: Id;
  inboxId: Id;
  dedupeKey: string;
  source: { folder: string; uidValidity: string; uid: number } | null;
  files: StoredFiles<FileId, Attachment>;
  /** The sanitized HTML; null when the mail has none or it was too complex to show safely. */
  html: string | null;
  /** The sanitizer rules `html` was cleaned under. */
  htmlRules: string;
  facts: Pick<MailFacts, 'autoReason' | 'receivedAt'>;
  report: BounceReport | null;
  at: Date;
}) {
  const { mail, html, report } = input;
  const autoReply = report !== null && isAutoReplyReport(report);
  const autoReason = input.facts.autoReason;
  return {
    ticketId: input.ticketId,
    inboxId: input.inboxId,
    direction: 'inbound' as const,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo[0] ?? null,
    references: referencedIds(mail),
    threadKeys: threadKeysOf(mail),
    subject: mail.subject,
    from: mail.from,
    to: mail.to.slice(0, MAX_LISTED_ADDRESSES),
    cc: mail.cc.slice(0, MAX_LISTED_ADDRESSES),
    replyTo: mail.replyTo.slice(0, MAX_LISTED_ADDRESSES),
    date: mail.date,
    text: mail.text,
    html,
    htmlRules: html === null ? null : input.htmlRules,
    attachments: input.files.attachments,
    raw: input.files.raw,
    dedupeKey: input.dedupeKey,
    deliveredTo: [input.inboxId],
    source: input.source,
    ingestState: 'stored' as const,
    flags: { autoSubmitted: autoReason !== null, autoSubmittedReason: autoReason, bounce: report !== null && !autoReply, autoReply, htmlTooComplex: Boolean(mail.html) && html === null },
    createdAt: input.facts.receivedAt,
    updatedAt: input.at,
  };
}
