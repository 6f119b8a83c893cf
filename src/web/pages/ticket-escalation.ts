import { Router } from 'express';
import { isAppError } from '../../domain/errors.js';
import { escalationCandidates, nextLevel } from '../../domain/escalation.js';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import type { Translator } from '../../i18n/catalog.js';
import { escalateTicket } from '../../services/tickets/escalate-ticket.js';
import type { TicketPageData } from '../../services/tickets/ticket-page-data.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { postedText, validationIssues } from './form-fields.js';
import type { PageContext } from './page-deps.js';

/** The Escalate form's `?error=` codes; each names a `tickets:ticket.error.*` message. */
export const ESCALATE_FORM_ERRORS: readonly string[] = ['escalate-note', 'escalate-team', 'escalate-conflict'];

/** An id that `equals` another by its hex text, so the page's string ids go through the domain's checks. */
const hexId = (id: string) => ({ id, equals: (other: unknown) => String(other) === id, toString: () => id });

/**
 * What the ticket page shows of escalation: for someone who only reads the ticket (it was escalated
 * away from their team) the banner saying so; for those who work it, the Escalate card with the teams
 * of each level above the ticket's that work its inbox (the next level first, checked when alone),
 * their radio value `<level>:<team id>`. No card for a merged ticket or one at L4.
 */
export function escalationPanel(data: TicketPageData, t: Translator['t']) {
  const { ticket } = data;
  const team = ticket.teamId ? data.teams.find((x) => x.id === ticket.teamId) : undefined;
  if (data.readOnly) {
    const to = team ? t('tickets:ticket.escalate.teamLevel', { name: team.name, level: t('common:level', { level: team.level }) }) : t('tickets:ticket.escalate.anotherTeam');
    return { readOnly: t('tickets:ticket.escalate.readOnly', { team: to }), form: null };
  }
  const next = nextLevel(ticket.level);
  if (data.merged || !next) return { readOnly: null, form: null };
  const teams = data.teams.map((x) => ({ ...x, _id: hexId(x.id), inboxIds: [hexId(ticket.inboxId)], level: x.level as TeamLevel }));
  const current = { inboxId: hexId(ticket.inboxId), teamId: ticket.teamId ? hexId(ticket.teamId) : null, level: ticket.level };
  const levels = TEAM_LEVELS.slice(TEAM_LEVELS.indexOf(next)).map((level) => ({
    level,
    label: t('tickets:ticket.escalate.levelGroup', { level: t('common:level', { level }) }),
    teams: escalationCandidates(teams, current, level).map((x) => ({ value: `${level}:${x.id}`, label: x.name })),
  })).filter((g) => g.teams.length > 0);
  const only = levels.length === 1 && levels[0]!.teams.length === 1 ? levels[0]!.teams[0]! : null;
  return {
    readOnly: null,
    form: {
      heading: t('tickets:ticket.escalate.heading', { level: t('common:level', { level: next }) }),
      levels,
      only,
      none: levels.length === 0,
    },
  };
}

/** A refused escalation names its cause: the note, the team, or a ticket that moved meanwhile. */
function errorCode(err: unknown): string | null {
  if (isAppError(err, 'CONFLICT')) return 'escalate-conflict';
  if (!isAppError(err, 'VALIDATION_FAILED')) return null;
  return validationIssues(err)?.some((i) => i.path === 'note') ? 'escalate-note' : 'escalate-team';
}

/** `POST /tickets/:id/escalate` (CSRF-checked): the same use case as the API; back to the ticket. */
export function ticketEscalation(ctx: PageContext): Router {
  const router = Router();
  router.post('/tickets/:id/escalate', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    const [level, teamId] = postedText(req, 'target').split(':');
    const input = {
      note: postedText(req, 'note').slice(0, 200_000),
      ...(teamId ? { teamId } : {}),
      ...(level && (TEAM_LEVELS as readonly string[]).includes(level) ? { level } : {}),
    };
    try {
      await escalateTicket(ctx.actions, requireSession(res).actor, id, input);
    } catch (err) {
      const code = errorCode(err);
      if (code) return res.redirect(303, `/tickets/${encodeURIComponent(id)}?error=${code}#forms`);
      throw err;
    }
    res.redirect(303, `/tickets/${encodeURIComponent(id)}#end`);
  });
  return router;
}
