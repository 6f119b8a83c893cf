import type { Types } from 'mongoose';
import { ticketAccessKeys } from '../domain/teams.js';
import { onMerge, type TicketChanges } from '../domain/ticket.js';
import { metricChanges, metricsCalendarOf, type TicketMetrics } from '../domain/ticket-metrics.js';
import type { ImpactLevel, UrgencyLevel } from '../domain/priority-matrix.js';
import type { TicketPriority } from '../domain/ticket-status.js';
import { announceMerge, conversationTicketIds } from './merged-tickets.js';
import { recordNews, type NewsWrite } from './ticket-news-writes.js';
import { addMessageTerms, addTicketTerms } from './ticket-search-writes.js';
import type { Models } from './models/index.js';
import type { MessageDoc } from './models/message.js';
import type { TicketEventDoc } from './models/ticket-event.js';
import type { TicketDoc } from './models/ticket.js';

/** One trail entry to record; with a key, a retried step does not record it twice. */
export type TrailEventInput = Pick<TicketEventDoc, 'ticketId' | 'type' | 'actor' | 'data' | 'at'> & { key?: string };

type TrailModels = Pick<Models, 'TicketEvent'>;

/** Appends to a ticket's trail; with a key, a retried step does not record the same event twice. */
export async function recordEvent(models: TrailModels, event: TrailEventInput): Promise<void> {
  await recordEvents(models, [event]);
}

/** Appends several events in one round trip; keyed events already recorded are skipped. */
export async function recordEvents(models: TrailModels, events: TrailEventInput[]): Promise<void> {
  if (events.length === 0) return;
  try {
    await models.TicketEvent.insertMany(events, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
    const codes = writeErrors?.map((e) => e.code ?? e.err?.code) ?? [(err as { code?: number }).code];
    if (!codes.every((c) => c === 11000)) throw err;
  }
}

/** Changes to a ticket's own fields: what the ticket rules set (domain/ticket.ts) and what an agent edits. */
export interface TicketFieldChanges extends TicketChanges {
  priority?: TicketPriority;
  categoryId?: Types.ObjectId | null;
  impact?: ImpactLevel | null;
  urgency?: UrgencyLevel | null;
  priorityOverridden?: boolean;
  assigneeId?: Types.ObjectId | null;
  /** A new team: the store rewrites the ticket's access keys with it. */
  teamId?: Types.ObjectId | null;
  tags?: string[];
  /** The Spam mark (services/spam), set with the `spam` status and cleared (null) when leaving it. */
  spam?: TicketDoc['spam'];
}

/** One write to a ticket. */
export interface TicketWrite {
  changes: TicketFieldChanges;
  /** Messages this write adds to the conversation's count. */
  addedMessages?: number;
  /** Addresses (lower-case) that now take part in the conversation. */
  participants?: string[];
  /** News for unread marks (an agent's reply), recorded unless the ticket has later news. */
  news?: NewsWrite;
}

/** The `$set` of a change; SLA fields go by their dotted paths so the rest of the clock state stays. */
function setOf(changes: TicketFieldChanges): Record<string, unknown> {
  const { sla, ...fields } = changes;
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) set[key] = value;
  for (const [key, value] of Object.entries(sla ?? {})) if (value !== undefined) set[`sla.${key}`] = value;
  return set;
}

/**
 * The metric fields (domain/ticket-metrics.ts) a write sets, by path, and whether it adds a reopen: read
 * only when the write records a first reply or changes the status, with the ticket as it was and its
 * inbox's SLA calendar.
 */
