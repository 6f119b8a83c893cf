import { Types } from 'mongoose';
import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { UserStore } from '../../store/user-store.js';
import { queueAutomatedMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { brandingOf, userMailLocale, type LocaleDefaults, type RenderEmailFn } from '../outbound/render-types.js';
import { hashPasswordToken, type PasswordLink } from './issue-password-link.js';

/** What mailing a password link needs: the outbox, an inbox to send through, the email renderer. */
export interface PasswordLinkMailDeps extends QueueMailDeps {
  inboxes: Pick<InboxStore, 'listAll'>;
  users: Pick<UserStore, 'findById'>;
  render: RenderEmailFn;
  /** NOTIFY_FROM: the From of automated mail to the team; null or absent: the sending inbox's address. */
  notifyFrom?: string | null;
  /** DEFAULT_LOCALE and DEFAULT_TIME_ZONE, for people who chose neither. */
  localeDefaults?: LocaleDefaults;
  /** Threadline's public URL, the base of the link in the mail; the caller's request host otherwise. */
  publicUrl?: string | null;
}

/** The inbox whose SMTP account sends the mail: the oldest enabled one (deleted and moving ones are left out). */
async function senderInbox(deps: Pick<PasswordLinkMailDeps, 'inboxes'>): Promise<InboxDoc | null> {
  const inboxes = await deps.inboxes.listAll();
  return inboxes.sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()))[0] ?? null;
}

/** The outbox key of one link's mail: the same link is mailed once however often this runs. */
export function passwordLinkDedupeKey(token: string): string {
  return `password-link:${hashPasswordToken(token)}`;
}

/**
 * Queues a freshly issued invite or password-reset link to its user, in their language (else the
 * instance's DEFAULT_LOCALE), as automated mail (RFC 3834 headers, null envelope sender) through the
 * oldest enabled inbox, From NOTIFY_FROM when set. `url` is the absolute link. Returns whether a mail
 * was queued: false when no inbox can send (or the user is gone).
 */
export async function mailPasswordLink(
  deps: PasswordLinkMailDeps,
  userId: string,
  link: PasswordLink,
  url: string,
): Promise<boolean> {
  const user = Types.ObjectId.isValid(userId) ? await deps.users.findById(new Types.ObjectId(userId)) : null;
  const inbox = user ? await senderInbox(deps) : null;
  if (!user || !inbox) return false;
  const { locale, timeZone } = userMailLocale(user, deps.localeDefaults);
  // The inbox's look, but not its signature: that one is written for its customers.
  const { signature: _customerSignature, ...branding } = brandingOf(inbox);
  const rendered = await deps.render('password-link', { purpose: link.purpose, url, expiresAt: link.expiresAt, recipientName: user.name ?? null }, { branding, locale, timeZone });
  await queueAutomatedMail(deps, {
    kind: 'password-link',
    inbox,
    ticket: null,
    dedupeKey: passwordLinkDedupeKey(link.token),
    to: [{ address: user.email, name: user.name ?? null }],
    from: deps.notifyFrom ? { address: deps.notifyFrom, name: branding.brandName ?? null } : null,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
  });
  return true;
}
