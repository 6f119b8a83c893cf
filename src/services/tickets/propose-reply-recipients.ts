import { addressBook, replyRecipients, type ReplyRecipients } from '../../domain/reply-recipients.js';
import type { MailAddress } from '../../domain/mail.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { MessageDoc } from '../../store/models/message.js';
import type { TicketDoc } from '../../store/models/ticket.js';

/** A stored address as the recipient rule reads it (a missing name is null). */
export const plainAddress = (a: { address: string; name?: string | null }) => ({ address: a.address, name: a.name ?? null });

/** A message of the conversation as the recipient rule reads it. */
export type RecipientMessage = Pick<MessageDoc, 'direction' | 'from' | 'to' | 'cc' | 'replyTo' | 'flags'>;

/** The proposal with the own addresses it was made against, which an explicit choice is checked with. */
export interface RecipientContext {
  proposal: ReplyRecipients;
  own: ReadonlySet<string>;
}

/**
 * Applies the recipient rule (domain/reply-recipients.ts) to what was read for one ticket: its
 * conversation's messages in arrival order (notes are skipped), every inbox address, and which of
 * its people bounce.
 */
export function recipientContextOf(
  ticket: Pick<TicketDoc, 'requester' | 'participants'>,
  messages: readonly RecipientMessage[],
  inboxAddresses: readonly string[],
  bouncing: readonly string[],
): RecipientContext {
  const own = new Set(inboxAddresses.map((a) => a.toLowerCase()));
  const proposal = replyRecipients({
    requester: { address: ticket.requester.email, name: ticket.requester.name ?? null },
    participants: ticket.participants ?? [],
    own,
    bouncing: new Set(bouncing),
    history: messages
      .filter((m) => m.direction !== 'note')
      .map((m) => ({
        direction: m.direction === 'outbound' ? 'outbound' : 'inbound',
        automated: m.flags.bounce || m.flags.autoReply === true,
        from: m.from ? plainAddress(m.from) : null,
        to: (m.to ?? []).map(plainAddress),
        cc: (m.cc ?? []).map(plainAddress),
        replyTo: (m.replyTo ?? []).map(plainAddress),
      })),
  });
  return { proposal, own };
}

/** The ticket's requester and participants whose mail bounces. */
export async function bouncingAddresses(contacts: Pick<ContactStore, 'listBouncingEmails'>, ticket: Pick<TicketDoc, 'requester' | 'participants'>): Promise<string[]> {
  return contacts.listBouncingEmails([ticket.requester.email, ...ticket.participants]);
}

/**
 * The ticket's address book (domain/reply-recipients.ts addressBook): its requester, its
 * participants, then the people of its mail, newest first (senders and recipients of customer mail,
 * whom we wrote to, copied or blind-copied), minus our own addresses.
 */
export function ticketAddressBook(
  ticket: Pick<TicketDoc, 'requester' | 'participants'>,
  messages: ReadonlyArray<Pick<MessageDoc, 'direction' | 'from' | 'to' | 'cc' | 'bcc'>>,
  inboxAddresses: readonly string[],
): MailAddress[] {
  const own = new Set(inboxAddresses.map((a) => a.toLowerCase()));
  const mail = [...messages].reverse().filter((m) => m.direction !== 'note');
  return addressBook([
    [{ address: ticket.requester.email, name: ticket.requester.name ?? null }],
    (ticket.participants ?? []).map((address) => ({ address, name: null })),
    mail.flatMap((m) => [...(m.direction === 'inbound' && m.from ? [m.from] : []), ...(m.to ?? []), ...(m.cc ?? []), ...(m.bcc ?? [])].map(plainAddress)),
  ], own);
}
