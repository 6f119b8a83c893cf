import type { Types } from 'mongoose';
import { ticketAccessKeys } from '../domain/teams.js';
import { conversationTicketIds } from './merged-tickets.js';
import { nextSequence } from './models/counter.js';
import type { Models } from './models/index.js';
import type { MessageDoc } from './models/message.js';
import type { TicketDoc } from './models/ticket.js';
import { createTicketListQueries } from './ticket-list-queries.js';
import { createTicketLoadQueries } from './ticket-load-queries.js';
import { relateTickets, type TicketRelation } from './ticket-links.js';
import { createTicketLifecycleWrites } from './ticket-lifecycle-writes.js';
import { createTicketSlaWrites } from './ticket-sla-writes.js';
import { createTicketAssignmentWrites } from './ticket-assignment-writes.js';
import { createTicketEscalationWrites } from './ticket-escalation-writes.js';
import { createTicketSatisfactionWrites } from './ticket-satisfaction-writes.js';
import { addNoteMessage, addNoteMessageOnce, claimMerge, mergeRootOf, mergeTickets, writeTicket, type TicketWrite, type TrailEventInput } from './ticket-writes.js';

export type { TicketFieldChanges, TicketWrite } from './ticket-writes.js';
export type { TicketRelation } from './ticket-links.js';
export type { TicketListFilter, TicketListQuery, TicketListSort, TicketSummaryRow, TicketTermFilter } from './ticket-list-queries.js';
export type { TicketLoadFilter, TicketLoadRow } from './ticket-load-queries.js';
export type { SlaClockFields } from './ticket-sla-writes.js';
export type { AssignableTicketRow } from './ticket-assignment-writes.js';
export type { EscalationWrite } from './ticket-escalation-writes.js';
export type { LifecycleRow, StoredSnooze } from './ticket-lifecycle-writes.js';

/** What threading reads of a candidate ticket. */
const CANDIDATE_FIELDS = { number: 1, inboxId: 1, status: 1, closedAt: 1, participants: 1, mergedIntoId: 1 } as const;

/** A ticket as threading reads it. */
export type ThreadCandidateRow = Pick<TicketDoc, '_id' | keyof typeof CANDIDATE_FIELDS>;

/** The fields of a ticket that ingest opens, besides its number (the mail's dedupe key becomes `originKey`). */
export type OpeningTicketFields = Pick<
  TicketDoc,
  'inboxId' | 'teamId' | 'subject' | 'baseSubject' | 'status' | 'requester' | 'searchTerms' | 'searchVersion' | 'participants' | 'lastActivityAt' | 'flags' | 'linkedTicketIds'
> & Partial<Pick<TicketDoc, 'spam'>>;

/**
 * Tickets: reads by id, number and thread, the list and report queries, and every write to a
 * ticket, each with its trail entries; merges (which also recount the conversation's messages).
 */
