import type { Types } from 'mongoose';
import { ANONYMISED_ADDRESS, scrubTrailData, type RetentionAction, type RetentionPolicy } from '../domain/retention.js';
import { SEARCH_INDEX_VERSION } from '../domain/ticket-search.js';
import type { InboxDoc } from './models/inbox.js';
import type { Models } from './models/index.js';
import type { MessageDoc } from './models/message.js';
import type { TicketEventDoc } from './models/ticket-event.js';
import { createReportRowStore } from './report-row-store.js';
import { recordEvents, type TrailEventInput } from './ticket-writes.js';

type RetentionModels = Pick<
  Models,
  'Inbox' | 'Contact' | 'Ticket' | 'Message' | 'TicketEvent' | 'Outbox' | 'SatisfactionRating' | 'ReplyDraft' | 'TicketRead' | 'TicketPresence' | 'Notification' | 'SideConversation' | 'Upload' | 'ReportRowBlock' | 'ReportRowState'
>;

/** An inbox as the retention run reads it. */
export type RetentionInbox = Pick<InboxDoc, '_id' | 'name' | 'retention'>;

/** The collections a retention run writes to: the space freed there is reclaimed after a run. */
export const RETENTION_COLLECTIONS = [
  'tickets', 'contacts', 'messages', 'ticket_events', 'outbox', 'satisfaction_ratings', 'reply_drafts', 'ticket_reads', 'ticket_presence',
  'notifications', 'side_conversations', 'uploads', 'blobs.files', 'blobs.chunks',
] as const;

/** Trail entries are rewritten this many at a time, so a ticket with a long trail is never read whole. */
const EVENT_CHUNK = 500;

/**
 * The tickets due under a policy: closed (at a known time) before the cut-off; for `anonymise`, only
 * those not anonymised yet (an anonymised ticket is still deleted when the inbox switches to `delete`).
 * A merged ticket is never due on its own: its messages show on the ticket it was merged into, and
 * it goes with that one (mergedMembersOf).
 */
function dueFilter(inboxId: Types.ObjectId, action: RetentionAction, cutoff: Date): Record<string, unknown> {
  return { inboxId, status: 'closed', ...(action === 'anonymise' ? { anonymisedAt: null } : {}), closedAt: { $ne: null, $lt: cutoff }, mergedIntoId: null };
}

/**
 * The writes of retention per inbox (domain/retention.ts): the policy on the inbox, the tickets it
 * makes due, and the ticket-level scrub and delete. Every write is safe to repeat: a run interrupted
 * anywhere is finished by running again, and a ticket already done is no longer due.
 */
