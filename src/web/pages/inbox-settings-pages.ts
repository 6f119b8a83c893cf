import { Router, type Response } from 'express';
import { AppError } from '../../domain/errors.js';
import { mailErrorSummary } from '../../domain/mail-account.js';
import { createTestedInbox } from '../../services/inboxes/create-tested-inbox.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import type { InboxView } from '../../services/inboxes/inbox-view.js';
import { listTeams } from '../../services/teams/teams.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { testInboxConnection, testNewInboxConnection, type ConnectionTestResult } from '../../services/inboxes/test-inbox-connection.js';
import { updateInbox } from '../../services/inboxes/update-inbox.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { Translator } from '../../i18n/catalog.js';
import { checkMessage, failedTestDetail } from '../connection-test-words.js';
import { field, formOf, savedNotice, validationIssues, type FormBody, type FormIssue } from './form-fields.js';
import { connectionInput, createInboxInput, inboxFormView, updateInboxInput } from './inbox-form.js';
import { pageI18n } from './page-i18n.js';
import { reconnectNotes } from '../reconnect-words.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The poller error codes whose summary the catalog words (`settings:inbox.pollerError.<code>`). */
const POLLER_ERRORS = { IMAP_AUTH_FAILED: true, IMAP_UNREACHABLE: true, IMAP_FOLDER_MISSING: true, SECRET_INVALID: true, MAIL_RECONNECT_NEEDED: true } as const;

/** What a page shows of a connection test: one row per account. */
function testRows(result: ConnectionTestResult | null, t: Translator['t'], isAdmin: boolean) {
  if (!result) return null;
  // The error's own words (OpenSSL's "wrong version number"…) under "details", for admins only.
  const row = (label: string, check: ConnectionTestResult['imap']) => ({ label, ...check, message: checkMessage(check, t), detail: isAdmin ? (check.detail ?? null) : null });
  return [row(t('settings:inbox.imap'), result.imap), row(t('settings:inbox.smtp'), result.smtp)];
}

