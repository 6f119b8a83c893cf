import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { createPartner, deletePartner, listPartners, PARTNER_NAME_MAX, PARTNER_NOTE_MAX, updatePartner } from '../../services/partners/partners.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The catalog keys of the texts `?error=` and `?saved=` name. */
const ERRORS: Record<string, string> = { invalid: 'settings:partners.error.invalid', taken: 'settings:partners.error.taken' };
const NOTICES: Record<string, string> = {
  created: 'settings:partners.notice.created',
  updated: 'settings:partners.notice.updated',
  deleted: 'settings:partners.notice.deleted',
};

const one = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** A refused add (`id` null) or change: what was posted and the fixed error code. */
interface FailedPartner {
  id: string | null;
  code: string;
  name: string;
  address: string;
  note: string;
}

function errorCode(err: unknown): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) return 'invalid';
  if (isAppError(err, 'CONFLICT')) return 'taken';
  return null;
}

/**
 * `/settings/partners`: the outside partners (L4) agents write to from a ticket ("Send to partner").
 * Admins add, change and remove them; managers see them read-only; agents get 403 like every settings page.
 */
export function partnerSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  const renderList = async (req: Request, res: Response, failed: FailedPartner | null) => {
    const session = requireSession(res);
    const items = await listPartners(ctx.stores, session.actor);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const failedError = failed ? fixedMessage(ERRORS, failed.code, t) : null;
    const rowFailed = (id: string) => (failed && failed.id === id ? failed : null);
    res.status(failed ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-partners',
        {
          title: t('settings:partners.title'),
          session,
          nav: 'settings',
          isAdmin: session.actor.role === 'admin',
          csrf: session.csrfToken,
          items: items.map((p) => {
            const f = rowFailed(p.id);
            return { ...p, formName: f?.name ?? p.name, formAddress: f?.address ?? p.address, formNote: f?.note ?? p.note ?? '', formError: f ? failedError : null };
          }),
          add: failed?.id === null ? failed : { name: '', address: '', note: '' },
          addError: failed?.id === null ? failedError : null,
          maxName: PARTNER_NAME_MAX,
          maxNote: PARTNER_NOTE_MAX,
          error: failed ? null : fixedMessage(ERRORS, one(req.query.error), t),
          notice: fixedMessage(NOTICES, one(req.query.saved), t),
        },
        i18n,
      ),
    );
  };

  router.get('/settings/partners', ...guard, async (req, res) => renderList(req, res, null));

  const save = async (req: Request, res: Response, id: string | null) => {
    const input = { name: field(req, 'name'), address: field(req, 'address'), note: field(req, 'note') };
    const { actor } = requireSession(res);
    try {
      await (id === null ? createPartner(ctx.stores, actor, input) : updatePartner(ctx.stores, actor, id, input));
    } catch (err) {
      const code = errorCode(err);
      if (!code) throw err;
      return renderList(req, res, { id, code, ...input });
    }
    res.redirect(303, `/settings/partners?saved=${id === null ? 'created' : 'updated'}`);
  };

  router.post('/settings/partners', ...post, (req, res) => save(req, res, null));
  router.post('/settings/partners/:id', ...post, (req, res) => save(req, res, String(req.params.id)));
  router.post('/settings/partners/:id/delete', ...post, async (req, res) => {
    await deletePartner(ctx.stores, requireSession(res).actor, String(req.params.id));
    res.redirect(303, '/settings/partners?saved=deleted');
  });
  return router;
}
