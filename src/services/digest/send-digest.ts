import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { UserStore } from '../../store/user-store.js';
import { buildDigest, digestInboxIds, type BuildDigestDeps, type DigestReport } from './build-digest.js';
import { queueAutomatedMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, userMailLocale, type EmailBranding, type LocaleDefaults, type RenderEmailFn } from '../outbound/render-types.js';

export const DIGEST_JOB = 'send-digest';
const FIRST_PERIOD_MS = 7 * 86_400_000;
/** The branding of mail that speaks for the whole instance rather than one inbox: the product's name, no inbox's signature, colour or logo. */
export const INSTANCE_BRANDING: EmailBranding = { brandName: 'Threadline' };

export interface DigestDeps extends QueueMailDeps, Pick<BuildDigestDeps, 'reportRows' | 'tickets' | 'trail' | 'satisfaction'> {
  inboxes: Pick<InboxStore, 'listIds' | 'listNamesByIds' | 'findById' | 'findOldest'>;
  users: Pick<UserStore, 'findById' | 'listLabelsByIds' | 'setDigestLastSentAt' | 'setDigestSchedule' | 'takeDigestSendNowSlot' | 'digestSendNowTimes'>;
  render: RenderEmailFn;
  ticketUrlBase: string | null;
  /** PUBLIC_URL, for the digest's link to the reports page; null or absent: no link. */
  publicUrl?: string | null;
  /** DEFAULT_LOCALE and DEFAULT_TIME_ZONE, for managers who chose neither (English, UTC without). */
  localeDefaults?: LocaleDefaults;
}

/**
 * Builds a manager's digest since the last one (a week for the first) and queues it to them through
 * the SMTP account of one of the digest's inboxes, in their language and time zone. Idempotent per
 * period: a job retried after a crash queues the same digest once.
 */
export async function sendDigest(deps: DigestDeps, userId: Types.ObjectId): Promise<{ outbox: OutboxDoc; report: DigestReport }> {
  const user = await deps.users.findById(userId);
  if (!user || user.disabled) throw new AppError('NOT_FOUND', 'User not found', { key: 'notFound.user' });
  if (user.role === 'agent') throw new AppError('FORBIDDEN', 'Digests are for managers and admins', { key: 'forbidden.digestsForManagers' });
  const until = deps.now();
  const since = user.digest?.lastSentAt ?? new Date(until.getTime() - FIRST_PERIOD_MS);
  const report = await buildDigest(deps, { user, since, until, ticketUrlBase: deps.ticketUrlBase, publicUrl: deps.publicUrl, localeDefaults: deps.localeDefaults });
  const [viaId] = await digestInboxIds(deps.inboxes, user);
  const via = viaId ? await deps.inboxes.findById(viaId) : await deps.inboxes.findOldest();
  if (!via) throw new AppError('CONFLICT', 'No inbox exists to send the digest from', { key: 'conflict.noInboxForDigest' });
  const { locale } = userMailLocale(user, deps.localeDefaults);
  // A digest about several inboxes speaks for the instance, not for the one whose SMTP account sends it.
  const branding = report.inboxes.length > 1 ? INSTANCE_BRANDING : brandingOf(via);
  const rendered = await deps.render('digest', { ...report }, { branding, locale, timeZone: report.timeZone });
  const outbox = await queueAutomatedMail(deps, {
    kind: 'digest',
    inbox: via,
    ticket: null,
    dedupeKey: `digest:${user._id.toHexString()}:${until.toISOString()}`,
    to: [{ address: user.email, name: user.name ?? null }],
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
  });
  await deps.users.setDigestLastSentAt(user._id, until);
  return { outbox, report };
}

/** Keeps a manager's recurring digest job in line with their schedule (created, moved or removed). */
export async function syncDigestSchedule(deps: { users: Pick<UserStore, 'findById'>; scheduler: DigestDeps['scheduler'] }, userId: Types.ObjectId): Promise<void> {
  const user = await deps.users.findById(userId);
  const key = userId.toHexString();
  if (!user || user.disabled || user.role === 'agent' || !user.digest?.enabled) return deps.scheduler.cancel(DIGEST_JOB, key);
  await deps.scheduler.scheduleRecurring(DIGEST_JOB, { key, cron: user.digest.cron, timeZone: user.digest.timeZone });
}
