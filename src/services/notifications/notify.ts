import type { Types } from 'mongoose';
import { nextNotificationMailAt, wantsNotificationMail, type NotificationContext, type NotificationKind } from '../../domain/notifications.js';
import type { NotificationStore } from '../../store/notification-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeTicket } from '../access.js';
import type { JobScheduler } from '../ports.js';

/** The job that mails a person's due notifications (one per person and due time, see scheduleNotificationMail). */
export const NOTIFY_JOB = 'deliver-notifications';

/** Something that happened on a ticket, for the people it concerns. */
export interface NotificationEvent {
  kind: NotificationKind;
  /**
   * The same for every recipient and every retry of the same event (e.g. the trail entry's id, or
   * the SLA event key): each person gets one notification per event, however often this is called.
   */
  key: string;
  ticket: { _id: Types.ObjectId; number: number; subject: string; inboxId: Types.ObjectId; teamId?: Types.ObjectId | null };
  at: Date;
  /** What the list and mail show: who did it (`by`), an excerpt, the clock and due time… */
  data: Record<string, unknown>;
  /** Whom it concerns; people who may not see the ticket, are disabled, or caused the event are left out. */
  userIds: readonly Types.ObjectId[];
  /** Who caused it: they are not told about their own action. */
  actorId?: Types.ObjectId | null;
  /** What the kind's default depends on (the team's size for new team tickets). */
  context?: NotificationContext;
}

/** What recording and scheduling notifications needs. */
export interface NotifyDeps {
  users: Pick<UserStore, 'listNotifyTargets'>;
  teams: Pick<TeamStore, 'listAll'>;
  notifications: Pick<NotificationStore, 'recordMany' | 'oldestPendingByKind' | 'lastMailedAt'>;
  scheduler: JobScheduler;
  now: () => Date;
  /** NOTIFY_COLLECT_MS: how long a batch's first notification waits for others (default NOTIFICATION_COLLECT_MS). */
  notificationCollectMs?: number;
}

/**
 * Records each event once per person it concerns (in-app, and for mail unless they switched the kind
 * off), then schedules each person's mail job for when their oldest waiting notification is due.
 * Idempotent: a retried caller records nothing twice and moves no job later.
 */
export async function notify(deps: NotifyDeps, events: readonly NotificationEvent[]): Promise<void> {
  const ids = new Map<string, Types.ObjectId>();
  for (const e of events) for (const id of e.userIds) if (!e.actorId || !id.equals(e.actorId)) ids.set(id.toHexString(), id);
  if (ids.size === 0) return;
  const [users, teams] = await Promise.all([deps.users.listNotifyTargets([...ids.values()]), deps.teams.listAll()]);
  const byId = new Map(users.map((u) => [u._id.toHexString(), u]));
  const docs = events.flatMap((e) =>
    [...new Set(e.userIds.map((id) => id.toHexString()))].flatMap((id) => {
      const user = byId.get(id);
      if (!user || (e.actorId && user._id.equals(e.actorId))) return [];
      const teamIds = teams.filter((t) => t.memberIds.some((m) => m.equals(user._id))).map((t) => t._id);
      // Never tell someone about a ticket they may not open (a mention of an outsider, a stale ladder).
      if (!canSeeTicket({ userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds }, e.ticket)) return [];
      return [{
        userId: user._id,
        kind: e.kind,
        key: `${id}:${e.key}`,
        ticketId: e.ticket._id,
        ticketNumber: e.ticket.number,
        ticketSubject: e.ticket.subject,
        inboxId: e.ticket.inboxId,
        at: e.at,
        data: e.data,
        mail: wantsNotificationMail(user.notify, e.kind, e.context) ? ('pending' as const) : ('skipped' as const),
      }];
    }),
  );
  await deps.notifications.recordMany(docs);
  const toMail = new Map(docs.filter((d) => d.mail === 'pending').map((d) => [d.userId.toHexString(), d.userId]));
  for (const userId of toMail.values()) await scheduleNotificationMail(deps, userId);
}

/**
 * Schedules a person's mail job for when the first of their waiting kinds is due (see
 * nextNotificationMailAt); removes nothing when nothing waits (the job then finds nothing to do).
 * The job's key is the person and that time: every caller that finds the same due time schedules the
 * same job, and a job that is running (Agenda removes a finished one-off job, whatever its handler
 * saved onto it) is never moved, so a later due time always has a job of its own.
 */
export async function scheduleNotificationMail(
  deps: { notifications: Pick<NotificationStore, 'oldestPendingByKind' | 'lastMailedAt'>; scheduler: JobScheduler; notificationCollectMs?: number },
  userId: Types.ObjectId,
): Promise<Date | null> {
  const pending = await deps.notifications.oldestPendingByKind(userId);
  if (pending.length === 0) return null;
  const dues = await Promise.all(pending.map(async (p) => nextNotificationMailAt({ oldestPendingAt: p.at, lastMailedAt: await deps.notifications.lastMailedAt(userId, p.kind), collectMs: deps.notificationCollectMs })));
  const at = new Date(Math.min(...dues.map((d) => d.getTime())));
  await deps.scheduler.schedule(NOTIFY_JOB, { key: `${userId.toHexString()}:${at.getTime()}`, at, data: { userId: userId.toHexString() } });
  return at;
}
