import type { NotificationKind } from './notifications.js';

/*
 * How a person's batch of notifications becomes one mail: a batch about one ticket is a mail about
 * that ticket (answerable, threaded per ticket in the agent's client), a batch about several is a
 * summary table. Pure: the delivery job (src/services/notifications/deliver-notifications.ts) reads
 * and writes, this decides.
 */

/** Kinds about an SLA clock: their mails show when the clock is (or was) due. */
export const SLA_NOTIFICATION_KINDS = ['sla_reminder', 'sla_breached', 'escalated'] as const satisfies readonly NotificationKind[];

/** Whether a kind is about an SLA clock (its rows show a due time). */
export function isSlaNotification(kind: NotificationKind): boolean {
  return (SLA_NOTIFICATION_KINDS as readonly string[]).includes(kind);
}

/**
 * The Message-ID every notification mail about one ticket refers to (In-Reply-To, References), so a
 * mail client shows them as one thread. Nothing is ever sent under it, it names no ticket number,
 * and it is not one of our signed ids: an answer that refers to it threads into no conversation.
 */
export function notificationThreadRoot(ticketId: string, inboxAddress: string): string {
  const domain = inboxAddress.slice(inboxAddress.lastIndexOf('@') + 1) || 'localhost';
  return `tl-notify.${ticketId.toLowerCase()}@${domain.toLowerCase()}`;
}

/**
 * The page of a ticket for a mail: `<base>/<ticket id>` (pages address tickets by id, never by
 * number), from the `/tickets` base under PUBLIC_URL; null without a base.
 */
export function ticketPageUrl(ticketUrlBase: string | null | undefined, ticketId: string): string | null {
  return ticketUrlBase ? `${ticketUrlBase.replace(/\/+$/, '')}/${encodeURIComponent(ticketId)}` : null;
}

/** The outbox dedupe key of a batch's mail: a batch sent again after a crash is the same mail, never a second. */
export function notificationDedupeKey(batchId: string): string {
  return `notification:${batchId}`;
}

/** One mail per ticket when the batch is about one ticket, else a summary table. */
export function notificationMailShape(items: ReadonlyArray<{ ticketId: { toHexString(): string } }>): 'ticket' | 'summary' {
  return new Set(items.map((i) => i.ticketId.toHexString())).size <= 1 ? 'ticket' : 'summary';
}

/** Whole minutes from `now` until `dueAt`, never below zero; 0 without a due time. */
export function minutesLeft(dueAt: Date | null, now: Date): number {
  return dueAt ? Math.max(0, Math.round((dueAt.getTime() - now.getTime()) / 60_000)) : 0;
}

/**
 * What a notification's `data` may say, as producers write it (each fills what applies to its kind):
 * `by` who did it (a name, or `{ name, email }`), `excerpt` the first words of a reply or note,
 * `teamName`, `days` (pending reminders), and for SLA kinds `clock`, `dueAt`, `level`, `levelName`,
 * `priority`; `customer` and `assigneeName` for context.
 */
export interface NotificationDetails {
  by: string | null;
  excerpt: string | null;
  teamName: string | null;
  days: number | null;
  clock: string | null;
  dueAt: Date | null;
  level: number | null;
  levelName: string | null;
  priority: string | null;
  customer: string | null;
  assigneeName: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const date = (v: unknown): Date | null => {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

/** A notification's stored data read defensively: anything missing or of another type is null. */
export function notificationDetails(data: Record<string, unknown> | null | undefined): NotificationDetails {
  const d = data ?? {};
  const by = d.by && typeof d.by === 'object' ? (text((d.by as { name?: unknown }).name) ?? text((d.by as { email?: unknown }).email)) : text(d.by);
  return {
    by,
    excerpt: text(d.excerpt),
    teamName: text(d.teamName),
    days: count(d.days),
    clock: text(d.clock),
    dueAt: date(d.dueAt),
    level: count(d.level),
    levelName: text(d.levelName),
    priority: text(d.priority),
    customer: text(d.customer),
    assigneeName: text(d.assigneeName),
  };
}

/**
 * The rows of a summary in reading order: SLA kinds by due time (soonest first), others by when they
 * happened; ties by ticket number.
 */
export function summaryOrder<T extends { kind: NotificationKind; at: Date; ticketNumber: number; data: Record<string, unknown> }>(items: readonly T[]): T[] {
  const key = (i: T) => (isSlaNotification(i.kind) ? (notificationDetails(i.data).dueAt ?? i.at) : i.at).getTime();
  return [...items].sort((a, b) => key(a) - key(b) || a.ticketNumber - b.ticketNumber);
}
