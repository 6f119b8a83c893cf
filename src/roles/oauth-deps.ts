import { createI18n, type I18n } from '../i18n/catalog.js';
import type { Runtime } from '../runtime.js';
import type { MailLoginSource } from '../services/oauth/access-token.js';
import { alertAdminsByMail } from '../services/oauth/alert-admins.js';
import { createMailLoginSource } from '../services/oauth/mail-login-source.js';
import { createOAuthEndpoint } from '../services/oauth/oauth-endpoint.js';
import { localeDefaults, slaDeps } from './deps.js';

let catalogs: I18n | null = null;

/** The one login source of each runtime (a process builds one runtime, whatever roles it runs). */
const sources = new WeakMap<Runtime, MailLoginSource>();

/**
 * The login source of a process's mail adapters (poller, outbound delivery, connection test): the
 * inboxes' sealed passwords, or their OAuth2 access tokens kept fresh; an inbox whose grant is lost
 * is marked "reconnect needed" and the admins are mailed once. ONE per runtime, built on first use and
 * shared by every role of the process (it remembers which token each account was given, so a refusal
 * is refreshed only once, whichever role hears of it).
 */
export function mailLoginSourceFor(rt: Runtime): MailLoginSource {
  let source = sources.get(rt);
  if (!source) sources.set(rt, (source = buildMailLoginSource(rt)));
  return source;
}

function buildMailLoginSource(rt: Runtime): MailLoginSource {
  const now = () => new Date();
  return createMailLoginSource({
    inboxes: rt.stores.inboxes,
    oauthGrants: rt.stores.oauthGrants,
    secrets: rt.secrets,
    oauth: createOAuthEndpoint(),
    now,
    alertAdmins: async (alert) => {
      const queued = await alertAdminsByMail(
        { ...slaDeps(rt), i18n: (catalogs ??= createI18n()), localeDefaults: localeDefaults(rt), publicUrl: rt.config.publicUrl ?? null, notifyFrom: rt.config.notify.from },
        alert,
      );
      rt.logger.error({ inboxId: alert.inboxId.toHexString(), error: alert.error, adminsMailed: queued }, 'inbox OAuth2 sign-in lost: reconnect needed');
    },
  });
}
