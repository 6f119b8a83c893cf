import { Router, type Response } from 'express';
import { checkEraseConfirmToken, eraseConfirmToken } from '../../domain/erasure.js';
import { erasePerson, checkEraseInput } from '../../services/personal-data/erase-person.js';
import { previewErasure, type ErasurePreview } from '../../services/personal-data/preview-erasure.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { checked, field, formOf, validationIssues, type FormIssue } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

type Step = 'ask' | 'confirm';

/**
 * Erasing a person (GDPR art. 17), confirmed twice, admins only (the use cases refuse everyone
 * else): `GET /contacts/:id/erase` shows what will be erased and asks for one of the person's
 * addresses and a ticked "cannot be undone"; that form's POST shows the summary again with an
 * "Erase now" button carrying a short-lived token signed with the session's secret; only that
 * second POST erases. Plain forms answered by pages and a redirect: they work without JavaScript.
 */
export function erasePages(ctx: PageContext): Router {
  const router = Router();
  const post = [requireLogin, requireCsrf(ctx.publicUrl)];
  const deps = { ...ctx.stores, now: ctx.now };

  const render = (res: Response, preview: ErasurePreview, step: Step, extra: { confirmAddress?: string; token?: string; problems?: FormIssue[]; erased?: boolean } = {}) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const problems = (extra.problems ?? []).map((issue) => (issue.key ? t(issue.key) : issue.message));
    res.status(problems.length > 0 ? 400 : 200).type('html').send(
      ctx.views.render(
        'contact-erase',
        {
          title: t('tickets:erase.title'),
          session,
          nav: 'contacts',
          csrf: session.csrfToken,
          person: preview,
          personName: preview.name ?? preview.addresses[0] ?? '',
          confirmStep: step === 'confirm' && preview.state !== 'done',
          askStep: step === 'ask' && preview.state !== 'done',
          running: preview.state === 'running',
          done: preview.state === 'done',
          erased: extra.erased === true,
          confirmAddress: extra.confirmAddress ?? '',
          token: extra.token ?? '',
          problems,
        },
        i18n,
      ),
    );
  };

  router.get('/contacts/:id/erase', requireLogin, async (req, res) => {
    const preview = await previewErasure(deps, requireSession(res).actor, String(req.params.id));
    render(res, preview, 'ask', { erased: req.query.erased === '1' });
  });

  router.post('/contacts/:id/erase', ...post, async (req, res) => {
    const session = requireSession(res);
    const preview = await previewErasure(deps, session.actor, String(req.params.id));
    const body = formOf(req);
    const confirmAddress = field(body, 'confirm_address').slice(0, 320);
    if (!checked(body, 'understand')) return render(res, preview, 'ask', { confirmAddress, problems: [{ path: 'confirm', message: 'must be ticked', key: 'tickets:erase.mustTick' }] });
    try {
      checkEraseInput({ confirmAddress, confirm: true }, preview.addresses);
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return render(res, preview, 'ask', { confirmAddress, problems: issues });
    }
    const token = eraseConfirmToken(session.csrfToken, preview.contactId, String(session.actor.userId), ctx.now());
    render(res, preview, 'confirm', { confirmAddress, token });
  });

  router.post('/contacts/:id/erase/confirm', ...post, async (req, res) => {
    const session = requireSession(res);
    const preview = await previewErasure(deps, session.actor, String(req.params.id));
    const body = formOf(req);
    const confirmAddress = field(body, 'confirm_address').slice(0, 320);
    const check = checkEraseConfirmToken(session.csrfToken, field(body, 'token'), preview.contactId, String(session.actor.userId), ctx.now());
    if (check !== 'ok') {
      const key = check === 'expired' ? 'tickets:erase.tokenExpired' : 'tickets:erase.tokenInvalid';
      return render(res, preview, 'ask', { confirmAddress, problems: [{ path: 'token', message: 'confirm again', key }] });
    }
    try {
      await erasePerson(deps, session.actor, preview.contactId, { confirmAddress, confirm: true });
    } catch (err) {
      const issues = validationIssues(err, pageI18n(res).tr);
      if (!issues) throw err;
      return render(res, preview, 'ask', { confirmAddress, problems: issues });
    }
    res.redirect(303, `/contacts/${preview.contactId}/erase?erased=1`);
  });
  return router;
}
