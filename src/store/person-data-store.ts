import type { Types } from 'mongoose';
import type { ContactDoc } from './models/contact.js';
import type { Models } from './models/index.js';
import type { MessageDoc } from './models/message.js';
import type { TicketDoc } from './models/ticket.js';
import { chunksOf } from '../domain/chunks.js';

/** One person: a primary contact, the contacts linked to it as aliases, and all their addresses (lower-case). */
export interface Person {
  primary: ContactDoc;
  aliases: ContactDoc[];
  addresses: string[];
}

/** What the contact page shows of a ticket. */
export type PersonTicketSummary = Pick<TicketDoc, '_id' | 'number' | 'inboxId' | 'subject' | 'status' | 'createdAt' | 'lastActivityAt' | 'closedAt' | 'requester'>;

/** What the contact page shows of a message: no bodies. */
export type PersonMessageSummary = Pick<MessageDoc, '_id' | 'ticketId' | 'inboxId' | 'direction' | 'subject' | 'from' | 'date' | 'attachments' | 'createdAt' | 'sideConversationId'>;

// Bounds each `$in` so a person with thousands of tickets never sends one huge query.
const ID_CHUNK = 500;

const TICKET_SUMMARY = { number: 1, inboxId: 1, subject: 1, status: 1, createdAt: 1, lastActivityAt: 1, closedAt: 1, requester: 1 } as const;
const MESSAGE_SUMMARY = { ticketId: 1, inboxId: 1, direction: 1, subject: 1, from: 1, to: 1, cc: 1, bcc: 1, replyTo: 1, date: 1, attachments: 1, createdAt: 1, sideConversationId: 1 } as const;

type AddressFields = Pick<MessageDoc, 'from' | 'to' | 'cc' | 'bcc' | 'replyTo'>;

/**
 * Whether one of these (lower-case) addresses wrote the message or was among its recipients. Read in
 * code rather than in the query: the headers keep the case the mail was written with.
 */
export function messageConcerns(message: AddressFields, addresses: ReadonlySet<string>): boolean {
  const all = [message.from, ...(message.to ?? []), ...(message.cc ?? []), ...(message.bcc ?? []), ...(message.replyTo ?? [])];
  return all.some((a) => a != null && addresses.has(a.address.toLowerCase()));
}

/**
 * A person's data across contacts, tickets and messages (the contact page, export and erasure). Reads
 * only: each feature writes through its own store.
 */
