import { z } from 'zod';
import { AppError } from './errors.js';
import type { MailAddress } from './mail.js';

/** At most this many new addresses are offered; the rest of a mass mailing's list is nobody's choice. */
export const MAX_SUGGESTED_RECIPIENTS = 50;

/** At most this many addresses in To, Cc and Bcc together when the agent names them. */
export const MAX_CHOSEN_RECIPIENTS = 50;

/** One mail of a conversation, as far as the recipient rule reads it. */
export interface ConversationMail {
  direction: 'inbound' | 'outbound';
  /** A bounce or an automatic reply: nobody to answer, and it vouches for nobody. */
  automated: boolean;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
}

/** Why an address is offered rather than used. */
export type SuggestionReason = 'reply-to' | 'new-address' | 'bouncing';

export interface SuggestedRecipient extends MailAddress {
  reason: SuggestionReason;
}

/** Who a reply goes to unless the agent chooses otherwise, and what the agent may add. */
export interface ReplyRecipients {
  to: MailAddress[];
  cc: MailAddress[];
  suggested: SuggestedRecipient[];
}

export interface ReplyRecipientsInput {
  requester: MailAddress;
  /** The ticket's participants (lower-case). */
  participants: readonly string[];
  /** The conversation's mail, oldest first. */
  history: readonly ConversationMail[];
  /** Every address we receive at (lower-case): never a recipient. */
  own: ReadonlySet<string>;
  /** Addresses marked as bouncing (lower-case): offered, not used. */
  bouncing?: ReadonlySet<string>;
}

const key = (a: MailAddress) => a.address.trim().toLowerCase();
const named = (a: MailAddress): MailAddress => ({ address: a.address.trim(), name: a.name ?? null });

/**
 * The addresses the ticket knows, before its latest customer mail: the requester, whoever we wrote
 * to, and the From/To/Cc of an earlier customer mail whose sender was already known. A mail from an
 * outsider (a reused Message-ID, a forged thread) thus vouches for nobody, not even its sender.
 */
function knownAddresses(input: ReplyRecipientsInput, latest: number): Set<string> {
  const known = new Set([key(input.requester)]);
  input.history.forEach((m, i) => {
    if (i === latest) return;
    const vouched = m.direction === 'outbound' || (!m.automated && m.from !== null && known.has(key(m.from)));
    if (!vouched) return;
    for (const a of [...(m.direction === 'inbound' && m.from ? [m.from] : []), ...m.to, ...m.cc]) known.add(key(a));
  });
  const participants = new Set(input.participants.map((p) => p.toLowerCase()));
  return new Set([...known].filter((a) => a === key(input.requester) || participants.has(a)));
}

/**
 * Who a reply goes to (the one rule; later features build on it). To is the ticket's requester. Cc
 * is everyone else on the latest customer mail's From/To/Cc the ticket already knows (see
 * knownAddresses), minus our own addresses and the requester. An address the ticket has not seen
 * before (a new sender, a new Cc, any Reply-To) and a bouncing address are only suggested: the
 * agent sees them and may choose them, nothing picks them automatically.
 */
export function replyRecipients(input: ReplyRecipientsInput): ReplyRecipients {
  const latest = input.history.findLastIndex((m) => m.direction === 'inbound' && !m.automated);
  const to = [named(input.requester)];
  if (latest < 0) return { to, cc: [], suggested: [] };
  const known = knownAddresses(input, latest);
  const mail = input.history[latest]!;
  const seen = new Set([key(input.requester), ...input.own]);
  const cc: MailAddress[] = [];
  const suggested: SuggestedRecipient[] = [];
  const offer = (a: MailAddress, reason: SuggestionReason) => {
    if (suggested.length < MAX_SUGGESTED_RECIPIENTS) suggested.push({ ...named(a), reason });
  };
  for (const a of [...(mail.from ? [mail.from] : []), ...mail.to, ...mail.cc]) {
    const address = key(a);
    if (!address || seen.has(address)) continue;
    seen.add(address);
    if (!known.has(address)) offer(a, 'new-address');
    else if (input.bouncing?.has(address)) offer(a, 'bouncing');
    else cc.push(named(a));
  }
  for (const a of mail.replyTo) {
    const address = key(a);
    if (!address || seen.has(address)) continue;
    seen.add(address);
    offer(a, 'reply-to');
  }
  return { to, cc, suggested };
}