async function metricsUpdateOf(models: Pick<Models, 'Ticket' | 'Inbox' | 'Team'>, ticketId: Types.ObjectId, changes: TicketFieldChanges): Promise<{ set: Record<string, unknown>; reopened: boolean }> {
  if (!changes.sla?.firstRespondedAt && !changes.status) return { set: {}, reopened: false };
  const ticket = await models.Ticket.findById(ticketId, { status: 1, createdAt: 1, originKey: 1, inboxId: 1, teamId: 1, priority: 1, metrics: 1, sla: 1 }).lean();
  if (!ticket) return { set: {}, reopened: false };
  const solving = changes.status === 'solved' && ticket.status !== 'solved';
  const inbox = changes.sla?.firstRespondedAt || solving ? await models.Inbox.findById(ticket.inboxId, { sla: 1 }).lean() : null;
  // A ticket solved while its clocks were stopped has no stored resolution due time: its target judges it.
  const judgedByTarget = solving && !ticket.sla?.resolutionDueAt && !!ticket.sla?.pausedAt;
  const team = judgedByTarget && ticket.teamId ? await models.Team.findById(ticket.teamId, { level: 1 }).lean() : null;
  const calendar = inbox ? metricsCalendarOf(inbox.sla, ticket.priority, team?.level ?? null) : { hours: null, resolutionTargetSeconds: null };
  const at = changes.solvedAt ?? changes.sla?.firstRespondedAt ?? ticket.createdAt;
  const { reopenCount, ...metrics } = metricChanges(ticket, changes, at, calendar.hours, calendar.resolutionTargetSeconds) ?? {};
  return { set: metricsPaths(metrics), reopened: reopenCount !== undefined };
}

/** Metric changes as dotted `$set` paths, so the metrics already stored stay. */
function metricsPaths(metrics: TicketMetrics): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  const { sla, ...fields } = metrics;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) set[`metrics.${key}`] = value;
  for (const [key, value] of Object.entries(sla ?? {})) if (value !== undefined) set[`metrics.sla.${key}`] = value;
  return set;
}

/** Applies one write to a ticket in one update (its metrics with it), then records its trail entries. */
export async function writeTicket(models: Pick<Models, 'Ticket' | 'TicketEvent' | 'Inbox' | 'Team'>, ticketId: Types.ObjectId, write: TicketWrite, events: TrailEventInput[] = []): Promise<void> {
  const metrics = await metricsUpdateOf(models, ticketId, write.changes);
  const set = { ...setOf(write.changes), ...metrics.set };
  if (write.changes.teamId !== undefined) {
    // Who may see the ticket follows its team: the access keys are rewritten with it, in the same update.
    const current = await models.Ticket.findById(ticketId, { inboxId: 1, escalatedFromTeamIds: 1 }).lean();
    if (current) set.access = ticketAccessKeys(current.inboxId, write.changes.teamId, current.escalatedFromTeamIds);
  }
  // Given an assignee, moved to another team, solved or closed: it no longer waits for a free agent (auto-assignment).
  const { assigneeId, teamId, status } = write.changes;
  if (assigneeId || teamId !== undefined || status === 'solved' || status === 'closed' || status === 'spam') set.assignment = null;
  const update = {
    ...(Object.keys(set).length > 0 ? { $set: set } : {}),
    // A reopen adds one where it lands, so two at once both count.
    ...(write.addedMessages || metrics.reopened ? { $inc: { ...(write.addedMessages ? { messageCount: write.addedMessages } : {}), ...(metrics.reopened ? { 'metrics.reopenCount': 1 } : {}) } } : {}),
    ...(write.participants ? { $addToSet: { participants: { $each: write.participants } } } : {}),
  };
  if (Object.keys(update).length > 0) await models.Ticket.updateOne({ _id: ticketId }, update);
  if (write.news) await recordNews(models, ticketId, write.news);
  await recordEvents(models, events);
}

