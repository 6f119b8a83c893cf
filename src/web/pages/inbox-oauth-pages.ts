import { Router, type Response } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import { OAUTH_CALLBACK_PATH, OAUTH_PROVIDERS, redirectUri } from '../../domain/oauth.js';
import type { Translator } from '../../i18n/catalog.js';
import { parseObjectId } from '../../services/access.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { disconnectOAuth } from '../../services/oauth/disconnect.js';
import { finishOAuthConnect } from '../../services/oauth/finish-connect.js';
import { createOAuthEndpoint, type OAuthEndpoint } from '../../services/oauth/oauth-endpoint.js';
import { oauthErrorWords, toOAuthView, type OAuthView } from '../../services/oauth/oauth-view.js';
import { startOAuthConnect } from '../../services/oauth/start-connect.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, formOf, issueText, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** What the page shows of an inbox's OAuth2 login, and the connect form's values (never a secret). */
function oauthPageView(oauth: OAuthView | null, posted: FormBody | null, t: Translator['t']) {
  const value = (name: string, stored: string | null | undefined) => (posted ? field(posted, name) : (stored ?? ''));
  const provider = value('provider', oauth?.provider) || 'microsoft';
  return {
    status: oauth?.state ?? 'not-connected',
    connected: oauth?.state === 'connected',
    reconnectNeeded: oauth?.state === 'reconnect-needed',
    providerName: oauth ? t(`settings:oauth.provider.${oauth.provider}`) : null,
    connectedAt: oauth?.connectedAt ?? null,
    error: oauth?.lastError ? oauthErrorWords(oauth.lastError, t) : null,
    errorAt: oauth?.lastError?.at ?? null,
    hasClientSecret: Boolean(oauth?.hasClientSecret),
    providers: OAUTH_PROVIDERS.map((p) => ({ value: p, label: t(`settings:oauth.provider.${p}`), selected: p === provider })),
    fields: {
      clientId: value('client_id', oauth?.clientId),
      tenant: value('tenant', oauth?.tenant),
      issuer: value('issuer', oauth?.issuer),
      scopes: value('scopes', oauth?.provider === 'generic' ? oauth.scopes.join(' ') : ''),
    },
  };
}

/**
 * `/settings/inboxes/:id/oauth`: the inbox's OAuth2 sign-in (Microsoft 365, Google, any OpenID
 * provider). Admins enter their app registration and press Connect (a plain form: the server answers
 * with a link to the provider's consent page), Reconnect or Disconnect; managers see the status. The provider
 * sends the admin back to `PUBLIC_URL/settings/inboxes/oauth/callback`. Secrets are write-only.
 */
export function inboxOAuthPages(ctx: SettingsContext & { oauth?: OAuthEndpoint }): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];
  const oauth = ctx.oauth ?? createOAuthEndpoint();
  const deps = { inboxes: ctx.stores.inboxes, oauthGrants: ctx.stores.oauthGrants, secrets: ctx.secrets, oauth, publicUrl: ctx.publicUrl, now: ctx.now };

  const render = async (res: Response, inbox: InboxView, state: { status?: number; posted?: FormBody | null; issues?: FormIssue[]; failure?: string | null; notice?: string | null; continueUrl?: string | null } = {}) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const grant = toOAuthView(await ctx.stores.oauthGrants.findByInbox(parseObjectId(inbox.id)!));
    const errorOf = (path: string) => {
      const found = (state.issues ?? []).find((i) => i.path === path);
      return found ? issueText(found, i18n.tr) : null;
    };
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render(
        'settings-inbox-oauth',
        {
          title: t('settings:oauth.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          section: 'oauth',
          isAdmin: session.actor.role === 'admin',
          oauth: oauthPageView(grant, state.posted ?? null, t),
          errors: { provider: errorOf('provider'), clientId: errorOf('clientId'), tenant: errorOf('tenant'), issuer: errorOf('issuer') },
          redirectUri: ctx.publicUrl ? redirectUri(ctx.publicUrl) : null,
          callbackPath: OAUTH_CALLBACK_PATH,
          failure: state.failure ?? null,
          notice: state.notice ?? null,
          continueUrl: state.continueUrl ?? null,
        },
        i18n,
      ),
    );
  };

  // The provider's redirect back; registered before `/settings/inboxes/:id/…` so its path is never an id.
  router.get(OAUTH_CALLBACK_PATH, ...guard, async (req, res) => {
    const session = requireSession(res);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(req.query)) if (typeof value === 'string') query.append(name, value);
    try {
      const { inboxId } = await finishOAuthConnect(deps, session.actor, session.id, query);
      res.redirect(303, `/settings/inboxes/${inboxId.toHexString()}/oauth?saved=oauth`);
    } catch (err) {
      // A failure of a known flow is shown on its inbox's page; an unknown or spent state is the error page.
      const inboxId = isAppError(err) && typeof err.details?.inboxId === 'string' ? err.details.inboxId : null;
      if (!inboxId || !isAppError(err)) throw err;
      const failure = issueText({ message: err.message, key: err.key, params: err.params }, pageI18n(res).tr);
      await render(res, await getInbox(ctx.stores, session.actor, inboxId), { status: 400, failure });
    }
  });

  router.get('/settings/inboxes/:id/oauth', ...guard, async (req, res) => {
    const inbox = await getInbox(ctx.stores, requireSession(res).actor, String(req.params.id));
    const { t } = pageI18n(res).tr;
    const notice = req.query.saved === 'oauth' ? t('settings:oauth.connectedNotice') : req.query.saved === 'disconnected' ? t('settings:oauth.disconnectedNotice') : null;
    await render(res, inbox, { notice });
  });

  router.post('/settings/inboxes/:id/oauth', ...post, async (req, res) => {
    const session = requireSession(res);
    const id = String(req.params.id);
    const inbox = await getInbox(ctx.stores, session.actor, id);
    const body = formOf(req);
    if (field(body, 'action') === 'disconnect') {
      await disconnectOAuth(deps, session.actor, id);
      return res.redirect(303, `/settings/inboxes/${encodeURIComponent(id)}/oauth?saved=disconnected`);
    }
    if (session.actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can connect inboxes', { key: 'forbidden.adminOnly' });
    // Never carried back into the form: the secret is write-only.
    const { client_secret: _secret, ...shown } = body;
    try {
      const { url: continueUrl } = await startOAuthConnect(
        deps,
        session.actor,
        id,
        { provider: field(body, 'provider'), clientId: field(body, 'client_id'), clientSecret: field(body, 'client_secret'), tenant: field(body, 'tenant'), issuer: field(body, 'issuer'), scopes: field(body, 'scopes') },
        session.id,
      );
      // A link to follow, not a redirect: the page's CSP (form-action 'self') stops a form's redirect to another site.
      await render(res, inbox, { continueUrl });
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (issues) return render(res, inbox, { status: 400, posted: shown, issues });
      if (isAppError(err, 'OAUTH_FAILED') || isAppError(err, 'CONFIG_INVALID')) {
        return render(res, inbox, { status: 400, posted: shown, failure: issueText({ message: err.message, key: err.key, params: err.params }, pageI18n(res).tr) });
      }
      throw err;
    }
  });
  return router;
}
