import { Router } from 'express';
import { inboxOverview } from '../../services/inboxes/inbox-overview.js';
import { requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { reconnectNotes } from '../reconnect-words.js';

const HEALTHY = new Set(['idle', 'polling', 'syncing', 'connecting', 'starting']);

/** `GET /` and `GET /inboxes`: every inbox the user may see, with counts and poller health. */
export function inboxPages(ctx: PageContext): Router {
  const router = Router();
  router.get(['/', '/inboxes'], requireLogin, async (_req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { tr } = i18n;
    const admin = session.actor.role === 'admin';
    const overview = await inboxOverview({ ...ctx, ...ctx.stores }, session.actor);
    // An inbox whose OAuth2 login is lost says so in the provider's words (admins: with a link to reconnect).
    const reconnect = await reconnectNotes(ctx.stores.oauthGrants, overview, tr.t, admin);
    const inboxes = overview.map((inbox) => {
      const status = inbox.status;
      const note = reconnect.get(inbox.id) ?? null;
      const lastError = 'lastError' in status ? status.lastError : null;
      const lastSyncAt = 'lastSyncAt' in status ? status.lastSyncAt : null;
      // Admins read the poller's own message; everyone else the summary of its code, in their language.
      const errorText = lastError
        ? admin
          ? lastError.message
          : tr.has(`tickets:inboxes.mailError.${lastError.code}`)
            ? tr.t(`tickets:inboxes.mailError.${lastError.code}`)
            : tr.t('tickets:inboxes.mailError.other')
        : null;
      return {
        ...inbox,
        cards: inbox.cards.map((card) => ({ ...card, url: `/tickets?${new URLSearchParams(card.filters as Record<string, string>).toString()}`, alert: card.name === 'breaching' && card.count > 0 })),
        health: {
          state: tr.has(`tickets:inboxes.state.${status.state}`) ? tr.t(`tickets:inboxes.state.${status.state}`) : status.state,
          tone: status.state === 'unknown' ? 'muted' : HEALTHY.has(status.state) && !lastError ? 'ok' : 'breach',
          lastError: note ? note.text : lastError ? tr.t('tickets:inboxes.lastError', { code: lastError.code, text: errorText }) : null,
          reconnectUrl: note?.url ?? null,
          lastSyncAt,
        },
      };
    });
    res.type('html').send(ctx.views.render('inboxes', { title: tr.t('tickets:inboxes.title'), session, inboxes, nav: 'inboxes' }, i18n));
  });
  return router;
}