/** Adds an agent's internal note to a ticket's conversation, and to its trail. */
export async function addNoteMessage(
  models: Pick<Models, 'Message' | 'TicketEvent' | 'Ticket'>,
  note: { ticketId: Types.ObjectId; inboxId: Types.ObjectId; text: string; authorId: Types.ObjectId | null; at: Date },
): Promise<MessageDoc> {
  const { ticketId, inboxId, text, authorId, at } = note;
  const created = await models.Message.create({ ticketId, inboxId, direction: 'note', text, authorId, createdAt: at });
  await addMessageTerms(models, ticketId, { text });
  await recordNews(models, ticketId, { at, by: authorId });
  await recordEvent(models, { ticketId, type: 'note_added', actor: { kind: 'user', id: authorId }, at, data: { messageId: created._id } });
  return created.toObject();
}

/**
 * Adds an internal note once per `key` (kept as the note's dedupe key, e.g. a mailed answer's
 * Message-ID): the insert is the commit point, and a retry finds the note and records its keyed
 * trail entry if a crash cut it. `created` is false when the note was there already.
 */
export async function addNoteMessageOnce(
  models: Pick<Models, 'Message' | 'TicketEvent' | 'Ticket'>,
  note: { ticketId: Types.ObjectId; inboxId: Types.ObjectId; text: string; authorId: Types.ObjectId; at: Date; key: string; via: 'email' },
): Promise<{ note: MessageDoc; created: boolean }> {
  const { ticketId, inboxId, text, authorId, at, key } = note;
  let doc: MessageDoc | null = null;
  let created = false;
  try {
    doc = (await models.Message.create({ ticketId, inboxId, direction: 'note', text, authorId, dedupeKey: key, createdAt: at })).toObject();
    created = true;
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    doc = await models.Message.findOne({ dedupeKey: key }).lean<MessageDoc>().exec();
    if (!doc) throw err;
  }
  await addMessageTerms(models, doc.ticketId, { text: doc.text });
  await recordNews(models, doc.ticketId, { at: doc.createdAt, by: doc.authorId ?? authorId });
  await recordEvent(models, { ticketId: doc.ticketId, type: 'note_added', actor: { kind: 'user', id: doc.authorId ?? authorId }, at: doc.createdAt, data: { messageId: doc._id, via: note.via }, key: `note:${key}` });
  return { note: doc, created };
}

/** Follows `mergedIntoId` to the ticket that now holds the conversation. */
export async function mergeRootOf(models: Pick<Models, 'Ticket'>, ticketId: Types.ObjectId): Promise<Types.ObjectId> {
  let current = ticketId;
  for (let hops = 0; hops < 20; hops++) {
    const t = await models.Ticket.findById(current, { mergedIntoId: 1 }).lean();
    if (!t?.mergedIntoId) return current;
    current = t.mergedIntoId;
  }
  return current;
}

/**
 * Recomputes what a ticket derives from the messages of its conversation (count, last activity), so
 * that re-running an interrupted ingest converges instead of counting a message twice. Bounces and
 * out-of-office notices count as little here as when they arrived.
 */
export async function refreshTicketStats(models: Pick<Models, 'Ticket' | 'Message'>, ticketId: Types.ObjectId): Promise<void> {
  const ticketIds = await conversationTicketIds(models, ticketId);
  const [stats] = await models.Message.aggregate<{ count: number; last: Date | null }>([
    // Automated mail we send (auto-replies) is not counted, as it is not when it is queued.
    // Side-conversation mail (sideConversationId) is not the customer's conversation and is not counted.
    { $match: { ticketId: { $in: ticketIds }, sideConversationId: null, direction: { $in: ['inbound', 'outbound'] }, 'flags.bounce': { $ne: true }, 'flags.autoReply': { $ne: true }, $nor: [{ direction: 'outbound', 'flags.autoSubmitted': true }] } },
    { $group: { _id: null, count: { $sum: 1 }, last: { $max: '$createdAt' } } },
  ]);
  await models.Ticket.updateOne(
    { _id: ticketId },
    { $set: { messageCount: stats?.count ?? 0 }, ...(stats?.last ? { $max: { lastActivityAt: stats.last } } : {}) },
  );
}

