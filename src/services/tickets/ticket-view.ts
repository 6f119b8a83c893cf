import type { SatisfactionRating } from '../../domain/satisfaction.js';
import type { TeamLevel } from '../../domain/teams.js';
import { toTicketMetrics, type TicketMetricsView } from '../../domain/ticket-metrics.js';
import { ACTIVE_TICKET_STATUSES } from '../../domain/ticket-status.js';
import type { ImpactLevel, UrgencyLevel } from '../../domain/priority-matrix.js';
import type { MessageDoc } from '../../store/models/message.js';
import type { TicketEventDoc } from '../../store/models/ticket-event.js';
import type { TicketDoc, TicketSla } from '../../store/models/ticket.js';
import type { TicketSummaryRow } from '../../store/ticket-store.js';

/** What a ticket list reads of a ticket (the ticket store's list projection). */
export type TicketSummarySource = TicketSummaryRow;

/** A ticket in a list. */
export interface TicketSummaryView {
  id: string;
  number: number;
  subject: string;
  status: TicketDoc['status'];
  priority: TicketDoc['priority'];
  inboxId: string;
  requester: { email: string; name: string | null };
  assigneeId: string | null;
  /** The team working the ticket; null for none. */
  teamId: string | null;
  /** The level of that team; null without a team (or when the team is gone). */
  level: TeamLevel | null;
  categoryId: string | null;
  impact: ImpactLevel | null;
  urgency: UrgencyLevel | null;
  tags: string[];
  messageCount: number;
  lastActivityAt: Date;
  createdAt: Date;
  updatedAt: Date;
  sla: Required<{ [K in Exclude<keyof TicketSla, 'done' | 'levelSince'>]: NonNullable<TicketSla[K]> | null }>;
  /** Snoozed: hidden from the lists until `until` (null: no time) or, with `untilReply`, until the customer writes; null when not snoozed. */
  snooze: { until: Date | null; untilReply: boolean } | null;
  /** Back from a snooze and not acted on yet: when, and whether the time came or the customer wrote; null otherwise. */
  backFromSnooze: { at: Date; reason: 'time' | 'customer_replied' } | null;
  /** Waiting, unassigned, for a free agent of its team (auto-assignment found all away or at the cap); null otherwise. */
  waitingForAgent: { teamId: string; since: Date } | null;
  /** The customer's satisfaction rating (services/satisfaction); a `bad` one flags the ticket. Null: not rated. */
  satisfaction: { rating: SatisfactionRating; at: Date } | null;
  /** The metrics stored on the ticket when their events happened (domain/ticket-metrics.ts). */
  metrics: TicketMetricsView;
}

export { toTicketMetrics, type TicketMetricsView };

/** How a ticket is classified: category, ITIL impact and urgency, and whether its priority was set by hand. */
export interface TicketClassificationView {
  categoryId: string | null;
  /** The team working the ticket (its members see it); null for none. */
  teamId: string | null;
  impact: ImpactLevel | null;
  urgency: UrgencyLevel | null;
  priorityOverridden: boolean;
}

/** A ticket as a change answers it: its list shape (with its team's level) and its classification. */
export type TicketStateView = TicketSummaryView & TicketClassificationView;

/** A ticket's classification; tickets stored before it existed read as not classified. */
export function toTicketClassification(t: Pick<TicketDoc, 'categoryId' | 'teamId' | 'impact' | 'urgency' | 'priorityOverridden'>): TicketClassificationView {
  return {
    categoryId: t.categoryId?.toHexString() ?? null,
    teamId: t.teamId?.toHexString() ?? null,
    impact: t.impact ?? null,
    urgency: t.urgency ?? null,
    priorityOverridden: t.priorityOverridden ?? false,
  };
}

export interface MessageView {
  id: string;
  direction: MessageDoc['direction'];
  messageId: string | null;
  from: { address: string; name: string | null } | null;
  to: Array<{ address: string; name: string | null }>;
  cc: Array<{ address: string; name: string | null }>;
  /** Blind copies of our own mail (agents only; never in the mail's headers). */
  bcc: Array<{ address: string; name: string | null }>;
  subject: string | null;
  text: string | null;
  html: string | null;
  attachments: Array<{ id: string; filename: string | null; contentType: string; size: number; inline: boolean; contentId: string | null }>;
  flags: MessageDoc['flags'];
  createdAt: Date;
}

