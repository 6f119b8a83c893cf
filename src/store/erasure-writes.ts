import type { Types } from 'mongoose';
import { ERASED_NAME, ERASED_TEXT, erasedAddress, mentionsAny, scrubText, type ErasureCounts } from '../domain/erasure.js';
import { MAX_TICKET_TERMS, SEARCH_INDEX_VERSION, messageSearchTerms, ticketSearchTerms } from '../domain/ticket-search.js';
import { createErasureSideWrites } from './erasure-side-writes.js';
import type { Models } from './models/index.js';
import type { Address, MessageDoc } from './models/message.js';
import type { PersonErasureDoc } from './models/person-erasure.js';
import type { TicketDoc } from './models/ticket.js';
import { messageConcerns } from './person-data-store.js';
import { reclaimSpace } from './reclaim-space.js';
import { chunksOf } from '../domain/chunks.js';

// Bounds each `$in` so a person with thousands of tickets never sends one huge query.
const ID_CHUNK = 200;

/** What every erasure step is given: the person's addresses (lower-case) and the needles to scrub from free text. */
export interface ErasureTarget {
  /** The primary contact: names the placeholder address. */
  personId: Types.ObjectId;
  addresses: string[];
  needles: string[];
}

/** What a new erasure record holds. */
export type NewErasure = Pick<PersonErasureDoc, 'contactId' | 'requestedAt' | 'requestedBy' | 'addresses' | 'names' | 'aliasIds' | 'counts'>;

/** The collections an erasure writes to or deletes from: compacted once it is done. */
export const ERASURE_COLLECTIONS = [
  'messages', 'tickets', 'ticket_events', 'notifications', 'outbox', 'satisfaction_ratings', 'side_conversations',
  'reply_drafts', 'uploads', 'quarantine', 'spam_blocks', 'contacts', 'personal_data_exports', 'blobs.files', 'blobs.chunks',
];

/** An address list with the person's addresses replaced by their placeholder (named `[erased]`), each once. */
export function eraseAddresses(list: readonly Address[] | null | undefined, target: ErasureTarget): Address[] {
  const own = new Set(target.addresses);
  const placeholder = erasedAddress(target.personId);
  const out: Address[] = [];
  for (const a of list ?? []) {
    const mine = own.has(a.address.toLowerCase()) || a.address === placeholder;
    const next = mine ? { address: placeholder, name: ERASED_NAME } : { address: a.address, name: a.name == null ? null : scrubText(a.name, target.needles) };
    if (!out.some((o) => o.address === next.address)) out.push(next);
  }
  return out;
}

/** Whether a ticket's subject came from the person: they opened it (or it was, before a run cut short). */
export function isOwnTicket(t: Pick<TicketDoc, 'requester'>, target: ErasureTarget): boolean {
  const email = t.requester.email.toLowerCase();
  return target.addresses.includes(email) || email === erasedAddress(target.personId);
}

/**
 * Whether a message is erased whole: the person wrote it, or it is our mail to them or on their own
 * ticket (a reply quotes them, a forward to a partner carries their mail). Someone else's mail that
 * copies them, and notes, keep their words; only the person's addresses and names go.
 */
export function erasesWhole(m: Pick<MessageDoc, 'direction' | 'from' | 'to' | 'cc' | 'bcc' | 'replyTo'>, own: ReadonlySet<string>, ownTicket: boolean): boolean {
  if (m.from && own.has(m.from.address.toLowerCase())) return true;
  return m.direction === 'outbound' && (ownTicket || messageConcerns(m, own));
}

/** Whether a stored message's words are part of its ticket's search (what the live writes index; as migration 6). */
function indexed(m: Pick<MessageDoc, 'direction' | 'flags'>): boolean {
  if (m.direction === 'inbound') return m.flags?.bounce !== true && m.flags?.autoReply !== true;
  if (m.direction === 'outbound') return m.flags?.autoSubmitted !== true;
  return true;
}

/**
 * The writes of an erasure (services/personal-data/erase-person.ts), one step per method. Every step
 * is idempotent: it finds what still holds the person's data and rewrites it, so a rerun after a
 * crash carries on and a finished step finds nothing. The record (`person_erasures`) is written first.
 */