export function createRetentionStore(models: RetentionModels) {
  const { Ticket, Message, TicketEvent } = models;
  const reportRows = createReportRowStore(models);
  return {
    /** The collections a run writes to, whose space is reclaimed after a run that touched anything. */
    touchedCollections(): string[] {
      return [...RETENTION_COLLECTIONS];
    },

    /** An inbox's name and retention policy (deleted inboxes too: their tickets are kept read-only, and the policy still applies). */
    findInbox(inboxId: Types.ObjectId): Promise<RetentionInbox | null> {
      return models.Inbox.findById(inboxId, { name: 1, retention: 1 }).lean<RetentionInbox>().exec();
    },

    /** Saves an inbox's policy; false when there is no such inbox. */
    async setPolicy(inboxId: Types.ObjectId, policy: RetentionPolicy): Promise<boolean> {
      const res = await models.Inbox.updateOne({ _id: inboxId }, { $set: { retention: { months: policy.months, action: policy.action } } }).exec();
      return res.matchedCount > 0;
    },

    /** The inboxes whose policy is on. */
    listInboxesWithPolicy(): Promise<RetentionInbox[]> {
      return models.Inbox.find({ 'retention.months': { $gte: 1 } }, { name: 1, retention: 1 }).sort({ _id: 1 }).lean<RetentionInbox[]>().exec();
    },

    /** How many tickets of the inbox a run would touch now (the preview; the run lists them with the same filter). */
    countDue(inboxId: Types.ObjectId, action: RetentionAction, cutoff: Date): Promise<number> {
      return Ticket.countDocuments(dueFilter(inboxId, action, cutoff)).exec();
    },

    /**
     * Up to `limit` due tickets of the inbox, in the order of the retention index (for `anonymise`,
     * closed longest ago first). No sort of its own: one would read every due ticket for each batch.
     */
    listDue(inboxId: Types.ObjectId, action: RetentionAction, cutoff: Date, limit: number): Promise<Array<{ _id: Types.ObjectId; closedAt: Date }>> {
      return Ticket.find(dueFilter(inboxId, action, cutoff), { _id: 1, closedAt: 1 }).limit(limit).lean<Array<{ _id: Types.ObjectId; closedAt: Date }>>().exec();
    },

    /**
     * Takes the anonymised mark off the inbox's tickets a customer brought back since (their new
     * mail is theirs again): every one no longer closed, and every one closed again since `since`
     * after it was anonymised. Once closed long enough, they are due again. Returns how many.
     */
    async rearmReopened(inboxId: Types.ObjectId, since: Date): Promise<number> {
      const reopened = await Ticket.updateMany({ inboxId, status: { $ne: 'closed' }, anonymisedAt: { $ne: null } }, { $unset: { anonymisedAt: '' } }).exec();
      const closedAgain = await Ticket.find({ inboxId, status: 'closed', anonymisedAt: { $ne: null }, closedAt: { $gte: since } }, { closedAt: 1, anonymisedAt: 1 }).lean().exec();
      const ids = closedAgain.filter((t) => t.closedAt && t.anonymisedAt && t.closedAt.getTime() > t.anonymisedAt.getTime()).map((t) => t._id);
      if (ids.length > 0) await Ticket.updateMany({ _id: { $in: ids } }, { $unset: { anonymisedAt: '' } }).exec();
      return reopened.modifiedCount + ids.length;
    },

    /** Whether the ticket is still due (not reopened, not done by another run meanwhile). */
    async isDue(ticketId: Types.ObjectId, inboxId: Types.ObjectId, action: RetentionAction, cutoff: Date): Promise<boolean> {
      return (await Ticket.exists({ _id: ticketId, ...dueFilter(inboxId, action, cutoff) }).exec()) !== null;
    },

    /**
     * The GridFS files of a ticket: its messages' raw mails and attachments and its outbox rows' large
     * mails; with each file, whether a message of another ticket (a
     * forwarded attachment, a merge) still refers to it, in which case it must stay.
     */
    async filesOf(ticketId: Types.ObjectId): Promise<{ own: Types.ObjectId[]; shared: Types.ObjectId[] }> {
      const ids = new Map<string, Types.ObjectId>();
      const add = (id: Types.ObjectId | null | undefined) => id && ids.set(id.toHexString(), id);
      for await (const m of Message.find({ ticketId }, { 'attachments.fileId': 1, 'raw.fileId': 1 }).lean<Pick<MessageDoc, '_id' | 'attachments' | 'raw'>>().cursor()) {
        add(m.raw?.fileId);
        for (const a of m.attachments ?? []) add(a.fileId);
      }
      for (const o of await models.Outbox.find({ ticketId, rawBlobId: { $ne: null } }, { rawBlobId: 1 }).lean().exec()) add(o.rawBlobId);
      const all = [...ids.values()];
      const shared = new Set((await heldElsewhere(all, ticketId)).map((id) => id.toHexString()));
      return { own: all.filter((id) => !shared.has(id.toHexString())), shared: all.filter((id) => shared.has(id.toHexString())) };
    },

    /** The files uploaded on these tickets (a reply's attachments, a draft's), with their ticket. */
    async uploadFilesOf(ticketIds: readonly Types.ObjectId[]): Promise<Array<{ ticketId: Types.ObjectId; fileId: Types.ObjectId }>> {
      if (ticketIds.length === 0) return [];
      const rows = await models.Upload.find({ ticketId: { $in: ticketIds } }, { ticketId: 1, fileId: 1 }).lean().exec();
      return rows.map((u) => ({ ticketId: u.ticketId!, fileId: u.fileId }));
    },

    /** Which of these files a message of a ticket other than `ticketId` still refers to (they must stay). */
    filesHeldElsewhere: heldElsewhere,

    /**
     * Deletes what a batch of tickets holds in collections not indexed by ticket (one pass each per
     * batch rather than per ticket): reply drafts, notifications, uploads, and (`delete`) read marks.
     * Run before the tickets themselves, so a run interrupted after it still finds them due.
     */
    async clearBatch(ticketIds: readonly Types.ObjectId[], action: RetentionAction): Promise<void> {
      if (ticketIds.length === 0) return;
      const inBatch = { ticketId: { $in: ticketIds } };
      await models.ReplyDraft.deleteMany(inBatch).exec();
      await models.Notification.deleteMany(inBatch).exec();
      await models.Upload.deleteMany(inBatch).exec();
      if (action === 'delete') await models.TicketRead.deleteMany(inBatch).exec();
    },

    /**
     * Anonymises a ticket (its files were removed first): every message's headers, bodies, attachments
     * and raw mail; the trail's texts (types, times and ids stay, so reports count the same); the
     * rating's comment and address; side conversations' subjects and addresses; outbox copies deleted;
     * contacts no other ticket names deleted (see forgetContacts); then `event` is recorded and the ticket is marked with its
     * subject, people and search terms cleared. False when the ticket is no longer due (reopened, or
     * done by a concurrent run) before the mark: nothing is counted twice.
     */
    async anonymiseTicket(ticketId: Types.ObjectId, inboxId: Types.ObjectId, cutoff: Date, at: Date, event: TrailEventInput): Promise<boolean> {
      await scrubTicket(ticketId, event);
      return markAnonymised({ _id: ticketId, inboxId, status: 'closed', anonymisedAt: null, closedAt: { $ne: null, $lt: cutoff }, mergedIntoId: null }, at);
    },

    /**
     * Anonymises a ticket merged into a due one (anonymiseTicket's steps, without the due check): it
     * goes with the ticket it was merged into. False when it was marked already (by an earlier run).
     */
    async anonymiseMember(ticketId: Types.ObjectId, at: Date, event: TrailEventInput): Promise<boolean> {
      await scrubTicket(ticketId, event);
      return markAnonymised({ _id: ticketId, mergedIntoId: { $ne: null }, anonymisedAt: null }, at);
    },

    /**
     * The tickets merged into this one, at any depth: their messages show on it (store/merged-tickets.ts),
     * so they are anonymised or deleted with it, before it.
     */
    async mergedMembersOf(ticketId: Types.ObjectId): Promise<Types.ObjectId[]> {
      const seen = new Set([ticketId.toHexString()]);
      const members: Types.ObjectId[] = [];
      let frontier = [ticketId];
      while (frontier.length > 0) {
        const rows = await Ticket.find({ _id: { $in: frontier } }, { mergedTicketIds: 1 }).lean().exec();
        const next = rows.flatMap((r) => r.mergedTicketIds ?? []).filter((id) => !seen.has(id.toHexString()) && seen.add(id.toHexString()));
        frontier = (await Ticket.find({ _id: { $in: next }, mergedIntoId: { $ne: null } }, { _id: 1 }).lean().exec()).map((r) => r._id);
        members.push(...frontier);
      }
      return members;
    },

    /** Deletes a ticket merged into a due one, like deleteTicket without the due check. */
    async deleteMember(ticketId: Types.ObjectId): Promise<boolean> {
      const number = await removeTicketData(ticketId);
      const deleted = (await Ticket.deleteOne({ _id: ticketId, mergedIntoId: { $ne: null } }).exec()).deletedCount > 0;
      if (deleted && number !== null) await reportRows.forget([number]);
      return deleted;
    },

    /**
     * Deletes a ticket and everything that belongs to it (its files and its batch's drafts, reads,
     * notifications and uploads were removed first): messages, trail, rating, side conversations,
     * outbox copies, presence; contacts no other ticket names; other tickets' links to it; the
     * ticket last, so an interrupted delete is found and finished by the next run. False when it was
     * no longer there or no longer due.
     */
    async deleteTicket(ticketId: Types.ObjectId, inboxId: Types.ObjectId, cutoff: Date): Promise<boolean> {
      const number = await removeTicketData(ticketId);
      const deleted = (await Ticket.deleteOne({ _id: ticketId, ...dueFilter(inboxId, 'delete', cutoff) }).exec()).deletedCount > 0;
      // Its report row goes too (a crash in between: the nightly remake drops it).
      if (deleted && number !== null) await reportRows.forget([number]);
      return deleted;
    },
  };

  /** The scrub of anonymiseTicket, up to and including its trail entry (the mark is the caller's). */
  async function scrubTicket(ticketId: Types.ObjectId, event: TrailEventInput): Promise<void> {
    await Message.updateMany(
      { ticketId },
      // The references to other mails go too (a reply threads into a new ticket rather than this record); the
      // message's own id and dedupe key stay, so a re-synced mailbox does not bring the mail back.
      {
        $set: { subject: null, text: null, html: null, htmlRules: null, from: null, to: [], cc: [], replyTo: [], attachments: [], raw: null, references: [], inReplyTo: null, threadKeys: [] },
        $unset: { bcc: '' },
      },
    ).exec();
    await Message.updateMany({ ticketId, 'delivery.error': { $type: 'string' } }, { $set: { 'delivery.error': null } }).exec();
    await scrubTrail(ticketId);
    await models.SatisfactionRating.updateMany({ ticketId }, { $set: { comment: null, email: ANONYMISED_ADDRESS } }).exec();
    await models.SideConversation.updateMany({ ticketId }, { $set: { subject: '', to: [], participants: [] } }).exec();
    await removeCopies(ticketId);
    await forgetContacts(ticketId);
    await recordEvents(models, [event]);
  }

  /** Marks the ticket matching `filter` anonymised, its subject, people and search terms cleared; false when none matched. */
  async function markAnonymised(filter: Record<string, unknown>, at: Date): Promise<boolean> {
    const res = await Ticket.updateOne(filter, {
      $set: {
        subject: '', baseSubject: '', requester: { contactId: null, email: ANONYMISED_ADDRESS, name: null }, participants: [],
        searchTerms: [], searchVersion: SEARCH_INDEX_VERSION, anonymisedAt: at,
      },
    }).exec();
    return res.modifiedCount > 0;
  }

  /** What deleteTicket removes before the ticket itself; returns the ticket's number (null: no longer there). */
  async function removeTicketData(ticketId: Types.ObjectId): Promise<number | null> {
    await Message.deleteMany({ ticketId }).exec();
    await TicketEvent.deleteMany({ ticketId }).exec();
    await models.SatisfactionRating.deleteMany({ ticketId }).exec();
    await models.SideConversation.deleteMany({ ticketId }).exec();
    await removeCopies(ticketId);
    await forgetContacts(ticketId);
    // Links are kept both ways (store/ticket-links.ts): the ticket's own list names the tickets that list it.
    const ticket = await Ticket.findById(ticketId, { linkedTicketIds: 1, number: 1 }).lean().exec();
    const linked = ticket?.linkedTicketIds ?? [];
    if (linked.length > 0) await Ticket.updateMany({ _id: { $in: linked } }, { $pull: { linkedTicketIds: ticketId } }).exec();
    return ticket?.number ?? null;
  }

  async function heldElsewhere(fileIds: readonly Types.ObjectId[], ticketId: Types.ObjectId): Promise<Types.ObjectId[]> {
    if (fileIds.length === 0) return [];
    return (await Message.distinct('attachments.fileId', { 'attachments.fileId': { $in: fileIds }, ticketId: { $ne: ticketId } }).exec()) as Types.ObjectId[];
  }

  /**
   * Deletes the contacts of the ticket's requester and participants that no other ticket names any
   * more: nothing is left to keep their address and name for. A contact an admin linked to a person
   * (an alias, or a primary with aliases: services/contacts) stays. Runs while the ticket still
   * names them, so a rerun after a crash finds them again.
   */
  async function forgetContacts(ticketId: Types.ObjectId): Promise<void> {
    const ticket = await Ticket.findById(ticketId, { requester: 1, participants: 1 }).lean().exec();
    if (!ticket) return;
    const addresses = [...new Set([ticket.requester?.email, ...(ticket.participants ?? [])].filter((a): a is string => typeof a === 'string' && a !== ANONYMISED_ADDRESS).map((a) => a.toLowerCase()))];
    for (const email of addresses) {
      const elsewhere = { _id: { $ne: ticketId } };
      if (await Ticket.exists({ ...elsewhere, 'requester.email': email }).exec()) continue;
      if (await Ticket.exists({ ...elsewhere, participants: email }).exec()) continue;
      const contact = await models.Contact.findOne({ email }, { primaryContactId: 1 }).lean().exec();
      if (!contact || contact.primaryContactId || (await models.Contact.exists({ primaryContactId: contact._id }).exec())) continue;
      await models.Contact.deleteOne({ _id: contact._id, primaryContactId: { $in: [null] } }).exec();
    }
  }

  /** What only repeats a ticket's text, found by ticket: outbox copies (but one being sent right now) and presence. */
  async function removeCopies(ticketId: Types.ObjectId): Promise<void> {
    await models.Outbox.deleteMany({ ticketId, state: { $ne: 'sending' } }).exec();
    await models.TicketPresence.deleteMany({ ticketId }).exec();
  }

  /** Rewrites a ticket's trail with only what scrubTrailData keeps, and without customers' names as actors. */
  async function scrubTrail(ticketId: Types.ObjectId): Promise<void> {
    let ops: Array<{ updateOne: { filter: { _id: Types.ObjectId }; update: Record<string, unknown> } }> = [];
    const flush = async () => {
      if (ops.length > 0) await TicketEvent.bulkWrite(ops, { ordered: false });
      ops = [];
    };
    const events = TicketEvent.find({ ticketId }, { actor: 1, data: 1 }).lean<Array<Pick<TicketEventDoc, '_id' | 'actor' | 'data'>>>().cursor();
    for await (const e of events) {
      const label = e.actor?.kind === 'contact' ? null : (e.actor?.label ?? null);
      ops.push({ updateOne: { filter: { _id: e._id }, update: { $set: { data: scrubTrailData(e.data), 'actor.label': label } } } });
      if (ops.length >= EVENT_CHUNK) await flush();
    }
    await flush();
  }
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type RetentionStore = ReturnType<typeof createRetentionStore>;
