import { Router, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { QUARANTINE_REASONS } from '../../domain/quarantine-reasons.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { deleteQuarantined } from '../../services/quarantine/delete-quarantined.js';
import { ingestQuarantined } from '../../services/quarantine/ingest-quarantined.js';
import type { QuarantineScreenDeps } from '../../services/quarantine/quarantine-deps.js';
import { listQuarantine } from '../../services/quarantine/list-quarantine.js';
import { findQuarantined, requireQuarantineAccess, toQuarantineView, type QuarantineView } from '../../services/quarantine/quarantine-view.js';
import { readQuarantinedRaw } from '../../services/quarantine/read-quarantined-raw.js';
import { sendRawMail } from '../api/quarantine-routes.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage, queryText } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The catalog keys of the notices `?done=` names on the list. */
const NOTICES: Record<string, string> = {
  ingested: 'settings:quarantine.notice.ingested',
  deleted: 'settings:quarantine.notice.deleted',
  gone: 'settings:quarantine.notice.gone',
};
/** The catalog keys of the errors `?error=` names on a record's page. */
const ERRORS: Record<string, string> = { still: 'settings:quarantine.error.still', refused: 'settings:quarantine.error.refused' };

const BASE = '/settings/quarantine';
const hex = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{24}$/i.test(v) ? v : undefined);

/** Runs an action on a record; one already gone (a second click, another admin) goes back to the list. */
async function act(res: Response, fn: () => Promise<string>) {
  try {
    res.redirect(303, await fn());
  } catch (err) {
    if (isAppError(err, 'NOT_FOUND')) return res.redirect(303, `${BASE}?done=gone`);
    throw err;
  }
}

/**
 * `/settings/quarantine`: the mail ingest set aside (unreadable, too large, failing again and again,
 * refused answers to notifications), for admins: the reason in plain words, the raw mail to download,
 * "ingest anyway" where the reason allows it, delete. Managers and agents get 403.
 */
export function quarantinePages(ctx: SettingsContext, deps: QuarantineScreenDeps): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  router.get(BASE, ...guard, async (req, res) => {
    const session = requireSession(res);
    const input = { inbox: hex(req.query.inbox), reason: queryText(req.query.reason), cursor: queryText(req.query.cursor) };
    const page = await listQuarantine(deps, session.actor, input);
    const inboxes = await listInboxes(ctx.stores, session.actor);
    const names = new Map(inboxes.map((i) => [i.id, i.name]));
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const filters = new URLSearchParams({ ...(input.inbox ? { inbox: input.inbox } : {}), ...(input.reason ? { reason: input.reason } : {}) });
    const ticket = hex(req.query.ticket);
    res.type('html').send(
      ctx.views.render(
        'settings-quarantine',
        {
          title: t('settings:quarantine.title'),
          session,
          nav: 'settings',
          items: page.items.map((v) => ({ ...v, inboxName: names.get(v.inboxId) ?? '' })),
          inboxOptions: inboxes.map((i) => ({ id: i.id, name: i.name, selected: i.id === input.inbox })),
          reasonOptions: QUARANTINE_REASONS.map((code) => ({ code, selected: code === input.reason })),
          nextUrl: page.nextCursor ? `${BASE}?${new URLSearchParams([...filters, ['cursor', page.nextCursor]])}` : null,
          notice: fixedMessage(NOTICES, queryText(req.query.done), t),
          ticketUrl: ticket && req.query.done === 'ingested' ? `/tickets/${ticket}` : null,
        },
        i18n,
      ),
    );
  });

  router.get(`${BASE}/:id`, ...guard, async (req, res) => {
    const session = requireSession(res);
    const view: QuarantineView = toQuarantineView(await findQuarantined(deps, session.actor, String(req.params.id)));
    const inboxes = await listInboxes(ctx.stores, session.actor);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'settings-quarantine-item',
        {
          title: t('settings:quarantine.itemTitle'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          item: { ...view, inboxName: inboxes.find((i) => i.id === view.inboxId)?.name ?? '' },
          error: fixedMessage(ERRORS, queryText(req.query.error), t),
        },
        i18n,
      ),
    );
  });

  router.get(`${BASE}/:id/raw`, ...guard, async (req, res) => {
    sendRawMail(res, await readQuarantinedRaw(deps, requireSession(res).actor, String(req.params.id)));
  });

  router.post(`${BASE}/:id/ingest`, ...post, async (req, res) => {
    const id = String(req.params.id);
    const actor = requireSession(res).actor;
    requireQuarantineAccess(actor);
    await act(res, async () => {
      try {
        const result = await ingestQuarantined(deps, actor, id);
        if (result.outcome === 'still-quarantined') return `${BASE}/${id}?error=still`;
        return `${BASE}?done=ingested&ticket=${result.ticketId.toHexString()}`;
      } catch (err) {
        if (isAppError(err, 'CONFLICT')) return `${BASE}/${id}?error=refused`;
        throw err;
      }
    });
  });

  router.post(`${BASE}/:id/delete`, ...post, async (req, res) => {
    const actor = requireSession(res).actor;
    requireQuarantineAccess(actor);
    await act(res, async () => {
      await deleteQuarantined(deps, actor, String(req.params.id));
      return `${BASE}?done=deleted`;
    });
  });
  return router;
}
