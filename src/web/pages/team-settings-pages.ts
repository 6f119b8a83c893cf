import { Router, type Response } from 'express';
import { TEAM_LEVELS } from '../../domain/teams.js';
import { ASSIGNMENT_CAP_MAX, ASSIGNMENT_MODES } from '../../domain/auto-assign.js';
import { isAppError } from '../../domain/errors.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { createTeam, deleteTeam, getTeam, listTeams, TEAM_NAME_MAX, updateTeam, type TeamView } from '../../services/teams/teams.js';
import { listUsers } from '../../services/users/list-users.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { field, fields, fixedMessage, formOf } from './form-fields.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The catalog keys of the texts `?error=` and `?saved=` name. */
const ERRORS: Record<string, string> = { invalid: 'settings:teams.error.invalid', taken: 'settings:teams.error.taken' };
const NOTICES: Record<string, string> = {
  created: 'settings:teams.notice.created',
  updated: 'settings:teams.notice.updated',
  deleted: 'settings:teams.notice.deleted',
};

const one = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The fixed error code of an expected failure of a team form, or null for anything else. */
function teamErrorCode(err: unknown): string | null {
  if (isAppError(err, 'VALIDATION_FAILED')) return 'invalid';
  if (isAppError(err, 'CONFLICT')) return 'taken';
  return null;
}

/** What a team form posted: shown again when it is refused. */
interface PostedTeam {
  name: string;
  level: string;
  memberIds: string[];
  inboxIds: string[];
  /** Auto-assignment as posted (absent: a form without it leaves the team's as it is). */
  assignment?: { mode: string; cap: number | string | null };
}

/** Runs a change and goes to `done` (303), or back to `form` naming a fixed error code. */
async function act(res: Response, form: string, fn: () => Promise<string>) {
  let done: string;
  try {
    done = await fn();
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) return res.redirect(303, `${form}?error=invalid`);
    if (isAppError(err, 'CONFLICT')) return res.redirect(303, `${form}?error=taken`);
    throw err;
  }
  res.redirect(303, done);
}

/**
 * `/settings/teams`: support teams of levels L1–L4, their members and the inboxes whose tickets they
 * work. Admins add, change and remove them; managers see them read-only; agents get 403 like every
 * settings page.
 */