/** What the agent named: each list replaces the proposed one; an absent list keeps it (Bcc: none). */
export interface RecipientChoice {
  to?: readonly string[];
  cc?: readonly string[];
  /** Blind copies: in the SMTP envelope only, never a header, never a participant of the ticket. */
  bcc?: readonly string[];
}

/** The addresses a reply goes to: To and Cc in its headers, Bcc in its envelope only. */
export interface ChosenRecipients {
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
}

const EMAIL = z.email().max(254);

/** Whether a typed address is one a mail can go to (the API's rule: zod's email). */
export function isMailAddress(address: string): boolean {
  return EMAIL.safeParse(address).success;
}

/**
 * The recipients of a reply: the proposal, or the agent's explicit lists (names taken from the
 * proposal where the address matches). Every named address must be a mail address; our own
 * addresses are refused, as is a reply to nobody or to more than {@link MAX_CHOSEN_RECIPIENTS} in
 * To, Cc and Bcc together; an address is used once (To before Cc before Bcc). A new address goes
 * out only when the agent names it; Bcc is never proposed.
 */
export function chosenRecipients(proposal: ReplyRecipients, choice: RecipientChoice, own: ReadonlySet<string>): ChosenRecipients {
  const names = new Map([...proposal.to, ...proposal.cc, ...proposal.suggested].map((a) => [key(a), a.name ?? null]));
  const seen = new Set<string>();
  const pick = (list: readonly string[] | undefined, proposed: MailAddress[], field: 'to' | 'cc' | 'bcc') => {
    if (list === undefined) return proposed.filter((a) => !seen.has(key(a)) && seen.add(key(a)));
    const out: MailAddress[] = [];
    for (const raw of list) {
      const address = raw.trim();
      const k = address.toLowerCase();
      if (!k || seen.has(k)) continue;
      if (!isMailAddress(address)) throw invalid(field, `${address} is not an email address`, 'notAnAddress', { address });
      if (own.has(k)) throw invalid(field, `${address} is one of our own addresses`, 'ownAddress', { address });
      seen.add(k);
      // A blind copy is kept lower-cased, as participants are: it is the only trace that the person was
      // copied (never a participant), and the contact page, export and erasure look it up by address.
      out.push({ address: field === 'bcc' ? k : address, name: names.get(k) ?? null });
    }
    return out;
  };
  const to = pick(choice.to, proposal.to, 'to');
  const cc = pick(choice.cc, proposal.cc, 'cc');
  const bcc = pick(choice.bcc, [], 'bcc');
  if (to.length === 0) throw invalid('to', 'needs at least one address', 'needsAddress');
  if (to.length + cc.length + bcc.length > MAX_CHOSEN_RECIPIENTS) {
    throw invalid(bcc.length ? 'bcc' : 'cc', `at most ${MAX_CHOSEN_RECIPIENTS} addresses in To, Cc and Bcc together`, 'tooMany', { max: MAX_CHOSEN_RECIPIENTS });
  }
  return { to, cc, bcc };
}

/** At most this many addresses are offered as the ticket's address book. */
export const MAX_ADDRESS_BOOK = 100;

/**
 * The addresses the ticket knows, to offer first when the agent types a recipient: the groups in
 * order (requester, participants, then the people of its mail), each address once (the first name
 * found kept), our own addresses and malformed ones left out. Offering is not choosing: the
 * recipient rule still decides what goes out.
 */
export function addressBook(groups: ReadonlyArray<readonly MailAddress[]>, own: ReadonlySet<string>, max = MAX_ADDRESS_BOOK): MailAddress[] {
  const out = new Map<string, MailAddress>();
  for (const a of groups.flat()) {
    const k = key(a);
    const known = out.get(k);
    if (known) {
      if (!known.name && a.name) out.set(k, { ...known, name: a.name });
      continue;
    }
    if (out.size >= max || !k || own.has(k) || !isMailAddress(a.address.trim())) continue;
    out.set(k, named(a));
  }
  return [...out.values()];
}

function invalid(path: string, message: string, key: string, params?: Record<string, unknown>): AppError {
  const issue = { path, message, code: 'custom', key: `errors:issue.recipients.${key}`, ...(params ? { params } : {}) };
  return new AppError('VALIDATION_FAILED', `Recipients: ${path} ${message}`, { details: { issues: [issue] }, key: 'input.invalid', params: { what: 'Recipients' } });
}