export function createErasureStore(models: Models) {
  const { Message, Ticket, Contact, PersonErasure, Upload, Quarantine } = models;
  const db = () => Contact.db.db!;

  /**
   * Removes a message's GridFS files that nothing else references (chunks first: a crash between
   * leaves a file entry the rerun removes). An attachment may be shared (one file per content, and an
   * agent's upload is the file of the mail it went with); a raw mail belongs to its message alone.
   */
  async function removeUnreferencedBlobs(files: { attachments: Types.ObjectId[]; raw: Types.ObjectId | null }, except: Types.ObjectId): Promise<number> {
    let removed = 0;
    for (const id of [...files.attachments, ...(files.raw ? [files.raw] : [])]) {
      const shared = files.raw?.equals(id) ? null : await Message.exists({ 'attachments.fileId': id, _id: { $ne: except } });
      if (shared || (await Quarantine.exists({ 'raw.fileId': id }))) continue;
      await removeBlob(id);
      await Upload.deleteMany({ fileId: id });
      removed += 1;
    }
    return removed;
  }

  /** Which of these tickets the person opened, as hex ids. */
  async function ownOf(ids: Types.ObjectId[], target: ErasureTarget): Promise<Set<string>> {
    const tickets = await Ticket.find({ _id: { $in: ids } }, { requester: 1 }).lean();
    return new Set(tickets.filter((t) => isOwnTicket(t, target)).map((t) => t._id.toHexString()));
  }

  async function removeBlob(id: Types.ObjectId): Promise<void> {
    await db().collection('blobs.chunks').deleteMany({ files_id: id });
    await db().collection('blobs.files').deleteOne({ _id: id });
  }

  const side = createErasureSideWrites(models, removeBlob);

  return {
    ...side,

    /** The erasure of this person, if one was ever asked for. */
    findErasure(contactId: Types.ObjectId): Promise<PersonErasureDoc | null> {
      return PersonErasure.findOne({ contactId }).lean<PersonErasureDoc>().exec();
    },

    /** Erasures left running (a crash), oldest first. */
    listRunningErasures(limit: number): Promise<PersonErasureDoc[]> {
      return PersonErasure.find({ state: 'running' }).sort({ requestedAt: 1 }).limit(limit).lean<PersonErasureDoc[]>().exec();
    },

    /** Records the erasure before anything is erased; asking again returns the first record (running or done). */
    async beginErasure(e: NewErasure): Promise<PersonErasureDoc> {
      await PersonErasure.updateOne({ contactId: e.contactId }, { $setOnInsert: { ...e, state: 'running', doneAt: null } }, { upsert: true });
      return (await PersonErasure.findOne({ contactId: e.contactId }).lean<PersonErasureDoc>())!;
    },

    /** Marks it done and forgets the addresses and names it looked for; false when it already was. */
    async finishErasure(contactId: Types.ObjectId, at: Date): Promise<boolean> {
      const r = await PersonErasure.updateOne({ contactId, state: 'running' }, { $set: { state: 'done', doneAt: at, addresses: [], names: [] } });
      return r.modifiedCount > 0;
    },

    /** Which of these tickets the person opened (their subject is the person's). */
    async ownTicketIds(ticketIds: Types.ObjectId[], target: ErasureTarget): Promise<Types.ObjectId[]> {
      const out: Types.ObjectId[] = [];
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) for (const t of await Ticket.find({ _id: { $in: ids } }, { requester: 1 }).lean()) if (isOwnTicket(t, target)) out.push(t._id);
      return out;
    },

    /** The names the person used in mail headers and as a requester, to scrub from free text. */
    async namesUsed(ticketIds: Types.ObjectId[], addresses: string[]): Promise<string[]> {
      const own = new Set(addresses);
      const names = new Set<string>();
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for (const t of await Ticket.find({ _id: { $in: ids } }, { requester: 1 }).lean()) if (own.has(t.requester.email.toLowerCase()) && t.requester.name) names.add(t.requester.name);
        const cursor = Message.find({ ticketId: { $in: ids } }, { from: 1, to: 1, cc: 1, bcc: 1, replyTo: 1 }).lean().cursor();
        for await (const m of cursor) {
          for (const a of [m.from, ...(m.to ?? []), ...(m.cc ?? []), ...(m.bcc ?? []), ...(m.replyTo ?? [])]) if (a?.name && own.has(a.address.toLowerCase())) names.add(a.name);
        }
      }
      return [...names];
    },

    /** What erasing would touch: the messages of these tickets erased whole (see {@link erasesWhole}) and their stored files. */
    async countMessages(ticketIds: Types.ObjectId[], target: ErasureTarget): Promise<Pick<ErasureCounts, 'messages' | 'attachments'>> {
      const own = new Set(target.addresses);
      let messages = 0;
      let attachments = 0;
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        const ownTickets = await ownOf(ids, target);
        const cursor = Message.find({ ticketId: { $in: ids } }, { ticketId: 1, direction: 1, from: 1, to: 1, cc: 1, bcc: 1, replyTo: 1, attachments: 1 }).lean().cursor();
        for await (const m of cursor) {
          if (!erasesWhole(m as MessageDoc, own, ownTickets.has(m.ticketId.toHexString()))) continue;
          messages += 1;
          attachments += m.attachments?.length ?? 0;
        }
      }
      return { messages, attachments };
    },

    /**
     * The messages of these tickets the person wrote, and our mail to them: bodies and subjects become
     * the placeholder, their addresses the placeholder address, attachments and the raw mail are removed
     * from GridFS (unless another message still holds the same file). Other messages of the tickets
     * (notes, others' mail) keep their text with the person's addresses and names scrubbed.
     */
    async eraseMessages(ticketIds: Types.ObjectId[], target: ErasureTarget): Promise<{ messages: number; blobs: number }> {
      const own = new Set(target.addresses);
      let messages = 0;
      let blobs = 0;
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        const ownTickets = await ownOf(ids, target);
        for await (const m of Message.find({ ticketId: { $in: ids } }).lean<MessageDoc[]>().cursor()) {
          const msg = m as MessageDoc;
          const scrubIds = (v: string | null | undefined) => (v == null ? v : scrubText(v, target.needles));
          const headers = {
            from: msg.from ? (eraseAddresses([msg.from], target)[0] ?? null) : null,
            to: eraseAddresses(msg.to, target),
            cc: eraseAddresses(msg.cc, target),
            replyTo: eraseAddresses(msg.replyTo, target),
            ...(msg.bcc ? { bcc: eraseAddresses(msg.bcc, target) } : {}),
            messageId: scrubIds(msg.messageId),
            ...(msg.dedupeKey && mentionsAny(msg.dedupeKey, target.needles) ? { dedupeKey: scrubText(msg.dedupeKey, target.needles) } : {}),
            inReplyTo: scrubIds(msg.inReplyTo),
            references: (msg.references ?? []).map((r) => scrubText(r, target.needles)),
            threadKeys: (msg.threadKeys ?? []).map((r) => scrubText(r, target.needles)),
            ...(msg.delivery?.error ? { 'delivery.error': scrubText(msg.delivery.error, target.needles) } : {}),
          };
          if (erasesWhole(msg, own, ownTickets.has(msg.ticketId.toHexString()))) {
            blobs += await removeUnreferencedBlobs({ attachments: msg.attachments.map((a) => a.fileId), raw: msg.raw?.fileId ?? null }, msg._id);
            await Message.updateOne(
              { _id: msg._id },
              { $set: { ...headers, subject: msg.subject == null ? null : ERASED_TEXT, text: ERASED_TEXT, html: null, htmlRules: null, attachments: [], raw: null } },
            );
            messages += 1;
            continue;
          }
          const text = { subject: scrubIds(msg.subject), text: scrubIds(msg.text), html: scrubIds(msg.html) };
          const before = JSON.stringify([msg.subject, msg.text, msg.html, msg.from, msg.to, msg.cc, msg.bcc, msg.replyTo, msg.messageId, msg.references, msg.threadKeys]);
          const after = JSON.stringify([text.subject, text.text, text.html, headers.from, headers.to, headers.cc, headers.bcc ?? msg.bcc, headers.replyTo, headers.messageId, headers.references, headers.threadKeys]);
          // The raw mail keeps the headers and words scrubbed here: it goes (the attachments, someone else's, stay).
          const dropRaw = msg.raw?.fileId && (messageConcerns(msg, own) || before !== after) ? { raw: null } : {};
          if (msg.raw?.fileId && 'raw' in dropRaw) blobs += await removeUnreferencedBlobs({ attachments: [], raw: msg.raw.fileId }, msg._id);
          if (before !== after || 'raw' in dropRaw || mentionsAny(msg.delivery?.error ?? '', target.needles)) await Message.updateOne({ _id: msg._id }, { $set: { ...headers, ...text, ...dropRaw } });
        }
      }
      return { messages, blobs };
    },

    /**
     * The tickets: the requester and participants become the placeholder, the subject too when the
     * person opened the ticket (else it is scrubbed), and the search terms are rebuilt from what is
     * left (the messages are erased first). Counts, statuses, times and metrics stay as they are.
     */
    async anonymiseTickets(ticketIds: Types.ObjectId[], target: ErasureTarget): Promise<number> {
      const placeholder = erasedAddress(target.personId);
      const own = new Set(target.addresses);
      let done = 0;
      for (const ids of chunksOf(ticketIds, ID_CHUNK)) {
        for (const t of await Ticket.find({ _id: { $in: ids } }).lean<TicketDoc[]>()) {
          const mine = isOwnTicket(t, target);
          const requester = mine ? { contactId: t.requester.contactId ?? null, email: placeholder, name: ERASED_NAME } : t.requester;
          const subject = mine ? ERASED_TEXT : scrubText(t.subject, target.needles);
          const participants = [...new Set(t.participants.map((p) => (own.has(p.toLowerCase()) ? placeholder : p)))];
          const terms = new Set(ticketSearchTerms({ subject, requester }));
          // The tickets merged into it are part of its conversation (store/merged-tickets.ts): their terms are its terms.
          const merged = t.mergedTicketIds?.length ? await Ticket.find({ _id: { $in: t.mergedTicketIds }, mergedIntoId: t._id }, { _id: 1 }).lean() : [];
          const conversation = [t._id, ...merged.map((x) => x._id)];
          const cursor = Message.find({ ticketId: { $in: conversation } }, { direction: 1, text: 1, from: 1, to: 1, cc: 1, flags: 1, createdAt: 1 }).sort({ createdAt: 1 }).lean().cursor();
          for await (const m of cursor) {
            if (terms.size >= MAX_TICKET_TERMS || !indexed(m as MessageDoc)) continue;
            const inbound = m.direction === 'inbound';
            for (const term of messageSearchTerms({ text: m.text, from: inbound ? m.from : null, recipients: inbound ? [...(m.to ?? []), ...(m.cc ?? [])] : [] })) {
              if (terms.size >= MAX_TICKET_TERMS) break;
              terms.add(term);
            }
          }
          const block = t.spam?.block && own.has(t.spam.block.value.toLowerCase()) ? { 'spam.block.value': placeholder } : {};
          await Ticket.updateOne(
            { _id: t._id },
            { $set: { requester, subject, baseSubject: mine ? ERASED_TEXT : scrubText(t.baseSubject, target.needles), participants, searchTerms: [...terms], searchVersion: SEARCH_INDEX_VERSION, ...block, ...(t.originKey && mentionsAny(t.originKey, target.needles) ? { originKey: scrubText(t.originKey, target.needles) } : {}) } },
          );
          done += 1;
        }
      }
      return done;
    },

    /** The person's contacts (primary and aliases): each address becomes its own placeholder, the name and language go. */
    async anonymiseContacts(contactIds: Types.ObjectId[]): Promise<number> {
      let done = 0;
      for (const id of contactIds) {
        const r = await Contact.updateOne(
          { _id: id },
          { $set: { email: erasedAddress(id), name: null, locale: null, bounce: { bouncing: false, lastBounceAt: null, reason: null } } },
        );
        done += r.matchedCount;
      }
      return done;
    },

    /** Deletes one GridFS file held only by an erased record (quarantine, export archive). */
    removeBlob,

    /** Gives the freed space back (compaction); never fails the erasure. */
    reclaim(): Promise<void> {
      return reclaimSpace(db(), ERASURE_COLLECTIONS);
    },
  };
}

/** What use cases may ask of the erasure writes; each names the methods it needs with `Pick`. */
export type ErasureStore = ReturnType<typeof createErasureStore>;