export interface TicketEventView {
  id: string;
  type: TicketEventDoc['type'];
  actor: { kind: TicketEventDoc['actor']['kind']; id: string | null; label: string | null };
  data: Record<string, unknown>;
  at: Date;
}

const address = (a: { address: string; name?: string | null }) => ({ address: a.address, name: a.name ?? null });

/** Maps a stored ticket to its list shape; `level` is its team's (read by the caller: levels are not stored on tickets). */
export function toTicketSummary(t: TicketSummarySource, level: TeamLevel | null): TicketSummaryView {
  const sla = t.sla ?? { pausedSeconds: 0, escalationLevel: 0 };
  return {
    id: t._id.toHexString(),
    number: t.number,
    subject: t.subject,
    status: t.status,
    priority: t.priority,
    inboxId: t.inboxId.toHexString(),
    requester: { email: t.requester.email, name: t.requester.name ?? null },
    assigneeId: t.assigneeId?.toHexString() ?? null,
    teamId: t.teamId?.toHexString() ?? null,
    level: t.teamId ? level : null,
    categoryId: t.categoryId?.toHexString() ?? null,
    impact: t.impact ?? null,
    urgency: t.urgency ?? null,
    tags: t.tags ?? [],
    messageCount: t.messageCount,
    lastActivityAt: t.lastActivityAt,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    sla: {
      firstResponseDueAt: sla.firstResponseDueAt ?? null,
      nextResponseDueAt: sla.nextResponseDueAt ?? null,
      resolutionDueAt: sla.resolutionDueAt ?? null,
      firstRespondedAt: sla.firstRespondedAt ?? null,
      awaitingSince: sla.awaitingSince ?? null,
      pausedAt: sla.pausedAt ?? null,
      pausedSeconds: sla.pausedSeconds ?? 0,
      escalationLevel: sla.escalationLevel ?? 0,
      breachedAt: sla.breachedAt ?? null,
    },
    snooze: t.snoozed && t.snooze ? { until: t.snooze.until ?? null, untilReply: t.snooze.untilReply ?? false } : null,
    backFromSnooze: t.wokeFromSnooze ? { at: t.wokeFromSnooze.at, reason: t.wokeFromSnooze.reason } : null,
    satisfaction: t.satisfaction ? { rating: t.satisfaction.rating, at: t.satisfaction.at } : null,
    metrics: toTicketMetrics(t.metrics),
    waitingForAgent: t.assignment && !t.assigneeId && (ACTIVE_TICKET_STATUSES as readonly string[]).includes(t.status) ? { teamId: t.assignment.waitingTeamId.toHexString(), since: t.assignment.since } : null,
  };
}

/** Maps a stored message; the raw source and delivery bookkeeping stay internal. */
export function toMessageView(m: MessageDoc): MessageView {
  return {
    id: m._id.toHexString(),
    direction: m.direction,
    messageId: m.messageId ?? null,
    from: m.from ? address(m.from) : null,
    to: (m.to ?? []).map(address),
    cc: (m.cc ?? []).map(address),
    bcc: (m.bcc ?? []).map(address),
    subject: m.subject ?? null,
    text: m.text ?? null,
    html: m.html ?? null,
    attachments: (m.attachments ?? []).map((a) => ({
      id: a.fileId.toHexString(),
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
      inline: a.inline,
      contentId: a.contentId ?? null,
    })),
    flags: { autoSubmitted: m.flags.autoSubmitted, autoSubmittedReason: m.flags.autoSubmittedReason ?? null, bounce: m.flags.bounce, autoReply: m.flags.autoReply ?? false, htmlTooComplex: m.flags.htmlTooComplex ?? false },
    createdAt: m.createdAt,
  };
}

/** Maps one entry of a ticket's trail. */
export function toTicketEventView(e: TicketEventDoc): TicketEventView {
  return {
    id: e._id.toHexString(),
    type: e.type,
    actor: { kind: e.actor.kind, id: e.actor.id?.toHexString() ?? null, label: e.actor.label ?? null },
    data: e.data ?? {},
    at: e.at,
  };
}
