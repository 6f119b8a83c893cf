import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { IMPACT_LEVELS, URGENCY_LEVELS, type ImpactLevel, type UrgencyLevel } from '../../domain/priority-matrix.js';
import { SATISFACTION_RATINGS, type SatisfactionRating } from '../../domain/satisfaction.js';
import { ticketAccessKeys } from '../../domain/teams.js';
import type { TicketMetrics } from '../../domain/ticket-metrics.js';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../../domain/ticket-status.js';

/** SLA clock state kept on the ticket so lists can show badges without a join. */
export interface TicketSla {
  firstResponseDueAt?: Date | null;
  nextResponseDueAt?: Date | null;
  resolutionDueAt?: Date | null;
  firstRespondedAt?: Date | null;
  /** The oldest customer message no agent has answered yet (next-response clock). */
  awaitingSince?: Date | null;
  pausedAt?: Date | null;
  pausedSeconds: number;
  escalationLevel: number;
  breachedAt?: Date | null;
  /** When the ticket reached its current level by escalation: its clocks count from then (domain/sla.ts). Absent: never escalated. */
  levelSince?: Date | null;
  /** Keys of SLA reminders, breaches and escalations already acted on: each happens once. */
  done: string[];
}

/** Stored next to the SLA state for the "due soon" filter only; not part of any view. */
interface TicketSlaIndexFields {
  /** Earliest running due time or recorded breach (domain/sla-due.ts slaNextDueAt). */
  nextDueAt?: Date | null;
}

