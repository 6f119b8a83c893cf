import { Types } from 'mongoose';
import {
  minutesLeft,
  notificationDedupeKey,
  notificationDetails,
  notificationMailShape,
  notificationThreadRoot,
  summaryOrder,
  ticketPageUrl,
} from '../../domain/notification-mail.js';
import { notificationReplyAddress } from '../../domain/notification-reply.js';
import { nextNotificationMailAt, type NotificationKind } from '../../domain/notifications.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { NotificationDoc } from '../../store/models/notification.js';
import type { NotificationStore } from '../../store/notification-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { StoredUser, UserStore } from '../../store/user-store.js';
import { canSeeTicket } from '../access.js';
import { queueAutomatedMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, userMailLocale, type LocaleDefaults, type RenderEmailFn } from '../outbound/render-types.js';
import { scheduleNotificationMail } from './notify.js';

/** What mailing a person's notifications needs. */
export interface DeliverNotificationsDeps extends QueueMailDeps {
  notifications: Pick<NotificationStore, 'listUnsentBatches' | 'oldestPendingByKind' | 'lastMailedAt' | 'claimBatch' | 'markBatchSent' | 'skipUnsent'>;
  users: Pick<UserStore, 'findById'>;
  /** The person's teams, to check again that they may still see each ticket. */
  teams: Pick<TeamStore, 'listIdsOfMember'>;
  tickets: Pick<TicketStore, 'listRefs'>;
  /** The tickets' inboxes: a mail goes through the SMTP account of its first ticket's inbox. */
  inboxes: Pick<InboxStore, 'findById'>;
  render: RenderEmailFn;
  /** Where agents open a ticket, e.g. https://help.example.com/tickets/ (null: no links). */
  ticketUrlBase: string | null;
  /** NOTIFY_FROM: the From of notification mail; null or absent: the inbox's own address. */
  notifyFrom?: string | null;
  /** DEFAULT_LOCALE and DEFAULT_TIME_ZONE, for people who chose neither. */
  localeDefaults?: LocaleDefaults;
  /** NOTIFY_COLLECT_MS: how long a batch's first notification waits for others (default NOTIFICATION_COLLECT_MS). */
  notificationCollectMs?: number;
  /** Crash tests only: called at each step a kill must lose and double nothing at (see NotifyStep). */
  onStep?: (step: NotifyStep) => void;
}

/**
 * Points of the mail job a test may stop the process at: a batch claimed and its mail not yet queued;
 * its mail queued (the outbox item written) and the batch not yet marked sent.
 */
export type NotifyStep = 'notification-claimed' | 'notification-queued';

/** A claimed batch: one person's notifications of one kind, mailed together under the batch id. */
interface Batch {
  batchId: string;
  kind: NotificationKind;
  items: NotificationDoc[];
}

/**
 * The person's mail job: first sends again any batch claimed and never marked sent (a crash after
 * claiming: the same batch id is the same outbox item, so the mail goes once), then for each kind
 * whose next mail is due (the collect delay after its oldest waiting notification, and 15 minutes
 * after its last mail) claims what waits and queues ONE mail for it, then schedules the job for the
 * kinds still waiting. A disabled or deleted person gets nothing: their waiting notifications are
 * marked skipped.
 */
export async function deliverNotifications(deps: DeliverNotificationsDeps, userId: Types.ObjectId): Promise<{ mailed: number; skipped: number; nextAt: Date | null }> {
  const user = await deps.users.findById(userId);
  if (!user || user.disabled) return { mailed: 0, skipped: await deps.notifications.skipUnsent(userId), nextAt: null };
  let mailed = 0;
  for (const batch of await deps.notifications.listUnsentBatches(userId)) if (await mailBatch(deps, user, batch)) mailed++;
  const now = deps.now();
  for (const { kind, at } of await deps.notifications.oldestPendingByKind(userId)) {
    const due = nextNotificationMailAt({ oldestPendingAt: at, lastMailedAt: await deps.notifications.lastMailedAt(userId, kind), collectMs: deps.notificationCollectMs });
    if (due > now) continue;
    const batchId = new Types.ObjectId().toHexString();
    const items = await deps.notifications.claimBatch(userId, kind, now, batchId);
    if (items.length > 0) deps.onStep?.('notification-claimed');
    if (items.length > 0 && (await mailBatch(deps, user, { batchId, kind, items }))) mailed++;
  }
  return { mailed, skipped: 0, nextAt: await scheduleNotificationMail(deps, userId) };
}

/** The items of a batch on tickets the person may still see (the ticket exists, and its inbox or team is theirs), and not in Spam: a spam ticket's notifications are never mailed. */
async function visibleItems(deps: DeliverNotificationsDeps, user: StoredUser, items: NotificationDoc[]): Promise<NotificationDoc[]> {
  const ticketIds = [...new Map(items.map((i) => [i.ticketId.toHexString(), i.ticketId])).values()];
  const [refs, teamIds] = await Promise.all([deps.tickets.listRefs(ticketIds), deps.teams.listIdsOfMember(user._id)]);
  const actor = { userId: user._id, role: user.role, inboxIds: user.inboxIds, teamIds };
  const visible = new Set(refs.filter((t) => t.status !== 'spam' && canSeeTicket(actor, t)).map((t) => t._id.toHexString()));
  return items.filter((i) => visible.has(i.ticketId.toHexString()));
}