/**
 * An agent's claim on a merge, before {@link mergeTickets}: `intoId` announces `fromId`, then
 * `fromId` is pointed at `intoId` unless it already points somewhere, then `intoId` is checked to be
 * still unmerged. Of two agents merging A→B and B→A at once at most one wins; the loser's own
 * claim is undone. False when the merge lost (the caller answers CONFLICT). `alreadyPointing`:
 * `fromId` pointed at `intoId` when it was read (a retried merge).
 */
export async function claimMerge(models: Pick<Models, 'Ticket'>, claim: { fromId: Types.ObjectId; intoId: Types.ObjectId; alreadyPointing: boolean }): Promise<boolean> {
  const { fromId, intoId } = claim;
  await announceMerge(models, intoId, fromId);
  const pointed = await models.Ticket.updateOne({ _id: fromId, mergedIntoId: null }, { $set: { mergedIntoId: intoId } });
  if (pointed.modifiedCount === 0 && !claim.alreadyPointing) return false;
  if (!(await models.Ticket.exists({ _id: intoId, mergedIntoId: null }))) {
    if (pointed.modifiedCount > 0) await models.Ticket.updateOne({ _id: fromId, mergedIntoId: intoId }, { $set: { mergedIntoId: null } });
    return false;
  }
  return true;
}

/**
 * Merges `fromId` into `intoId`: `intoId` announces it, then one update closes `fromId` pointing at
 * `intoId` (domain/ticket.ts onMerge), and from that moment readers list its messages and trail
 * under `intoId` (see conversationTicketIds); nothing is moved. The survivor then takes its
 * participants, tags and links, and both trails record it, naming the threading system, or the
 * user `by` for an agent's merge. Idempotent: merging an already merged pair again converges, and a
 * ticket merged into another one is never re-pointed.
 */
export async function mergeTickets(models: Pick<Models, 'Ticket' | 'TicketEvent' | 'Message'>, opts: { intoId: Types.ObjectId; fromId: Types.ObjectId; at: Date; reason: string; by?: { userId: Types.ObjectId | null } }): Promise<void> {
  const { intoId, fromId, at } = opts;
  if (intoId.equals(fromId)) return;
  const [into, from] = await Promise.all([models.Ticket.findById(intoId).lean(), models.Ticket.findById(fromId).select('+searchTerms').lean()]);
  if (!into || !from) return;
  await announceMerge(models, intoId, fromId);
  const switched = await models.Ticket.updateOne(
    { _id: fromId, mergedIntoId: { $in: [null, intoId] } },
    { $set: { mergedIntoId: intoId, ...onMerge(from, at), messageCount: 0 } },
  );
  if (switched.matchedCount === 0) return;
  await models.Ticket.updateOne(
    { _id: intoId },
    { $addToSet: { participants: { $each: from.participants }, tags: { $each: from.tags }, linkedTicketIds: { $each: from.linkedTicketIds } } },
  );
  // The merged conversation is found by what either ticket was found by.
  await addTicketTerms(models, intoId, from.searchTerms ?? []);
  await refreshTicketStats(models, intoId);
  const keys = { into: `merge:${fromId}>${intoId}:into`, from: `merge:${fromId}>${intoId}:from` };
  const actor = opts.by ? { kind: 'user' as const, id: opts.by.userId, label: null } : { kind: 'system' as const, label: 'threading' };
  await recordEvent(models, { ticketId: intoId, type: 'merged', actor, at, data: { from: fromId, fromNumber: from.number, reason: opts.reason }, key: keys.into });
  await recordEvent(models, { ticketId: fromId, type: 'merged', actor, at, data: { into: intoId, intoNumber: into.number, reason: opts.reason }, key: keys.from });
  // An agent who merges a pair again (after threading did, or after a crash) is named on entries recorded before.
  if (opts.by) await models.TicketEvent.updateMany({ key: { $in: [keys.into, keys.from] } }, { $set: { actor } });
}
