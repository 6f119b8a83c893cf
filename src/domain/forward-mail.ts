import type { MailAddress } from './mail.js';

/**
 * Forwarding mail of a ticket, the way mail clients do: the agent's words, then each forwarded
 * message under a "Forwarded message" line with its From, Date, Subject, To and Cc, and its body as
 * it was (not quoted with `>`), oldest first. The labels come in the agent's language.
 */

/** One message as it is forwarded. */
export interface ForwardedMail {
  from: MailAddress | null;
  date: Date | null;
  subject: string | null;
  to: readonly MailAddress[];
  cc: readonly MailAddress[];
  text: string;
}

/** The forwarded block's lines, in the agent's language; each field label carries its own colon (`From:`, `De :`). */
export interface ForwardLabels {
  heading: string;
  from: string;
  date: string;
  subject: string;
  to: string;
  cc: string;
  /** How a message's date is written (the agent's language and time zone). */
  formatDate: (date: Date) => string;
}

/** The labels when no catalog gives them (English, dates in UTC as RFC 5322 writes them). */
export const DEFAULT_FORWARD_LABELS: ForwardLabels = {
  heading: '---------- Forwarded message ---------',
  from: 'From:',
  date: 'Date:',
  subject: 'Subject:',
  to: 'To:',
  cc: 'Cc:',
  formatDate: (d) => d.toUTCString(),
};

/** The prefix of a forward's subject. */
export const FORWARD_SUBJECT_PREFIX = 'Fwd: ';

const person = (a: MailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);

/** `Fwd: <subject>`, without stacking a second prefix on a subject that has one. */
export function forwardSubject(subject: string): string {
  const bare = subject.trim();
  return /^(fwd?|tr)\s*:/i.test(bare) ? bare : `${FORWARD_SUBJECT_PREFIX}${bare}`;
}

/** The text of a forward: the agent's words (may be empty), then every forwarded message's block. */
export function forwardedText(agentText: string, mails: readonly ForwardedMail[], labels: ForwardLabels): string {
  const parts = agentText.trim() ? [agentText.trimEnd()] : [];
  for (const m of mails) {
    const head = [labels.heading, `${labels.from} ${m.from ? person(m.from) : '-'}`];
    if (m.date) head.push(`${labels.date} ${labels.formatDate(m.date)}`);
    head.push(`${labels.subject} ${m.subject ?? ''}`.trimEnd());
    if (m.to.length) head.push(`${labels.to} ${m.to.map(person).join(', ')}`);
    if (m.cc.length) head.push(`${labels.cc} ${m.cc.map(person).join(', ')}`);
    parts.push(`${head.join('\n')}\n\n${m.text.replace(/\r\n/g, '\n').trimEnd()}`);
  }
  return parts.join('\n\n\n');
}

/**
 * Whether a message of the customer's conversation is forwarded with the whole ticket: what
 * customers and agents wrote, not a note, a bounce, an automatic reply or one of our automatic mails.
 */
export function forwardable(m: { direction: string; flags: { autoSubmitted: boolean; bounce: boolean; autoReply?: boolean } }): boolean {
  if (m.direction === 'note') return false;
  return m.direction === 'inbound' ? !m.flags.bounce && m.flags.autoReply !== true : !m.flags.autoSubmitted;
}
