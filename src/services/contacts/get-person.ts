import type { Types } from 'mongoose';
import type { MessageDirection } from '../../domain/message-directions.js';
import type { TicketStatus } from '../../domain/ticket-status.js';
import type { AccessLogStore } from '../../store/access-log-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { PersonDataStore } from '../../store/person-data-store.js';
import type { Actor } from '../access.js';
import { findScopedPerson } from './contact-access.js';
import { toContactView, type ContactView } from './contact-views.js';

/** The most tickets and messages one view lists (newest first); the totals count them all. */
export const PERSON_TICKETS_LISTED = 200;
export const PERSON_MESSAGES_LISTED = 200;

/** One ticket of the person. */
export interface PersonTicketView {
  id: string;
  number: number;
  subject: string;
  inboxId: string;
  inboxName: string | null;
  status: TicketStatus;
  /** Whether the person is the ticket's requester (else they were copied). */
  requester: boolean;
  createdAt: Date;
  lastActivityAt: Date;
  closedAt: Date | null;
}

/** A file of one of the person's messages; `fileId` is what the attachment routes take. */
export interface PersonAttachmentView {
  fileId: string;
  filename: string | null;
  contentType: string;
  size: number;
  inline: boolean;
}

/** One message the person wrote or received. */
export interface PersonMessageView {
  id: string;
  ticketId: string;
  ticketNumber: number | null;
  direction: MessageDirection;
  subject: string | null;
  /** The person wrote it (else it was sent to them). */
  fromPerson: boolean;
  at: Date;
  attachments: PersonAttachmentView[];
}

/** Everything of one person the actor may see: their addresses, tickets, messages and attachments. */
export interface PersonView extends ContactView {
  aliases: ContactView[];
  addresses: string[];
  tickets: PersonTicketView[];
  ticketTotal: number;
  messages: PersonMessageView[];
  messageTotal: number;
}

/** What viewing a person reads and writes. */
export interface GetPersonDeps {
  personData: Pick<PersonDataStore, 'findPerson' | 'listTicketIds' | 'listTicketSummaries' | 'listMessageSummaries'>;
  inboxes: Pick<InboxStore, 'listNamesByIds'>;
  accessLog: Pick<AccessLogStore, 'record'>;
  now: () => Date;
}

/**
 * One person's data (the contact page and `GET /contacts/{id}`): admins see all of it, a manager the
 * tickets and messages of their inboxes only (NOT_FOUND when none is theirs); FORBIDDEN for agents.
 * Each view is recorded in the access log (`contact_viewed`).
 */
export async function getPerson(deps: GetPersonDeps, actor: Actor, contactId: string): Promise<PersonView> {
  const { person, ticketIds } = await findScopedPerson(deps, actor, contactId);
  const addresses = new Set(person.addresses);
  const [tickets, { messages, total: messageTotal }] = await Promise.all([
    deps.personData.listTicketSummaries(ticketIds, Number.MAX_SAFE_INTEGER),
    deps.personData.listMessageSummaries(ticketIds, person.addresses, PERSON_MESSAGES_LISTED),
  ]);
  const listed = tickets.slice(0, PERSON_TICKETS_LISTED);
  const inboxNames = await namesOf(deps, listed.map((t) => t.inboxId));
  const numbers = new Map(tickets.map((t) => [t._id.toHexString(), t.number]));
  // Awaited: a view that cannot be logged is not shown (accountability comes first).
  await deps.accessLog.record({ at: deps.now(), userId: actor.userId, action: 'contact_viewed', contactId: person.primary._id, detail: `tickets=${ticketIds.length} messages=${messageTotal}` });
  return {
    ...toContactView(person.primary),
    aliases: person.aliases.map(toContactView),
    addresses: person.addresses,
    tickets: listed.map((t) => ({
      id: t._id.toHexString(),
      number: t.number,
      subject: t.subject,
      inboxId: t.inboxId.toHexString(),
      inboxName: inboxNames.get(t.inboxId.toHexString()) ?? null,
      status: t.status,
      requester: addresses.has(t.requester.email.toLowerCase()),
      createdAt: t.createdAt,
      lastActivityAt: t.lastActivityAt,
      closedAt: t.closedAt ?? null,
    })),
    ticketTotal: ticketIds.length,
    messages: messages.map((m) => ({
      id: m._id.toHexString(),
      ticketId: m.ticketId.toHexString(),
      ticketNumber: numbers.get(m.ticketId.toHexString()) ?? null,
      direction: m.direction,
      subject: m.subject ?? null,
      fromPerson: Boolean(m.from && addresses.has(m.from.address.toLowerCase())),
      at: m.date ?? m.createdAt,
      attachments: (m.attachments ?? []).map((a) => ({ fileId: a.fileId.toHexString(), filename: a.filename ?? null, contentType: a.contentType, size: a.size, inline: a.inline })),
    })),
    messageTotal,
  };
}

async function namesOf(deps: Pick<GetPersonDeps, 'inboxes'>, ids: Types.ObjectId[]): Promise<Map<string, string>> {
  const unique = [...new Map(ids.map((id) => [id.toHexString(), id])).values()];
  if (unique.length === 0) return new Map();
  return new Map((await deps.inboxes.listNamesByIds(unique)).map((i) => [i._id.toHexString(), i.name]));
}
