import { Router, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import { createInbox } from '../../services/inboxes/create-inbox.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { testInboxConnection, testNewInboxConnection, type ConnectionTestResult } from '../../services/inboxes/test-inbox-connection.js';
import { updateInbox } from '../../services/inboxes/update-inbox.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, formOf, savedNotice, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { connectionInput, createInboxInput, inboxFormView, updateInboxInput } from './inbox-form.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** What a page shows of a connection test: one row per account. */
function testRows(result: ConnectionTestResult | null) {
  if (!result) return null;
  return [
    { label: 'IMAP (reading mail)', ...result.imap },
    { label: 'SMTP (sending mail)', ...result.smtp },
  ];
}

interface InboxPageState {
  status?: number;
  posted?: FormBody | null;
  issues?: FormIssue[];
  test?: ConnectionTestResult | null;
  notice?: string | null;
}

/**
 * `/settings/inboxes`: the list, a new inbox, and one inbox's connection settings with a
 * "Test connection" button. Admins change everything; managers see their inboxes read-only and may
 * test them. Passwords are write-only: the form never carries one, an empty field keeps the stored one.
 */
export function inboxSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];
  const inboxDeps = { inboxes: ctx.stores.inboxes, secrets: ctx.secrets, logger: ctx.logger, validateTemplate: ctx.settings.validateTemplate };
  const checkDeps = { inboxes: ctx.stores.inboxes, secrets: ctx.secrets, logger: ctx.logger, checks: ctx.settings.connectionChecks };

  const renderInbox = (res: Response, inbox: InboxView | null, state: InboxPageState = {}) => {
    const session = requireSession(res);
    const isAdmin = session.actor.role === 'admin';
    const status = inbox?.status;
    const lastError = status && 'lastError' in status && status.lastError ? `${status.lastError.code}: ${status.lastError.message}` : null;
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render('settings-inbox', {
        title: inbox ? `${inbox.name} · Settings` : 'New inbox · Settings',
        session,
        nav: 'settings',
        csrf: session.csrfToken,
        inbox,
        isNew: !inbox,
        readOnly: !isAdmin,
        action: inbox ? `/settings/inboxes/${inbox.id}` : '/settings/inboxes/new',
        form: inboxFormView(inbox, state.posted ?? null, state.issues ?? []),
        poller: status ? { state: status.state, lastError, tone: lastError ? 'tone-breach' : status.state === 'unknown' ? '' : 'tone-ok' } : null,
        tests: testRows(state.test ?? null),
        notice: state.notice ?? null,
        section: 'connection',
      }),
    );
  };

  router.get('/settings/inboxes', ...guard, async (_req, res) => {
    const session = requireSession(res);
    const inboxes = await listInboxes(ctx.stores, session.actor);
    res.type('html').send(
      ctx.views.render('settings-inboxes', { title: 'Inboxes · Settings', session, nav: 'settings', isAdmin: session.actor.role === 'admin', inboxes }),
    );
  });

  router.get('/settings/inboxes/new', ...guard, (_req, res) => {
    if (requireSession(res).actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can add inboxes');
    renderInbox(res, null);
  });

  router.post('/settings/inboxes/new', ...post, async (req, res) => {
    const { actor } = requireSession(res);
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can add inboxes');
    const body = formOf(req);
    if (field(body, 'action') === 'test') {
      const { input, issues } = connectionInput(body, true);
      if (issues.length > 0) return renderInbox(res, null, { status: 400, posted: body, issues });
      return renderInbox(res, null, { posted: body, test: await testNewInboxConnection(checkDeps, actor, input) });
    }
    const { input, issues } = createInboxInput(body);
    if (issues.length > 0) return renderInbox(res, null, { status: 400, posted: body, issues });
    let created: InboxView;
    try {
      created = await createInbox(inboxDeps, actor, input);
    } catch (err) {
      const problems = validationIssues(err) ?? (err instanceof AppError && err.code === 'CONFLICT' ? [{ path: 'address', message: 'is already used by another inbox' }] : null);
      if (!problems) throw err;
      // A failed save shows the form again with what was typed (never the passwords); only a saved change redirects.
      return renderInbox(res, null, { status: 400, posted: body, issues: problems });
    }
    res.redirect(303, `/settings/inboxes/${created.id}?saved=created`);
  });

  router.get('/settings/inboxes/:id', ...guard, async (req, res) => {
    const inbox = await getInbox(ctx.stores, requireSession(res).actor, String(req.params.id));
    renderInbox(res, inbox, { notice: savedNotice(req.query.saved) });
  });

  router.post('/settings/inboxes/:id', ...post, async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const inbox = await getInbox(ctx.stores, actor, id);
    const body = formOf(req);
    // A connection test changes nothing, so its result is the response itself (no redirect to lose it in).
    if (field(body, 'action') === 'test') {
      // Managers see the form read-only, so only what is stored is theirs to test.
      if (actor.role !== 'admin') return renderInbox(res, inbox, { test: await testInboxConnection(checkDeps, actor, id) });
      const { input, issues } = connectionInput(body, false);
      if (issues.length > 0) return renderInbox(res, inbox, { status: 400, posted: body, issues });
      let test: ConnectionTestResult;
      try {
        test = await testInboxConnection(checkDeps, actor, id, input);
      } catch (err) {
        // e.g. a changed host with the password left empty: the stored one stays with the saved host.
        const problems = validationIssues(err);
        if (!problems) throw err;
        return renderInbox(res, inbox, { status: 400, posted: body, issues: problems });
      }
      return renderInbox(res, inbox, { posted: body, test });
    }
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can change connection settings');
    const { input, issues } = updateInboxInput(body);
    if (issues.length > 0) return renderInbox(res, inbox, { status: 400, posted: body, issues });
    try {
      await updateInbox(inboxDeps, actor, id, input);
    } catch (err) {
      const problems = validationIssues(err) ?? (err instanceof AppError && err.code === 'CONFLICT' ? [{ path: 'address', message: 'is already used by another inbox' }] : null);
      if (!problems) throw err;
      return renderInbox(res, inbox, { status: 400, posted: body, issues: problems });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(id)}?saved=1`);
  });
  return router;
}