export function teamSettingsPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];
  const post = [...guard, requireCsrf(ctx.publicUrl)];

  /** Names of users (admins only list users) and inboxes, to show a team's lists. */
  async function names(res: Response) {
    const { actor } = requireSession(res);
    const [inboxes, users] = await Promise.all([listInboxes(ctx.stores, actor), actor.role === 'admin' ? listUsers(ctx.stores, actor) : Promise.resolve([])]);
    return { inboxes, users };
  }

  router.get('/settings/teams', ...guard, async (req, res) => {
    const session = requireSession(res);
    const [items, { inboxes, users }] = await Promise.all([listTeams(ctx.stores, session.actor), names(res)]);
    const inboxNames = new Map(inboxes.map((i) => [i.id, i.name]));
    const userNames = new Map(users.map((u) => [u.id, u.name ?? u.email]));
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'settings-teams',
        {
          title: t('settings:teams.title'),
          session,
          nav: 'settings',
          isAdmin: session.actor.role === 'admin',
          items: items.map((team) => ({
            ...team,
            memberCount: team.memberIds.length,
            memberNames: team.memberIds.map((id) => userNames.get(id)).filter(Boolean),
            inboxNames: team.inboxIds.map((id) => inboxNames.get(id)).filter(Boolean),
            assignmentOn: team.assignment.mode !== 'none',
            capText: team.assignment.mode !== 'none' && team.assignment.cap !== null ? t('settings:teams.assignment.capSummary', { cap: team.assignment.cap }) : '',
          })),
          notice: fixedMessage(NOTICES, one(req.query.saved), t),
        },
        i18n,
      ),
    );
  });

  /** The add or edit form of a team (admins). */
  async function renderForm(res: Response, team: TeamView | null, error: unknown, posted: PostedTeam | null = null) {
    const session = requireSession(res);
    const picked = posted ?? { name: team?.name ?? '', level: team?.level ?? 'L1', memberIds: team?.memberIds ?? [], inboxIds: team?.inboxIds ?? [], assignment: team?.assignment ?? { mode: 'none', cap: null } };
    const assignment = picked.assignment ?? team?.assignment ?? { mode: 'none', cap: null };
    const { inboxes, users } = await names(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.status(posted ? 400 : 200).type('html').send(
      ctx.views.render(
        'settings-team',
        {
          title: team ? t('settings:teams.editTitle', { name: team.name }) : t('settings:teams.newTitle'),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          team,
          action: team ? `/settings/teams/${team.id}` : '/settings/teams',
          maxName: TEAM_NAME_MAX,
          nameValue: picked.name,
          levels: TEAM_LEVELS.map((level) => ({ level, selected: picked.level === level })),
          assignmentModes: ASSIGNMENT_MODES.map((mode) => ({ mode, selected: assignment.mode === mode })),
          capValue: assignment.cap === null ? '' : String(assignment.cap),
          capMax: ASSIGNMENT_CAP_MAX,
          users: users.filter((u) => !u.disabled || team?.memberIds.includes(u.id)).map((u) => ({ id: u.id, label: u.name ?? u.email, email: u.email, checked: picked.memberIds.includes(u.id) })),
          inboxes: inboxes.map((i) => ({ id: i.id, name: i.name, address: i.address, checked: picked.inboxIds.includes(i.id) })),
          error: fixedMessage(ERRORS, one(error), t, { max: TEAM_NAME_MAX }),
        },
        i18n,
      ),
    );
  }

  router.get('/settings/teams/new', ...guard, async (req, res) => {
    if (requireSession(res).actor.role !== 'admin') return res.redirect(303, '/settings/teams');
    await renderForm(res, null, req.query.error);
  });

  router.get('/settings/teams/:id', ...guard, async (req, res) => {
    const team = await getTeam(ctx.stores, requireSession(res).actor, String(req.params.id));
    if (requireSession(res).actor.role !== 'admin') return res.redirect(303, '/settings/teams');
    await renderForm(res, team, req.query.error);
  });

  /** The cap as typed: empty for none, a whole number, else the text itself (refused by the use case). */
  const cap = (text: string): number | string | null => (text.trim() === '' ? null : /^\d{1,6}$/.test(text.trim()) ? Number(text.trim()) : text);
  const input = (body: ReturnType<typeof formOf>): PostedTeam => ({
    name: field(body, 'name'),
    level: field(body, 'level'),
    memberIds: fields(body, 'memberIds'),
    inboxIds: fields(body, 'inboxIds'),
    ...(field(body, 'assignmentMode') ? { assignment: { mode: field(body, 'assignmentMode'), cap: cap(field(body, 'assignmentCap')) } } : {}),
  });

  // A refused add or change shows the form again with what was posted (no redirect to lose it in).
  router.post('/settings/teams', ...post, async (req, res) => {
    const posted = input(formOf(req));
    try {
      await createTeam(ctx.stores, requireSession(res).actor, posted);
    } catch (err) {
      const code = teamErrorCode(err);
      if (!code) throw err;
      return renderForm(res, null, code, posted);
    }
    res.redirect(303, '/settings/teams?saved=created');
  });

  router.post('/settings/teams/:id', ...post, async (req, res) => {
    const id = String(req.params.id);
    const { actor } = requireSession(res);
    const posted = input(formOf(req));
    try {
      await updateTeam({ ...ctx.stores, refreshSla: ctx.actions.refreshSla, ...(ctx.actions.refillTeam ? { refillTeam: ctx.actions.refillTeam } : {}) }, actor, id, posted);
    } catch (err) {
      const code = teamErrorCode(err);
      if (!code) throw err;
      return renderForm(res, await getTeam(ctx.stores, actor, id), code, posted);
    }
    res.redirect(303, '/settings/teams?saved=updated');
  });

  router.post('/settings/teams/:id/delete', ...post, async (req, res) => {
    const id = String(req.params.id);
    await act(res, `/settings/teams/${id}`, async () => {
      await deleteTeam({ ...ctx.stores, refreshSla: ctx.actions.refreshSla }, requireSession(res).actor, id);
      return '/settings/teams?saved=deleted';
    });
  });
  return router;
}