export function createTicketStore(models: Pick<Models, 'Ticket' | 'Counter' | 'TicketEvent' | 'Message' | 'Inbox' | 'Team'>) {
  return {
    ...createTicketListQueries(models),
    ...createTicketLoadQueries(models),
    ...createTicketSlaWrites(models),
    ...createTicketLifecycleWrites(models),
    ...createTicketAssignmentWrites(models),
    ...createTicketEscalationWrites(models),
    ...createTicketSatisfactionWrites(models),

    /** One ticket, whole; null when there is none. */
    async findById(id: Types.ObjectId): Promise<TicketDoc | null> {
      return models.Ticket.findById(id).lean();
    },

    /** Tickets by id, whole, in no particular order; missing ones are left out. */
    async listByIds(ids: readonly Types.ObjectId[]): Promise<TicketDoc[]> {
      return models.Ticket.find({ _id: { $in: ids } }).lean();
    },

    /** The newest tickets (not merged away), newest first, within the access keys when given: what a routing dry-run reads. */
    async listNewest(limit: number, access?: string[]): Promise<TicketDoc[]> {
      return models.Ticket.find({ mergedIntoId: null, ...(access ? { access: { $in: access } } : {}) }).sort({ createdAt: -1, _id: -1 }).limit(limit).lean();
    },

    /** A ticket's number and inbox, to name it (or not) to an actor. */
    async findRef(id: Types.ObjectId): Promise<Pick<TicketDoc, '_id' | 'number' | 'inboxId' | 'teamId' | 'escalatedFromTeamIds'> | null> {
      return models.Ticket.findById(id).select({ number: 1, inboxId: 1, teamId: 1, escalatedFromTeamIds: 1 }).lean();
    },

    /** {@link findRef} for several tickets. */
    async listRefs(ids: readonly Types.ObjectId[]): Promise<Array<Pick<TicketDoc, '_id' | 'number' | 'inboxId' | 'teamId' | 'status' | 'escalatedFromTeamIds'>>> {
      return models.Ticket.find({ _id: { $in: ids } }).select({ number: 1, inboxId: 1, teamId: 1, status: 1, escalatedFromTeamIds: 1 }).lean();
    },

    /** The inbox and team a ticket belongs to, by which access to it is decided. */
    async findInboxOf(id: Types.ObjectId): Promise<Pick<TicketDoc, '_id' | 'inboxId' | 'teamId' | 'escalatedFromTeamIds'> | null> {
      return models.Ticket.findById(id).select({ inboxId: 1, teamId: 1, escalatedFromTeamIds: 1 }).lean();
    },

    /** The first of these tickets that holds one of the `access` keys (any ticket without them), by its id only. */
    async findOneAmong(ids: readonly Types.ObjectId[], access?: string[]): Promise<Pick<TicketDoc, '_id'> | null> {
      return models.Ticket.findOne({ _id: { $in: ids }, ...(access ? { access: { $in: access } } : {}) }).select({ _id: 1 }).lean();
    },

    /** The ticket with this number, by its id only. */
    async findIdByNumber(number: number): Promise<Pick<TicketDoc, '_id'> | null> {
      return models.Ticket.findOne({ number }, { _id: 1 }).lean();
    },

    /** The tickets with these numbers, by their ids only. */
    async listIdsByNumbers(numbers: readonly number[]): Promise<Array<Pick<TicketDoc, '_id'>>> {
      return models.Ticket.find({ number: { $in: numbers } }, { _id: 1 }).lean();
    },

    /** Tickets as threading weighs them, by id (merged ones included, `mergedIntoId` says which). */
    async listThreadCandidates(ids: readonly Types.ObjectId[]): Promise<ThreadCandidateRow[]> {
      return models.Ticket.find({ _id: { $in: ids } }, CANDIDATE_FIELDS).lean();
    },

    /** One ticket as threading weighs it. */
    async findThreadCandidate(id: Types.ObjectId): Promise<ThreadCandidateRow | null> {
      return models.Ticket.findById(id, CANDIDATE_FIELDS).lean();
    },

    /**
     * The unmerged ticket, in one of `inboxIds`, with this base subject that `participant` takes part in
     * and that was active since `since`; the most recently active one.
     */
    async findSubjectMatch(opts: { baseSubject: string; participant: string; inboxIds: Types.ObjectId[]; since: Date }): Promise<ThreadCandidateRow | null> {
      return models.Ticket.findOne(
        { baseSubject: opts.baseSubject, participants: opts.participant, inboxId: { $in: opts.inboxIds }, mergedIntoId: null, lastActivityAt: { $gte: opts.since } },
        CANDIDATE_FIELDS,
      )
        .sort({ lastActivityAt: -1 })
        .lean();
    },

    /** What a resumed ingest reads of a ticket: its status, the mail that opened it, its links. */
    async findIngestState(id: Types.ObjectId): Promise<Pick<TicketDoc, '_id' | 'status' | 'originKey' | 'linkedTicketIds'> | null> {
      return models.Ticket.findById(id, { status: 1, originKey: 1, linkedTicketIds: 1 }).lean();
    },

    /** The next ticket number; atomic across processes. */
    nextNumber(): Promise<number> {
      return nextSequence(models.Counter, 'ticket');
    },

    /**
     * Opens the ticket of the mail with this dedupe key, unless it exists: a retry after a crash, or a
     * process that got there first, finds that one instead. Returns the ticket either way.
     */
    async openOnce(originKey: string, doc: OpeningTicketFields & Pick<TicketDoc, 'number'>): Promise<TicketDoc | null> {
      const filter = { originKey };
      return models.Ticket.findOneAndUpdate(filter, { $setOnInsert: { ...doc, access: ticketAccessKeys(doc.inboxId, doc.teamId) } }, { upsert: true, returnDocument: 'after', lean: true }).catch(async (err: { code?: number }) => {
        if (err.code !== 11000) throw err;
        return models.Ticket.findOne(filter).lean();
      });
    },

    /** Starts the next-response clock of the tickets that now wait for an answer, unless it already runs. */
    async startAwaiting(ids: readonly Types.ObjectId[], at: Date): Promise<void> {
      await models.Ticket.updateMany({ _id: { $in: ids }, 'sla.awaitingSince': null }, { $set: { 'sla.awaitingSince': at } });
    },

    /** The tickets whose messages and trail a ticket shows (itself first); see merged-tickets.ts. `read`: the ticket as just read. */
    conversationIds(id: Types.ObjectId, read?: { mergedTicketIds?: Types.ObjectId[] | null }): Promise<Types.ObjectId[]> {
      return conversationTicketIds(models, id, read);
    },

    /** Follows `mergedIntoId` to the ticket that now holds the conversation. */
    mergeRootOf(id: Types.ObjectId): Promise<Types.ObjectId> {
      return mergeRootOf(models, id);
    },

    /** Applies one write to a ticket in one update, then records its trail entries. */
    write(id: Types.ObjectId, write: TicketWrite, events: TrailEventInput[] = []): Promise<void> {
      return writeTicket(models, id, write, events);
    },

    /** Adds an agent's internal note to a ticket's conversation, and to its trail. */
    addNote(note: { ticketId: Types.ObjectId; inboxId: Types.ObjectId; text: string; authorId: Types.ObjectId | null; at: Date }): Promise<MessageDoc> {
      return addNoteMessage(models, note);
    },

    /** An internal note written outside the app (an agent's mailed answer), once per key; see ticket-writes.ts addNoteMessageOnce. */
    addNoteOnce(note: { ticketId: Types.ObjectId; inboxId: Types.ObjectId; text: string; authorId: Types.ObjectId; at: Date; key: string; via: 'email' }): Promise<{ note: MessageDoc; created: boolean }> {
      return addNoteMessageOnce(models, note);
    },

    /** An agent's claim on a merge, before {@link merge}; false when another merge of the pair won. See ticket-writes.ts claimMerge. */
    claimMerge(claim: { fromId: Types.ObjectId; intoId: Types.ObjectId; alreadyPointing: boolean }): Promise<boolean> {
      return claimMerge(models, claim);
    },

    /** Merges `fromId` into `intoId` (idempotent; see ticket-writes.ts mergeTickets). */
    merge(opts: { intoId: Types.ObjectId; fromId: Types.ObjectId; at: Date; reason: string; by?: { userId: Types.ObjectId | null } }): Promise<void> {
      return mergeTickets(models, opts);
    },

    /**
     * Takes every ticket off a deleted team: no team, and its access keys back to its inbox's alone.
     * Returns how many tickets changed. One update per inbox the team's tickets are in.
     */
    async detachTeam(teamId: Types.ObjectId): Promise<number> {
      let changed = 0;
      const inboxIds = await models.Ticket.distinct('inboxId', { teamId, escalatedFromTeamIds: { $exists: false } }).exec();
      for (const inboxId of inboxIds as Types.ObjectId[]) {
        const res = await models.Ticket.updateMany({ teamId, inboxId, escalatedFromTeamIds: { $exists: false } }, { $set: { teamId: null, access: ticketAccessKeys(inboxId, null) } }).exec();
        changed += res.modifiedCount;
      }
      // Escalated tickets (few) keep the keys of their other teams: one at a time.
      for await (const t of models.Ticket.find({ $or: [{ teamId }, { escalatedFromTeamIds: teamId }] }, { inboxId: 1, teamId: 1, escalatedFromTeamIds: 1 }).lean()) {
        const newTeamId = t.teamId?.equals(teamId) ? null : (t.teamId ?? null);
        const from = (t.escalatedFromTeamIds ?? []).filter((id) => !id.equals(teamId));
        await models.Ticket.updateOne({ _id: t._id }, { $set: { teamId: newTeamId, escalatedFromTeamIds: from, access: ticketAccessKeys(t.inboxId, newTeamId, from) } }).exec();
        if (t.teamId?.equals(teamId)) changed += 1;
      }
      return changed;
    },

    /** Relates each pair of tickets both ways, with one trail entry per side (idempotent; see ticket-links.ts). */
    relate(relations: readonly TicketRelation[]): Promise<void> {
      return relateTickets(models, relations);
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type TicketStore = ReturnType<typeof createTicketStore>;