/** An address another inbox has (the store's unique index), reported against the address input. */
const addressTaken = (err: unknown): FormIssue[] | null =>
  err instanceof AppError && err.code === 'CONFLICT' ? [{ path: 'address', message: '', key: 'settings:inbox.error.addressTaken' }] : null;

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
  const inboxDeps = { inboxes: ctx.stores.inboxes, teams: ctx.stores.teams, secrets: ctx.secrets, logger: ctx.logger, validateTemplate: ctx.settings.validateTemplate };
  const checkDeps = { inboxes: ctx.stores.inboxes, secrets: ctx.secrets, logger: ctx.logger, checks: ctx.settings.connectionChecks };

  const renderInbox = async (res: Response, inbox: InboxView | null, state: InboxPageState = {}) => {
    const session = requireSession(res);
    // The teams that work this inbox: the choices of its default team.
    const teams = inbox ? (await listTeams(ctx.stores, session.actor)).filter((team) => team.inboxIds.includes(inbox.id)) : [];
    const postedTeam = state.posted ? field(state.posted, 'default_team') : null;
    const chosenTeam = postedTeam ?? inbox?.defaultTeamId ?? '';
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const isAdmin = session.actor.role === 'admin';
    const status = inbox?.status;
    const found = status && 'lastError' in status ? status.lastError : null;
    // Non-admins get a summary of the code instead of the server's words (toInboxView): said again from the catalog.
    const summary = found && found.message === mailErrorSummary(found.code) ? t(`settings:inbox.pollerError.${Object.hasOwn(POLLER_ERRORS, found.code) ? found.code : 'other'}`) : null;
    // A lost OAuth2 login says so in the provider's words (admins: with a link to the sign-in tab).
    const reconnect = inbox ? (await reconnectNotes(ctx.stores.oauthGrants, [inbox], t, isAdmin)).get(inbox.id) : undefined;
    const lastError = reconnect ? reconnect.text : found ? `${found.code}: ${summary ?? found.message}` : null;
    res.status(state.status ?? 200).type('html').send(
      ctx.views.render(
        'settings-inbox',
        {
          title: inbox ? t('settings:inbox.title', { inbox: inbox.name }) : t('settings:inbox.newTitle'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          isNew: !inbox,
          readOnly: !isAdmin,
          action: inbox ? `/settings/inboxes/${inbox.id}` : '/settings/inboxes/new',
          form: inboxFormView(inbox, state.posted ?? null, state.issues ?? [], i18n.tr, ctx.localeDefaults?.locale ?? 'en'),
          teamOptions: teams.map((team) => ({ id: team.id, name: team.name, level: team.level, selected: team.id === chosenTeam })),
          poller: status ? { state: status.state, lastError, reconnectUrl: reconnect?.url ?? null, tone: lastError ? 'tone-breach' : status.state === 'unknown' ? '' : 'tone-ok' } : null,
          tests: testRows(state.test ?? null, t, isAdmin),
          notice: state.notice ?? null,
          section: 'connection',
        },
        i18n,
      ),
    );
  };

  router.get('/settings/inboxes', ...guard, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const listed = await listInboxes(ctx.stores, session.actor);
    const reconnect = await reconnectNotes(ctx.stores.oauthGrants, listed, i18n.tr.t, session.actor.role === 'admin');
    const inboxes = listed.map((inbox) => ({ ...inbox, reconnect: reconnect.get(inbox.id) ?? null }));
    res.type('html').send(
      ctx.views.render('settings-inboxes', { title: i18n.tr.t('settings:inboxes.title'), session, nav: 'settings', isAdmin: session.actor.role === 'admin', inboxes, notice: savedNotice(req.query.saved, i18n.tr.t) }, i18n),
    );
  });

  router.get('/settings/inboxes/new', ...guard, async (_req, res) => {
    if (requireSession(res).actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can add inboxes', { key: 'forbidden.adminOnly' });
    await renderInbox(res, null);
  });

  router.post('/settings/inboxes/new', ...post, async (req, res) => {
    const { actor } = requireSession(res);
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can add inboxes', { key: 'forbidden.adminOnly' });
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
      // Saved, then tested with what was stored: an inbox that cannot connect is kept disabled, saying why, rather than polled in vain.
      const testedDeps = { ...inboxDeps, checks: ctx.settings.connectionChecks, now: ctx.now };
      created = (await createTestedInbox(testedDeps, actor, input, (test) => failedTestDetail(test, pageI18n(res).tr.t))).inbox;
    } catch (err) {
      const problems = validationIssues(err, pageI18n(res).tr) ?? addressTaken(err);
      if (!problems) throw err;
      // A failed save shows the form again with what was typed (never the passwords); only a saved change redirects.
      return renderInbox(res, null, { status: 400, posted: body, issues: problems });
    }
    res.redirect(303, `/settings/inboxes/${created.id}?saved=created`);
  });

  router.get('/settings/inboxes/:id', ...guard, async (req, res) => {
    const inbox = await getInbox(ctx.stores, requireSession(res).actor, String(req.params.id));
    await renderInbox(res, inbox, { notice: savedNotice(req.query.saved, pageI18n(res).tr.t) });
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
        const problems = validationIssues(err, pageI18n(res).tr);
        if (!problems) throw err;
        return renderInbox(res, inbox, { status: 400, posted: body, issues: problems });
      }
      return renderInbox(res, inbox, { posted: body, test });
    }
    if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only admins can change connection settings', { key: 'forbidden.adminOnly' });
    const { input, issues } = updateInboxInput(body);
    if (issues.length > 0) return renderInbox(res, inbox, { status: 400, posted: body, issues });
    try {
      await updateInbox(inboxDeps, actor, id, input);
    } catch (err) {
      const problems = validationIssues(err, pageI18n(res).tr) ?? addressTaken(err);
      if (!problems) throw err;
      return renderInbox(res, inbox, { status: 400, posted: body, issues: problems });
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(id)}?saved=1`);
  });
  return router;
}
