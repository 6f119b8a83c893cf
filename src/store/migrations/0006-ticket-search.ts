import type { AnyBulkWriteOperation, Document, ObjectId } from 'mongodb';
import { slaNextDueAt } from '../../domain/sla-due.js';
import type { TicketStatus } from '../../domain/ticket-status.js';
import { MAX_TICKET_TERMS, SEARCH_INDEX_VERSION, messageSearchTerms, ticketSearchTerms } from '../../domain/ticket-search.js';
import type { Migration } from './migration.js';

const BATCH = 200;
const MAX_HOPS = 20;

/* The indexes the search and the due-time order replaced (index sync leaves undeclared ones alone). */
const REPLACED_INDEXES = ['searchTerms_1_inboxId_1_lastActivityAt_-1__id_-1', 'inboxId_1_sla.nextDueAt_1', 'sla.nextDueAt_1', 'access_1_sla.nextDueAt_1'];

interface OldTicket extends Document {
  _id: ObjectId;
  subject: string;
  requester: { email: string; name?: string | null };
  status: TicketStatus;
  sla?: Parameters<typeof slaNextDueAt>[0]['sla'] & { nextDueAt?: Date | null };
  mergedIntoId?: ObjectId | null;
  searchTerms?: string[];
}

interface StoredMessage extends Document {
  ticketId: ObjectId;
  direction: 'inbound' | 'outbound' | 'note';
  text?: string | null;
  from?: { address?: string | null } | null;
  to?: Array<{ address?: string | null }>;
  cc?: Array<{ address?: string | null }>;
  flags?: { autoSubmitted?: boolean; bounce?: boolean; autoReply?: boolean };
}

/** Whether a stored message's words are part of its ticket's search (what the live writes index). */
function indexed(m: StoredMessage): boolean {
  if (m.direction === 'inbound') return m.flags?.bounce !== true && m.flags?.autoReply !== true;
  if (m.direction === 'outbound') return m.flags?.autoSubmitted !== true;
  return true;
}

/**
 * Full-text search (domain/ticket-search.ts, version 2): every ticket's terms are rebuilt from its
 * subject, requester and messages (and a ticket stored before the "due soon" filter gets its next
 * due time) (customer mail, agents' replies and internal notes), then each
 * merged ticket's terms are added to the ticket it was merged into, as a live merge does. Tickets
 * already at version 2 are skipped, so a run cut short resumes where it stopped. The indexes the
 * search replaced are dropped first.
 */
export const ticketSearch: Migration = {
  version: 6,
  name: 'ticket-search',
  async up({ db, logger }) {
    const tickets = db.collection<OldTicket>('tickets');
    const messages = db.collection<StoredMessage>('messages');
    for (const name of REPLACED_INDEXES) {
      await tickets.dropIndex(name).catch((err: { code?: number; codeName?: string }) => {
        if (err.code !== 27 && err.code !== 26) throw err; // 27 IndexNotFound, 26 NamespaceNotFound
      });
    }
    let reindexed = 0;
    let batch: OldTicket[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const ids = batch.map((t) => t._id);
      const terms = new Map(batch.map((t) => [t._id.toHexString(), new Set(ticketSearchTerms(t))]));
      const cursor = messages
        .find({ ticketId: { $in: ids } }, { projection: { ticketId: 1, direction: 1, text: 1, from: 1, to: 1, cc: 1, flags: 1, createdAt: 1 } })
        .sort({ createdAt: 1 });
      for await (const m of cursor) {
        const set = terms.get(m.ticketId.toHexString());
        if (!set || set.size >= MAX_TICKET_TERMS || !indexed(m)) continue;
        const from = m.direction === 'inbound' ? m.from : null;
        for (const t of messageSearchTerms({ text: m.text, from, recipients: m.direction === 'inbound' ? [...(m.to ?? []), ...(m.cc ?? [])] : [] })) {
          if (set.size >= MAX_TICKET_TERMS) break;
          set.add(t);
        }
      }
      const ops: AnyBulkWriteOperation<OldTicket>[] = batch.map((t) => ({
        updateOne: {
          filter: { _id: t._id },
          update: {
            $set: {
              searchTerms: [...(terms.get(t._id.toHexString()) ?? [])],
              searchVersion: SEARCH_INDEX_VERSION,
              // A ticket from before the "due soon" filter gets its next due time too.
              ...(t.sla?.nextDueAt === undefined ? { 'sla.nextDueAt': slaNextDueAt(t) } : {}),
            },
          },
        },
      }));
      await tickets.bulkWrite(ops, { ordered: false });
      reindexed += batch.length;
      batch = [];
      if (reindexed % 10_000 < BATCH) logger.info({ tickets: reindexed }, 'search: indexing existing tickets');
    };
    for await (const t of tickets.find({ searchVersion: { $ne: SEARCH_INDEX_VERSION } }, { projection: { subject: 1, requester: 1, status: 1, sla: 1 } })) {
      batch.push(t);
      if (batch.length >= BATCH) await flush();
    }
    await flush();

    let mergedInto = 0;
    for await (const t of tickets.find({ mergedIntoId: { $ne: null } }, { projection: { mergedIntoId: 1, searchTerms: 1 } })) {
      let root = t.mergedIntoId!;
      for (let hops = 0; hops < MAX_HOPS; hops++) {
        const next = await tickets.findOne({ _id: root }, { projection: { mergedIntoId: 1 } });
        if (!next?.mergedIntoId) break;
        root = next.mergedIntoId;
      }
      const terms = t.searchTerms ?? [];
      if (terms.length === 0) continue;
      await tickets.updateOne({ _id: root, [`searchTerms.${MAX_TICKET_TERMS - 1}`]: { $exists: false } }, { $addToSet: { searchTerms: { $each: terms } } });
      mergedInto++;
    }
    if (reindexed > 0) logger.info({ tickets: reindexed, mergedInto }, 'search: indexed existing tickets');
  },
};