export interface TicketDoc {
  _id: Types.ObjectId;
  number: number;
  inboxId: Types.ObjectId;
  subject: string;
  /** RFC 5256 base subject, for the participant-only subject fallback in threading. */
  baseSubject: string;
  /** Dedupe key of the mail that opened the ticket: makes ticket creation idempotent on retry. */
  originKey?: string | null;
  status: TicketStatus;
  priority: TicketPriority;
  /** The support team working it (store/models/team.ts), and so its level; null or absent: none. */
  teamId?: Types.ObjectId | null;
  /**
   * Who may see it, as keys `inbox:<id>` and `team:<id>` (domain/teams.ts ticketAccessKeys): kept by
   * the ticket store on every write of `inboxId` or `teamId`, so an agent's list is one indexed `$in`.
   */
  access: string[];
  /**
   * The teams it was escalated from (services/tickets/escalate-ticket.ts): their members keep seeing it
   * (a `team:<id>` access key each), read-only unless it comes back to them. Absent: never escalated.
   */
  escalatedFromTeamIds?: Types.ObjectId[];
  /** The admins' category (store/models/category.ts); null or absent (older tickets): none. */
  categoryId?: Types.ObjectId | null;
  /** ITIL impact and urgency; null or absent: not assessed. Priority follows them (domain/priority-matrix.ts) unless overridden. */
  impact?: ImpactLevel | null;
  urgency?: UrgencyLevel | null;
  /** The priority was set by hand: impact and urgency no longer move it. Absent on older tickets: false. */
  priorityOverridden?: boolean;
  requester: { contactId?: Types.ObjectId | null; email: string; name?: string | null };
  participants: string[];
  assigneeId?: Types.ObjectId | null;
  tags: string[];
  /** Search terms (domain/ticket-search.ts): the subject, requester and messages; migration 6 writes them on older tickets. */
  searchTerms?: string[];
  searchVersion?: number;
  messageCount: number;
  lastActivityAt: Date;
  /**
   * The latest news on the ticket, for unread marks (domain/unread.ts): when a mail, reply or note was
   * written, and the agent who wrote it (null: mail from outside). Unlike `lastActivityAt` a note
   * counts, and the time is when it was stored, never a mail's own date. Absent on older tickets: `lastActivityAt` stands in.
   */
  newsAt?: Date | null;
  newsBy?: Types.ObjectId | null;
  solvedAt?: Date | null;
  closedAt?: Date | null;
  /** When it last became pending (domain/ticket.ts transition); read only while pending. Absent on older tickets. */
  pendingSince?: Date | null;
  /** Lifecycle steps already done (domain/lifecycle.ts LifecycleStep.key): a pending reminder is sent once per period. */
  lifecycleDone?: string[];
  /**
   * Snoozed (services/lifecycle/snooze-ticket.ts): hidden from the lists until `snooze.until` or a
   * customer mail. A plain flag so every list filter stays one condition on one field, never an `$or`.
   */
  snoozed?: boolean;
  /** The current snooze, while `snoozed`: until when (null: until the customer replies only), who asked and when. */
  snooze?: { until: Date | null; untilReply: boolean; at: Date; by: Types.ObjectId | null } | null;
  /** The mark of a ticket back from a snooze, until someone acts on it. */
  wokeFromSnooze?: { at: Date; reason: 'time' | 'customer_replied' } | null;
  /**
   * While the status is `spam` (services/spam): when and by whom it was marked (null: ingest, for a
   * blocked sender), the status it returns to when it is not spam, and the block-list entry it added.
   */
  spam?: { at: Date; by: Types.ObjectId | null; from: TicketStatus; block: { kind: 'sender' | 'domain'; value: string } | null } | null;
  /**
   * Waiting for a free agent of its team (services/teams/auto-assign-ticket.ts): every member was away or
   * at the cap when it was to be auto-assigned. Cleared when it gets an assignee, leaves the team or is solved.
   */
  assignment?: { waitingTeamId: Types.ObjectId; since: Date } | null;
  /** The customer's satisfaction rating (store/models/satisfaction-rating.ts holds the comment); a `bad` one flags the ticket. Absent: not rated. */
  satisfaction?: { rating: SatisfactionRating; at: Date } | null;
  mergedIntoId?: Types.ObjectId | null;
  /** Tickets announced as merging into this one; each counts once its own `mergedIntoId` says so (store/merged-tickets.ts). */
  mergedTicketIds?: Types.ObjectId[];
  linkedTicketIds: Types.ObjectId[];
  flags: { autoSubmitted: boolean };
  sla: TicketSla & TicketSlaIndexFields;
  /**
   * First response, resolution, reopens and SLA attainment (domain/ticket-metrics.ts), written by the
   * write that makes each happen (store/ticket-writes.ts); migration 7 fills them in on older tickets.
   */
  metrics?: TicketMetrics | null;
  /** When the inbox's retention policy anonymised it (services/retention): its people and texts are gone, counts and timings kept. Absent: never. */
  anonymisedAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const ticketSchema = new Schema<TicketDoc>(
  {
    number: { type: Number, required: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    subject: { type: String, default: '' },
    baseSubject: { type: String, default: '' },
    originKey: { type: String },
    status: { type: String, enum: TICKET_STATUSES, default: 'new' },
    priority: { type: String, enum: TICKET_PRIORITIES, default: 'normal' },
    teamId: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    access: { type: [String], default: undefined },
    escalatedFromTeamIds: { type: [Schema.Types.ObjectId], ref: 'Team', default: undefined },
    categoryId: { type: Schema.Types.ObjectId, ref: 'Category', default: null },
    impact: { type: String, enum: [...IMPACT_LEVELS, null], default: null },
    urgency: { type: String, enum: [...URGENCY_LEVELS, null], default: null },
    priorityOverridden: { type: Boolean, default: false },
    requester: {
      contactId: { type: Schema.Types.ObjectId, ref: 'Contact', default: null },
      email: { type: String, required: true, lowercase: true, trim: true },
      name: { type: String, default: null },
    },
    participants: { type: [String], default: [] },
    assigneeId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    tags: { type: [String], default: [] },
    // Hundreds to thousands of terms: read only by the queries that ask for them (merge).
    searchTerms: { type: [String], default: undefined, select: false },
    /** Which version of domain/ticket-search.ts wrote the terms (older ones are re-indexed by a migration). */
    searchVersion: { type: Number, default: undefined },
    messageCount: { type: Number, default: 0 },
    lastActivityAt: { type: Date, required: true, default: () => new Date() },
    newsAt: { type: Date, default: undefined },
    newsBy: { type: Schema.Types.ObjectId, default: undefined },
    solvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    pendingSince: { type: Date, default: undefined },
    lifecycleDone: { type: [String], default: undefined },
    snoozed: { type: Boolean, default: undefined },
    snooze: {
      type: new Schema({ until: { type: Date, default: null }, untilReply: { type: Boolean, default: false }, at: { type: Date, required: true }, by: { type: Schema.Types.ObjectId, default: null } }, { _id: false }),
      default: undefined,
    },
    wokeFromSnooze: {
      type: new Schema({ at: { type: Date, required: true }, reason: { type: String, enum: ['time', 'customer_replied'], required: true } }, { _id: false }),
      default: undefined,
    },
    spam: {
      type: new Schema({
        at: { type: Date, required: true },
        by: { type: Schema.Types.ObjectId, default: null },
        from: { type: String, enum: TICKET_STATUSES, required: true },
        block: { type: new Schema({ kind: { type: String, enum: ['sender', 'domain'], required: true }, value: { type: String, required: true } }, { _id: false }), default: null },
      }, { _id: false }),
      default: undefined,
    },
    assignment: {
      type: new Schema({ waitingTeamId: { type: Schema.Types.ObjectId, required: true }, since: { type: Date, required: true } }, { _id: false }),
      default: undefined,
    },
    satisfaction: {
      type: new Schema({ rating: { type: String, enum: SATISFACTION_RATINGS, required: true }, at: { type: Date, required: true } }, { _id: false }),
      default: undefined,
    },
    mergedIntoId: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    mergedTicketIds: { type: [Schema.Types.ObjectId], default: undefined },
    linkedTicketIds: { type: [Schema.Types.ObjectId], default: [] },
    flags: { autoSubmitted: { type: Boolean, default: false } },
    sla: {
      firstResponseDueAt: { type: Date, default: null },
      nextResponseDueAt: { type: Date, default: null },
      resolutionDueAt: { type: Date, default: null },
      firstRespondedAt: { type: Date, default: null },
      awaitingSince: { type: Date, default: null },
      pausedAt: { type: Date, default: null },
      pausedSeconds: { type: Number, default: 0 },
      escalationLevel: { type: Number, default: 0 },
      breachedAt: { type: Date, default: null },
      levelSince: { type: Date, default: undefined },
      done: { type: [String], default: [] },
      nextDueAt: { type: Date, default: null },
    },
    // Written by path (`metrics.<field>`), never as a whole: absent until the first event.
    metrics: { type: Schema.Types.Mixed, default: undefined },
    anonymisedAt: { type: Date, default: undefined },
  },
  { timestamps: true, collection: 'tickets' },
);
// A ticket created through the model (tests, tools) gets its access keys like the store's writes give them.
ticketSchema.pre('validate', function setAccess() {
  if (this.inboxId) this.access = ticketAccessKeys(this.inboxId, this.teamId, this.escalatedFromTeamIds);
});
// List views: newest activity first, keyset-paged on (lastActivityAt, _id), per inbox and status.
ticketSchema.index({ number: 1 }, { unique: true });
ticketSchema.index({ inboxId: 1, status: 1, lastActivityAt: -1, _id: -1 });
ticketSchema.index({ inboxId: 1, lastActivityAt: -1, _id: -1 });
// An agent's lists (every inbox and team they may see): equality on one of their access keys, then the list order.
ticketSchema.index({ access: 1, lastActivityAt: -1, _id: -1 });
ticketSchema.index({ access: 1, status: 1, lastActivityAt: -1, _id: -1 });
ticketSchema.index({ teamId: 1, status: 1, lastActivityAt: -1, _id: -1 });
// A team's (or a level's) list without a status: like an inbox's, walked in list order rather than
// reading every ticket the team ever had and sorting them.
ticketSchema.index({ teamId: 1, lastActivityAt: -1, _id: -1 });
ticketSchema.index({ lastActivityAt: -1, _id: -1 });
ticketSchema.index({ assigneeId: 1, status: 1, lastActivityAt: -1, _id: -1 });
// A person's tickets in any status (the team load's links, `assignee=<id>` without `status`).
ticketSchema.index({ assigneeId: 1, lastActivityAt: -1, _id: -1 });
ticketSchema.index({ 'requester.email': 1, createdAt: -1 });
// A person's tickets where they were copied rather than the requester (services/contacts, personal data).
ticketSchema.index({ participants: 1, createdAt: -1 });
// Tag filter: equality on the multikey field, then the inbox and the list order. With the inbox or an
// agent's inboxes bound, MongoDB walks it in keyset order; otherwise the matches are sorted.
ticketSchema.index({ tags: 1, inboxId: 1, lastActivityAt: -1, _id: -1 });
// Text search: the terms alone. A ticket holds thousands; any other field in this key (the list's
// lastActivityAt) would rewrite all of its entries on every new message. A rare word's tickets are
// read through it and sorted; a common word's are found walking a list index in order (the query
// planner races both).
ticketSchema.index({ searchTerms: 1 });
// "Due soon" and the list sorted by due time: a range on the next due time in order, `_id` breaking
// ties for the keyset, per inbox, per access key (an agent's lists, merged in order) and across inboxes.
ticketSchema.index({ inboxId: 1, 'sla.nextDueAt': 1, _id: 1 });
ticketSchema.index({ 'sla.nextDueAt': 1, _id: 1 });
ticketSchema.index({ access: 1, 'sla.nextDueAt': 1, _id: 1 });
// The list sorted by creation, newest first.
ticketSchema.index({ inboxId: 1, createdAt: -1, _id: -1 });
ticketSchema.index({ access: 1, createdAt: -1, _id: -1 });
ticketSchema.index({ createdAt: -1, _id: -1 });
// The Snoozed view: equality on the flag, in list order (every other list reads `snoozed: {$ne: true}` on its own index).
ticketSchema.index({ snoozed: 1, lastActivityAt: -1, _id: -1 });
// The Spam view across every inbox (an admin's): equality on the status, in list order, so its count reads only spam
// (an inbox's or an agent's Spam view rides on the (inboxId | access, status, …) indexes above).
ticketSchema.index({ status: 1, lastActivityAt: -1, _id: -1 });
// A team's tickets waiting for a free agent, oldest first (auto-assignment's refill).
ticketSchema.index({ 'assignment.waitingTeamId': 1, 'assignment.since': 1, _id: 1 });
// Reports and digests (domain/ticket-metrics.ts): tickets solved, and first answered, in a period (then by inbox).
// Tickets created in a period per inbox ride on (inboxId, createdAt, _id) above.
ticketSchema.index({ 'metrics.lastSolvedAt': 1, inboxId: 1 });
ticketSchema.index({ 'metrics.firstResponseAt': 1, inboxId: 1 });
ticketSchema.index({ originKey: 1 }, { unique: true, sparse: true });
// The report rows' catch-up (store/report-row-store.ts): the tickets changed since it last ran.
ticketSchema.index({ updatedAt: 1 });
// Retention (services/retention): an inbox's closed tickets not yet anonymised (the marker, null when absent), oldest closed first.
ticketSchema.index({ inboxId: 1, status: 1, anonymisedAt: 1, closedAt: 1 });
ticketSchema.index({ baseSubject: 1, lastActivityAt: -1 });

export type TicketModel = Model<TicketDoc>;

export function ticketModel(conn: Connection): TicketModel {
  return conn.model<TicketDoc>('Ticket', ticketSchema);
}
