import type { I18n } from '../../i18n/catalog.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { InboxDoc } from '../../store/models/inbox.js';
import type { OAuthGrantStore } from '../../store/oauth-grant-store.js';
import type { UserStore } from '../../store/user-store.js';
import { queueAutomatedMail, type QueueMailDeps } from '../outbound/queue-mail.js';
import { userMailLocale, type LocaleDefaults } from '../outbound/render-types.js';
import { oauthErrorWords } from './oauth-view.js';
import type { ReconnectAlert } from './reconnect-needed.js';

/** What mailing the admins about an inbox to reconnect needs. */
export interface AlertAdminsDeps extends QueueMailDeps {
  users: Pick<UserStore, 'listActiveAdmins'>;
  inboxes: Pick<InboxStore, 'findById' | 'listAll'>;
  oauthGrants: Pick<OAuthGrantStore, 'listByInboxes'>;
  i18n: I18n;
  localeDefaults?: LocaleDefaults;
  /** PUBLIC_URL, for the link to the inbox's sign-in settings; null: no link. */
  publicUrl: string | null;
  /** NOTIFY_FROM: the From of automated mail to the team; null or absent: the sending inbox's address. */
  notifyFrom?: string | null;
}

/**
 * The inbox to send through: the oldest enabled inbox other than the broken one whose sign-in works
 * (an inbox without OAuth2, or one still connected). Null when none can send.
 */
async function senderInbox(deps: Pick<AlertAdminsDeps, 'inboxes' | 'oauthGrants'>, broken: ReconnectAlert['inboxId']): Promise<InboxDoc | null> {
  const candidates = (await deps.inboxes.listAll()).filter((i) => !i._id.equals(broken));
  const grants = await deps.oauthGrants.listByInboxes(candidates.map((i) => i._id));
  const unusable = new Set(grants.filter((g) => g.state !== 'connected').map((g) => g.inboxId.toHexString()));
  return candidates.filter((i) => !unusable.has(i._id.toHexString())).sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()))[0] ?? null;
}

/**
 * Mails every active admin, in their language, that an inbox needs reconnecting, with the provider's
 * error and a link to its sign-in settings: automated mail through another inbox that can still send.
 * One mail per admin and loss of the grant (the outbox dedupe key), however often it is called.
 * Returns how many mails were queued (0 when no other inbox can send: the settings pages still say it).
 */
export async function alertAdminsByMail(deps: AlertAdminsDeps, alert: ReconnectAlert): Promise<number> {
  const [broken, admins] = await Promise.all([deps.inboxes.findById(alert.inboxId), deps.users.listActiveAdmins()]);
  const sender = broken ? await senderInbox(deps, alert.inboxId) : null;
  if (!broken || !sender) return 0;
  const link = deps.publicUrl ? `${deps.publicUrl.replace(/\/+$/, '')}/settings/inboxes/${alert.inboxId.toHexString()}/oauth` : null;
  let queued = 0;
  for (const admin of admins) {
    const { locale } = userMailLocale(admin, deps.localeDefaults);
    const { t } = deps.i18n.translator(locale);
    const params = { inbox: broken.name, address: broken.address, words: oauthErrorWords(alert.error, t) };
    const text = [t('mail:inboxAlert.body', params), link ? t('mail:inboxAlert.link', { url: link }) : null].filter(Boolean).join('\n\n');
    await queueAutomatedMail(deps, {
      kind: 'inbox-alert',
      inbox: sender,
      ticket: null,
      dedupeKey: `inbox-alert:${alert.inboxId.toHexString()}:${alert.at.getTime()}:${admin._id.toHexString()}`,
      to: [{ address: admin.email, name: admin.name ?? null }],
      from: deps.notifyFrom ? { address: deps.notifyFrom, name: null } : null,
      subject: t('mail:inboxAlert.subject', params),
      text: `${text}\n`,
    });
    queued++;
  }
  return queued;
}
