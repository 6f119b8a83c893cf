import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { archiveCategory, CATEGORY_NAME_MAX, createCategory, listCategories, updateCategory } from '../../services/categories/categories.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The catalog keys of the texts `?error=` and `?saved=` name. */
const ERRORS: Record<string, string> = { invalid: 'settings:categories.error.invalid', taken: 'settings:categories.error.taken' };
const NOTICES: Record<string, string> = {
  created: 'settings:categories.notice.created',
  updated: 'settings:categories.notice.updated',
  archived: 'settings:categories.notice.archived',
  restored: 'settings:categories.notice.restored',
};

const one = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** A refused add (`id` null) or change of one category: what was posted and the fixed error code. */
interface FailedCategory {
  id: string | null;
  code: string;
  name: string;
  inboxId: string | null;
}

/** The fixed error code of an expected failure, or null for anything else. */
function categoryErrorCode(err: unknown): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) return 'invalid';
  if (isAppError(err, 'CONFLICT')) return 'taken';
  return null;
}

/** Runs a change and goes back to the list (303), naming what happened or a fixed error code. */
async function act(res: Response, saved: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) return res.redirect(303, '/settings/categories?error=invalid');
    if (isAppError(err, 'CONFLICT')) return res.redirect(303, '/settings/categories?error=taken');
    throw err;
  }
  res.redirect(303, `/settings/categories?saved=${saved}`);
}

/**
 * `/settings/categories`: the ticket categories. Admins add, rename, move and archive them; managers
 * see the ones of their inboxes and the global ones, read-only. Agents get 403 like every settings page.
 */
export function categorySettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  /** The list; after a refused add or change, the list again with what was posted and the error at that form. */
  const renderList = async (req: Request, res: Response, failed: FailedCategory | null) => {
    const session = requireSession(res);
    const [items, inboxes] = await Promise.all([listCategories(ctx.stores, session.actor), listInboxes(ctx.stores, session.actor)]);
    const names = new Map(inboxes.map((i) => [i.id, i.name]));
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const failedError = failed ? fixedMessage(ERRORS, failed.code, t, { max: CATEGORY_NAME_MAX }) : null;
    const rowFailed = (id: string) => (failed && failed.id === id ? failed : null);
    res.status(failed ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-categories',
        {
          title: t('settings:categories.title'),
          session,
          nav: 'settings',
          isAdmin: session.actor.role === 'admin',
          csrf: session.csrfToken,
          items: items.map((c) => ({
            ...c,
            inboxName: c.inboxId ? names.get(c.inboxId) ?? '' : null,
            // A refused change keeps its row open with what was posted.
            formName: rowFailed(c.id)?.name ?? c.name,
            formError: rowFailed(c.id) ? failedError : null,
            inboxOptions: inboxes.map((i) => ({ id: i.id, name: i.name, selected: i.id === (rowFailed(c.id) ? rowFailed(c.id)!.inboxId : c.inboxId) })),
          })),
          inboxOptions: inboxes.map((i) => ({ id: i.id, name: i.name, selected: failed?.id === null && failed.inboxId === i.id })),
          addName: failed?.id === null ? failed.name : '',
          addError: failed?.id === null ? failedError : null,
          maxName: CATEGORY_NAME_MAX,
          error: failed ? null : fixedMessage(ERRORS, one(req.query.error), t, { max: CATEGORY_NAME_MAX }),
          notice: fixedMessage(NOTICES, one(req.query.saved), t),
        },
        i18n,
      ),
    );
  };

  router.get('/settings/categories', ...guard, async (req, res) => renderList(req, res, null));

  /** Saves an add (`id` null) or a change; a refused one shows the list again with what was posted. */
  const save = async (req: Request, res: Response, id: string | null) => {
    const input = { name: field(req, 'name'), inboxId: field(req, 'inboxId') || null };
    const { actor } = requireSession(res);
    try {
      await (id === null ? createCategory(ctx.stores, actor, input) : updateCategory(ctx.stores, actor, id, input));
    } catch (err) {
      const code = categoryErrorCode(err);
      if (!code) throw err;
      return renderList(req, res, { id, code, ...input });
    }
    res.redirect(303, `/settings/categories?saved=${id === null ? 'created' : 'updated'}`);
  };

  router.post('/settings/categories', ...post, (req, res) => save(req, res, null));
  router.post('/settings/categories/:id', ...post, (req, res) => save(req, res, String(req.params.id)));

  router.post('/settings/categories/:id/archive', ...post, async (req, res) => {
    const id = String(req.params.id);
    const archived = field(req, 'archived') !== '0';
    await act(res, archived ? 'archived' : 'restored', () => archiveCategory(ctx.stores, requireSession(res).actor, id, archived));
  });
  return router;
}
