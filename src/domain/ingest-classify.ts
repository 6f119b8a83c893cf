import { autoSubmittedReason } from './auto-submitted.js';
import { detectBounce, type BounceReport } from './bounce.js';
import type { MailAddress, ParsedMail } from './mail.js';
import type { NotificationTag } from './notification-reply.js';
import { mailParticipants, type ParticipantsCapped } from './participants.js';

/** A stored copy of a received mail, found by its dedupe key. */
export interface StoredCopy<Id> {
  messageDocId: Id;
  ticketId: Id;
  /** Its ingest finished (ticket, trail, follow-up work); otherwise a run was cut after storing it. */
  complete: boolean;
}

/**
 * What a received mail is to ingest, which decides everything done with it:
 * - `duplicate`: stored and complete already; only its delivery to this inbox is noted.
 * - `resume`: stored by a run that was cut before it finished; the rest is done now.
 * - `echo`: our own outgoing mail coming back (a copy in the mailbox); nothing to do.
 * - `notification-reply`: sent to a notification's signed Reply-To (see notification-reply.ts): an
 *   agent's answer that becomes an internal note, or, when anything does not check out, quarantined;
 *   never a customer's message, never a ticket.
 * - `report`: a delivery report or out-of-office notice about one of our mails; never opens a ticket.
 * - `customer`: mail a person wrote; it is threaded onto a ticket.
 */
export type MailClass<Id> =
  | { kind: 'duplicate'; copy: StoredCopy<Id> }
  | { kind: 'resume'; copy: StoredCopy<Id>; report: BounceReport | null }
  | { kind: 'echo'; ticketId: Id }
  | { kind: 'notification-reply'; tag: NotificationTag }
  | { kind: 'report'; report: BounceReport }
  | { kind: 'customer' };

/** What ingest reads off one mail, whatever its class. */
export interface MailFacts {
  /** Why the mail counts as automated (RFC 3834 and kin), or null for a person's mail. */
  autoReason: string | null;
  /** Lower-case, none of ours, at most the cap (see mailParticipants). */
  participants: string[];
  capped: ParticipantsCapped | null;
  /** The author's address (From, else Sender), lower-case. */
  sender: string | null;
  /** The mail's own date, unless it claims to come from the future. */
  receivedAt: Date;
}

const lower = (a: MailAddress | null | undefined) => a?.address.toLowerCase() ?? null;

/**
 * A delivery report or auto-reply, which never opens a ticket. A person forwarding a bounce whole is
 * asking for help, so that one is not a report here.
 */
export function mailerReport(mail: ParsedMail): BounceReport | null {
  const found = detectBounce(mail);
  return found && found.reason !== 'forwarded-bounce' ? found : null;
}

/**
 * Classifies a parsed mail from what the batch found stored: its own copy, our outgoing mail with its
 * Message-ID, and the notification tag among its recipients (notificationTagIn).
 */
export function classifyMail<Id>(mail: ParsedMail, stored: StoredCopy<Id> | null, echoTicketId: Id | null, tag: NotificationTag | null = null): MailClass<Id> {
  if (stored?.complete) return { kind: 'duplicate', copy: stored };
  if (stored) return { kind: 'resume', copy: stored, report: mailerReport(mail) };
  if (echoTicketId !== null) return { kind: 'echo', ticketId: echoTicketId };
  if (tag) return { kind: 'notification-reply', tag };
  const report = mailerReport(mail);
  return report ? { kind: 'report', report } : { kind: 'customer' };
}

/** True for a class whose raw source and attachments will surely be stored (the batch stores those together up front). */
export function storesSource(cls: MailClass<unknown>): boolean {
  return cls.kind === 'customer';
}

/** The facts of one mail at time `at`; `own` are our addresses, which never become participants. */
export function mailFacts(mail: ParsedMail, own: ReadonlySet<string>, maxParticipants: number, at: Date): MailFacts {
  const { addresses, capped } = mailParticipants(mail, own, maxParticipants);
  return {
    autoReason: autoSubmittedReason(mail),
    participants: addresses,
    capped,
    sender: lower(mail.from ?? mail.sender),
    receivedAt: mail.date && mail.date < at ? mail.date : at,
  };
}
