import { addressBook } from '../../domain/reply-recipients.js';
import { forwardable, forwardSubject } from '../../domain/forward-mail.js';
import type { MailAddress } from '../../domain/mail.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { MessageStore } from '../../store/message-store.js';
import type { PartnerStore } from '../../store/partner-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import { notFound, parseObjectId, type Actor } from '../access.js';
import { plainAddress, ticketAddressBook } from '../tickets/propose-reply-recipients.js';
import { workableTicket } from '../tickets/visible-ticket.js';
import { recordTicketViewed, type RecordAccessDeps } from '../access-log/record-access.js';

/** What preparing a forward reads (and the access log it writes: the page shows the conversation). */
export interface ForwardDraftDeps extends RecordAccessDeps {
  now: () => Date;
  tickets: Pick<TicketStore, 'findById' | 'conversationIds'>;
  messages: Pick<MessageStore, 'listConversation'>;
  inboxes: Pick<InboxStore, 'listAddressesAndNames'>;
  partners: Pick<PartnerStore, 'listAll'>;
}

/** One message as the forward page shows it below the agent's words. */
export interface ForwardedMessageView {
  id: string;
  direction: 'inbound' | 'outbound';
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  date: Date;
  subject: string | null;
  text: string;
  attachments: Array<{ id: string; filename: string | null; contentType: string; size: number }>;
}

/** What the forward form starts from. */
export interface ForwardDraft {
  ticket: { id: string; number: number; subject: string };
  /** `Fwd: <subject>` of the message (or of the ticket). */
  subject: string;
  /** The one message forwarded, or null for the whole ticket. */
  messageId: string | null;
  messages: ForwardedMessageView[];
  /** Partners first, then the addresses the ticket knows (ours left out). */
  addressBook: MailAddress[];
}

/**
 * The forward page's starting point: one message of the ticket's conversation (`messageId`; a
 * message of another ticket, a note or side-conversation mail is NOT_FOUND) or, without it, every
 * message customers and agents wrote, oldest first, with their attachments, the subject
 * `Fwd: …`, and the addresses to offer; the view is recorded in the access log. Only an agent who may work the ticket (NOT_FOUND when
 * hidden, FORBIDDEN when read-only) prepares one.
 */
export async function forwardDraft(deps: ForwardDraftDeps, actor: Actor, ticketId: string, messageId: string | null): Promise<ForwardDraft> {
  const ticket = await workableTicket(deps.tickets, actor, ticketId);
  const conversation = await deps.tickets.conversationIds(ticket._id, ticket);
  const [messages, inboxes, partners] = await Promise.all([
    deps.messages.listConversation(conversation),
    deps.inboxes.listAddressesAndNames(),
    deps.partners.listAll(),
    recordTicketViewed(deps, actor, ticket, deps.now()),
  ]);
  let chosen = messages.filter(forwardable);
  if (messageId !== null) {
    const wanted = parseObjectId(messageId);
    const found = wanted ? messages.find((m) => m._id.equals(wanted) && m.direction !== 'note') : undefined;
    if (!found) throw notFound('Message');
    chosen = [found];
  }
  const own = new Set(inboxes.map((i) => i.address.toLowerCase()));
  const book = addressBook([partners.map((p) => ({ address: p.address, name: p.name })), ticketAddressBook(ticket, messages, [...own])], own);
  const single = messageId !== null ? chosen[0] : undefined;
  return {
    ticket: { id: ticket._id.toHexString(), number: ticket.number, subject: ticket.subject },
    subject: forwardSubject(single?.subject || ticket.subject),
    messageId: single ? single._id.toHexString() : null,
    messages: chosen.map((m) => ({
      id: m._id.toHexString(),
      direction: m.direction === 'inbound' ? 'inbound' : 'outbound',
      from: m.from ? plainAddress(m.from) : null,
      to: m.to.map(plainAddress),
      cc: m.cc.map(plainAddress),
      date: m.date ?? m.createdAt,
      subject: m.subject ?? null,
      text: m.text ?? '',
      attachments: m.attachments.filter((a) => !a.inline).map((a) => ({ id: a.fileId.toHexString(), filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
    })),
    addressBook: book,
  };
}