export function createPersonDataStore(models: Pick<Models, 'Contact' | 'Ticket' | 'Message'>) {
  const { Contact, Ticket, Message } = models;

  async function* messagesOf(ticketIds: Types.ObjectId[], addresses: string[], projection: Record<string, 1> | null): AsyncGenerator<MessageDoc> {
    const wanted = new Set(addresses.map((a) => a.toLowerCase()));
    if (wanted.size === 0) return;
    for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
      const query = Message.find({ ticketId: { $in: ids } }, projection ?? undefined).sort({ ticketId: 1, createdAt: 1, _id: 1 }).lean<MessageDoc[]>();
      for await (const message of query.cursor()) {
        if (messageConcerns(message as MessageDoc, wanted)) yield message as MessageDoc;
      }
    }
  }

  return {
    /** The person this contact belongs to (given an alias, its primary's); null when there is no such contact. */
    async findPerson(contactId: Types.ObjectId): Promise<Person | null> {
      const contact = await Contact.findById(contactId).lean();
      if (!contact) return null;
      const primary = contact.primaryContactId ? ((await Contact.findById(contact.primaryContactId).lean()) ?? contact) : contact;
      const aliases = await Contact.find({ primaryContactId: primary._id }).sort({ email: 1, _id: 1 }).lean();
      const addresses = [...new Set([primary, ...aliases].map((c) => c.email.toLowerCase()))];
      return { primary, aliases, addresses };
    },

  /** The tickets whose requester or participants hold one of these addresses, or whose mail went to one of them as a blind copy, in these inboxes (null: every inbox). */
    async listTicketIds(addresses: string[], inboxIds: Types.ObjectId[] | null): Promise<Types.ObjectId[]> {
      if (addresses.length === 0 || (inboxIds && inboxIds.length === 0)) return [];
      const lower = [...new Set(addresses.map((a) => a.toLowerCase()))];
      const scope = inboxIds ? { inboxId: { $in: inboxIds } } : {};
      const [asRequester, asParticipant, blindCopied] = await Promise.all([
        Ticket.find({ 'requester.email': { $in: lower }, ...scope }, { _id: 1 }).lean(),
        Ticket.find({ participants: { $in: lower }, ...scope }, { _id: 1 }).lean(),
        // Only Bcc'd on a ticket: no participant, but our mail went to them (blind copies are stored lower-cased).
        Message.find({ 'bcc.address': { $in: lower }, ...scope }, { _id: 0, ticketId: 1 }).lean(),
      ]);
      const seen = new Map<string, Types.ObjectId>();
      for (const t of [...asRequester, ...asParticipant]) seen.set(t._id.toHexString(), t._id);
      for (const m of blindCopied) seen.set(m.ticketId.toHexString(), m.ticketId);
      return [...seen.values()];
    },

    /**
     * Those of these contacts whose person (as {@link findPerson} resolves it) has a ticket in these
     * inboxes (as {@link listTicketIds} finds them: requester, participant or blind copy), with a few
     * indexed reads for all of them together.
     */
    async listContactsWithTickets(contacts: Pick<ContactDoc, '_id' | 'email' | 'primaryContactId'>[], inboxIds: Types.ObjectId[]): Promise<Types.ObjectId[]> {
      if (contacts.length === 0 || inboxIds.length === 0) return [];
      const linked = contacts.flatMap((c) => (c.primaryContactId ? [c.primaryContactId] : []));
      const found = linked.length > 0 ? await Contact.find({ _id: { $in: linked } }, { email: 1 }).lean() : [];
      const linkedTo = new Map(found.map((c) => [c._id.toHexString(), c]));
      // A person by their primary's id: the primary's address and their aliases'.
      const people = new Map<string, { id: Types.ObjectId; addresses: Set<string> }>();
      const personOf = contacts.map((c) => {
        const primary = (c.primaryContactId && linkedTo.get(c.primaryContactId.toHexString())) || c;
        const key = primary._id.toHexString();
        if (!people.has(key)) people.set(key, { id: primary._id, addresses: new Set([primary.email.toLowerCase()]) });
        return key;
      });
      const aliases = await Contact.find({ primaryContactId: { $in: [...people.values()].map((p) => p.id) } }, { email: 1, primaryContactId: 1 }).lean();
      for (const alias of aliases) people.get(alias.primaryContactId!.toHexString())?.addresses.add(alias.email.toLowerCase());
      // Three reads for every address of the batch together, rather than three per person.
      const all = [...new Set([...people.values()].flatMap((p) => [...p.addresses]))];
      const scope = { inboxId: { $in: inboxIds } };
      const [asRequester, asParticipant, blindCopied] = await Promise.all([
        Ticket.distinct('requester.email', { 'requester.email': { $in: all }, ...scope }).exec(),
        Ticket.distinct('participants', { participants: { $in: all }, ...scope }).exec(),
        Message.distinct('bcc.address', { 'bcc.address': { $in: all }, ...scope }).exec(),
      ]);
      const seen = new Set([...asRequester, ...asParticipant, ...blindCopied].map(String));
      const withTickets = new Set([...people].filter(([, p]) => [...p.addresses].some((a) => seen.has(a))).map(([key]) => key));
      return contacts.filter((_, i) => withTickets.has(personOf[i]!)).map((c) => c._id);
    },

    /** What the contact page shows of these tickets, newest first, at most `limit`. */
    async listTicketSummaries(ticketIds: Types.ObjectId[], limit: number): Promise<PersonTicketSummary[]> {
      if (ticketIds.length === 0) return [];
      const rows: PersonTicketSummary[] = [];
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) rows.push(...(await Ticket.find({ _id: { $in: ids } }, TICKET_SUMMARY).lean()));
      rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id.toHexString().localeCompare(a._id.toHexString()));
      return rows.slice(0, limit);
    },

    /**
     * The messages of these tickets written by, or to, cc, bcc or reply-to one of these addresses, whole,
     * ticket by ticket in arrival order. Streamed: a person's mail may not fit in memory.
     */
    listMessages(ticketIds: Types.ObjectId[], addresses: string[]): AsyncIterable<MessageDoc> {
      return messagesOf(ticketIds, addresses, null);
    },

    /** Like `listMessages`, without bodies, newest first, at most `limit`; `total` counts them all. */
    async listMessageSummaries(ticketIds: Types.ObjectId[], addresses: string[], limit: number): Promise<{ messages: PersonMessageSummary[]; total: number }> {
      const kept: PersonMessageSummary[] = [];
      let total = 0;
      for await (const m of messagesOf(ticketIds, addresses, MESSAGE_SUMMARY)) {
        total += 1;
        kept.push(m);
        // Keeps memory bounded: sort and cut whenever twice the limit has gathered.
        if (kept.length >= limit * 2) newestFirst(kept).splice(limit);
      }
      return { messages: newestFirst(kept).slice(0, limit), total };
    },
  };
}

function newestFirst<T extends { createdAt: Date; _id: Types.ObjectId }>(rows: T[]): T[] {
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id.toHexString().localeCompare(a._id.toHexString()));
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type PersonDataStore = ReturnType<typeof createPersonDataStore>;
