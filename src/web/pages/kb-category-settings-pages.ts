import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { KB_LANGUAGES, KB_LIMITS } from '../../domain/kb-articles.js';
import { createKbCategory } from '../../services/kb/create-kb-category.js';
import { deleteKbCategory } from '../../services/kb/delete-kb-category.js';
import { listKbCategories } from '../../services/kb/list-kb-categories.js';
import { updateKbCategory } from '../../services/kb/update-kb-category.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage, postedText } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

const PATH = '/settings/kb-categories';
/** The catalog keys of the texts `?error=` and `?saved=` name. */
const ERRORS: Record<string, string> = { invalid: 'kb:categories.error.invalid', taken: 'kb:categories.error.taken', inUse: 'kb:categories.error.inUse' };
const NOTICES: Record<string, string> = { created: 'kb:categories.notice.created', updated: 'kb:categories.notice.updated', deleted: 'kb:categories.notice.deleted' };

/** The fixed error code of an expected failure, or null for anything else. */
function errorCode(err: unknown, deleting: boolean): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) return 'invalid';
  if (isAppError(err, 'CONFLICT')) return deleting ? 'inUse' : 'taken';
  return null;
}

/** Runs a change and goes back to the list (303), naming what happened or why it was refused. */
async function act(res: Response, saved: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    const code = errorCode(err, saved === 'deleted');
    if (!code) throw err;
    return res.redirect(303, `${PATH}?error=${code}`);
  }
  res.redirect(303, `${PATH}?saved=${saved}`);
}

const position = (req: Request) => {
  const raw = postedText(req, 'position').trim();
  return raw === '' ? undefined : Number(raw);
};

/**
 * `/settings/kb-categories`: the knowledge base's categories, per language, in the order the help
 * center shows them. Admins and managers add, rename, reorder and remove (empty) ones; agents get 403
 * like every settings page.
 */
export function kbCategorySettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  router.get(PATH, ...guard, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const items = await listKbCategories(ctx.stores, session.actor);
    res.type('html').send(
      ctx.views.render(
        'settings-kb-categories',
        {
          title: t('kb:categories.title'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          items,
          languages: KB_LANGUAGES.map((l) => ({ value: l })),
          limits: KB_LIMITS,
          error: fixedMessage(ERRORS, req.query.error, t, { max: KB_LIMITS.categoryName }),
          notice: fixedMessage(NOTICES, req.query.saved, t),
        },
        i18n,
      ),
    );
  });

  router.post(PATH, ...post, async (req, res) => {
    const input = { name: postedText(req, 'name'), description: postedText(req, 'description') || null, language: postedText(req, 'language'), position: position(req) };
    await act(res, 'created', () => createKbCategory(ctx.stores, requireSession(res).actor, input));
  });

  router.post(`${PATH}/:id`, ...post, async (req, res) => {
    const input = { name: postedText(req, 'name'), description: postedText(req, 'description') || null, position: position(req) };
    await act(res, 'updated', () => updateKbCategory(ctx.stores, requireSession(res).actor, String(req.params.id), input));
  });

  router.post(`${PATH}/:id/delete`, ...post, async (req, res) => {
    await act(res, 'deleted', () => deleteKbCategory(ctx.stores, requireSession(res).actor, String(req.params.id)));
  });
  return router;
}