/** The inbox a batch goes through: the first of its tickets' inboxes that still exists. */
async function senderInbox(deps: DeliverNotificationsDeps, items: NotificationDoc[]): Promise<InboxDoc | null> {
  for (const inboxId of new Map(items.map((i) => [i.inboxId.toHexString(), i.inboxId])).values()) {
    const inbox = await deps.inboxes.findById(inboxId);
    if (inbox) return inbox;
  }
  return null;
}

/** One notification as the templates read it, with the minutes left on its clock at `now`. */
function eventData(item: NotificationDoc, now: Date) {
  const d = notificationDetails(item.data);
  return {
    kind: item.kind,
    at: item.at,
    by: d.by,
    excerpt: d.excerpt,
    teamName: d.teamName,
    days: d.days,
    clock: d.clock,
    dueAt: d.dueAt,
    minutesLeft: minutesLeft(d.dueAt, now),
    level: d.level,
    levelName: d.levelName,
  };
}

type Rendered = { subject: string; html: string; text: string };
type RenderOpts = { branding: ReturnType<typeof brandingOf>; locale: string; timeZone: string };

/**
 * The mail about one ticket: an SLA reminder or an escalation in their own templates (the clock due
 * first, the highest level), anything else as the ticket's events, oldest first.
 */
function renderTicketMail(deps: DeliverNotificationsDeps, user: StoredUser, batch: Batch, items: NotificationDoc[], now: Date, opts: RenderOpts): Promise<Rendered> {
  const latest = items.at(-1)!;
  const d = notificationDetails(latest.data);
  const common = {
    ticketNumber: latest.ticketNumber,
    ticketSubject: latest.ticketSubject,
    recipientName: user.name ?? null,
    customer: d.customer,
    assigneeName: d.assigneeName,
    ticketUrl: ticketPageUrl(deps.ticketUrlBase, latest.ticketId.toHexString()),
  };
  if (batch.kind === 'sla_reminder') {
    const soonest = items.map((i) => notificationDetails(i.data)).sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity))[0]!;
    return deps.render('sla-reminder', { ...common, clock: soonest.clock ?? '', dueAt: soonest.dueAt, minutesLeft: minutesLeft(soonest.dueAt, now) }, opts);
  }
  if (batch.kind === 'escalated') {
    const top = items.map((i) => notificationDetails(i.data)).sort((a, b) => (b.level ?? 0) - (a.level ?? 0))[0]!;
    return deps.render('escalation', { ...common, level: top.level ?? 0, levelName: top.levelName, priority: top.priority, clock: top.clock, breachedAt: top.dueAt }, opts);
  }
  return deps.render('notification', { ...common, kind: batch.kind, events: items.map((i) => eventData(i, now)), replyable: true }, opts);
}

/** The summary of a batch about several tickets: one row per notification, SLA kinds by due time. */
function renderSummary(deps: DeliverNotificationsDeps, user: StoredUser, batch: Batch, items: NotificationDoc[], now: Date, opts: RenderOpts): Promise<Rendered> {
  const rows = summaryOrder(items).map((i) => ({
    ...eventData(i, now),
    number: i.ticketNumber,
    subject: i.ticketSubject,
    url: ticketPageUrl(deps.ticketUrlBase, i.ticketId.toHexString()),
  }));
  return deps.render('notification-summary', { kind: batch.kind, recipientName: user.name ?? null, items: rows }, opts);
}

/**
 * Queues the one mail of a batch and marks the batch sent. A batch about one ticket answers the
 * ticket's notification thread and carries the signed Reply-To of its newest notification (an answer
 * becomes an internal note); a summary has no Reply-To. Automated mail headers, null envelope sender,
 * sent through the SMTP account of the first ticket's inbox. Items on tickets the person may no
 * longer see are skipped. Returns whether a mail was queued.
 */
async function mailBatch(deps: DeliverNotificationsDeps, user: StoredUser, batch: Batch): Promise<boolean> {
  const now = deps.now();
  const items = await visibleItems(deps, user, batch.items);
  const inbox = items.length > 0 ? await senderInbox(deps, items) : null;
  const kept = new Set(inbox ? items.map((i) => i._id.toHexString()) : []);
  const dropped = batch.items.filter((i) => !kept.has(i._id.toHexString())).map((i) => i._id);
  if (dropped.length > 0) await deps.notifications.skipUnsent(user._id, dropped);
  if (!inbox) return false;

  const { locale, timeZone } = userMailLocale(user, deps.localeDefaults);
  const branding = brandingOf(inbox);
  const opts = { branding, locale, timeZone };
  const single = notificationMailShape(items) === 'ticket';
  const rendered = single ? await renderTicketMail(deps, user, batch, items, now, opts) : await renderSummary(deps, user, batch, items, now, opts);
  const latest = items.at(-1)!;
  const root = notificationThreadRoot(latest.ticketId.toHexString(), inbox.address);
  await queueAutomatedMail(deps, {
    kind: 'notification',
    inbox,
    // No ticket: the Message-ID names none, so an answer never threads into the customer's conversation.
    ticket: null,
    dedupeKey: notificationDedupeKey(batch.batchId),
    to: [{ address: user.email, name: user.name ?? null }],
    from: deps.notifyFrom ? { address: deps.notifyFrom, name: branding.brandName ?? null } : null,
    replyTo: single ? [{ address: notificationReplyAddress(inbox.address, latest._id.toHexString(), deps.sign), name: null }] : [],
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    inReplyTo: single ? root : null,
    references: single ? [root] : [],
  });
  deps.onStep?.('notification-queued');
  await deps.notifications.markBatchSent(batch.batchId, now);
  return true;
}
