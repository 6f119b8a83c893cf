import { Types } from 'mongoose';
import { cleanComment, parseRating, RATING_CHANGE_WINDOW_MS, ratingChangeable, verifySurveyToken, type SatisfactionRating } from '../../domain/satisfaction.js';
import type { Signer } from '../../domain/message-ids.js';
import type { ContactStore } from '../../store/contact-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SatisfactionStore } from '../../store/satisfaction-store.js';
import type { TicketStore } from '../../store/ticket-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import { notify, type NotifyDeps } from '../notifications/notify.js';

/** What the public rating page needs: no session, only the signed token. */
export interface SurveyPageDeps {
  sign: Signer;
  now: () => Date;
  tickets: Pick<TicketStore, 'findById'>;
  inboxes: Pick<InboxStore, 'findById'>;
  contacts: Pick<ContactStore, 'findLocaleByEmail'>;
  satisfaction: Pick<SatisfactionStore, 'findByTicket'>;
}

/** What recording a rating needs besides: the write, and telling the managers of a bad one. */
export interface RateTicketDeps extends SurveyPageDeps, Omit<NotifyDeps, 'teams' | 'users'> {
  tickets: SurveyPageDeps['tickets'] & Pick<TicketStore, 'setSatisfaction'>;
  satisfaction: SurveyPageDeps['satisfaction'] & Pick<SatisfactionStore, 'rate'>;
  teams: Pick<TeamStore, 'findById' | 'listIdsOfMember' | 'listByIds'> & NotifyDeps['teams'];
  users: Pick<UserStore, 'listNotifyTargets'> & NotifyDeps['users'];
}

/** What a survey link leads to. */
export type SurveyPage =
  /** A malformed or forged link, or one for a ticket that was never asked (400). */
  | { state: 'invalid' }
  /** A well-signed link past its 30 days (410). */
  | { state: 'expired' }
  /** Rated more than 7 days ago: the rating stands (410). */
  | { state: 'closed'; ticketId: Types.ObjectId; locale: string | null; brand: string; rating: SatisfactionRating | null }
  /** The form: the link's rating pre-selected, or the one given before. */
  | { state: 'open'; ticketId: Types.ObjectId; locale: string | null; brand: string; ticket: { number: number; subject: string }; rating: SatisfactionRating | null; comment: string | null; rated: boolean; changeableUntil: Date | null };

/**
 * Reads what a survey link leads to, recording nothing (mail scanners open links): the ticket, the
 * rating the customer gave before (or none), whether it may still change, in the customer's language.
 */
export async function loadSurveyPage(deps: SurveyPageDeps, token: string): Promise<SurveyPage> {
  const now = deps.now();
  const check = verifySurveyToken(deps.sign, token, now);
  if (!check.ok) return { state: check.reason };
  const ticket = await deps.tickets.findById(idOf(check.ticketId));
  const survey = ticket ? await deps.satisfaction.findByTicket(ticket._id) : null;
  if (!ticket || !survey) return { state: 'invalid' };
  const [inbox, locale] = await Promise.all([deps.inboxes.findById(ticket.inboxId), deps.contacts.findLocaleByEmail(survey.email)]);
  const brand = inbox ? (inbox.displayName ?? inbox.name) : '';
  const customerLocale = locale ?? inbox?.defaultLocale ?? null;
  if (!ratingChangeable(survey.ratedAt, now)) return { state: 'closed', ticketId: ticket._id, locale: customerLocale, brand, rating: survey.rating };
  return {
    state: 'open',
    ticketId: ticket._id,
    locale: customerLocale,
    brand,
    ticket: { number: ticket.number, subject: ticket.subject },
    rating: survey.rating,
    comment: survey.comment,
    rated: survey.ratedAt !== null,
    changeableUntil: survey.ratedAt ? new Date(survey.ratedAt.getTime() + RATING_CHANGE_WINDOW_MS) : null,
  };
}

/** What confirming the page did. */
export type RateResult = SurveyPage | { state: 'rated' | 'changed'; rating: SatisfactionRating; locale: string | null; brand: string } | { state: 'no-rating'; page: SurveyPage & { state: 'open' } };

/**
 * Records the customer's rating (and comment) confirmed on the page: the first one, or a change
 * within 7 days of it; then puts it on the ticket with a trail line. A bad rating (a new one, or a
 * change to bad) notifies the managers of the assignee's teams and of the ticket's team.
 */
export async function rateTicket(deps: RateTicketDeps, token: string, input: { rating: unknown; comment: unknown }): Promise<RateResult> {
  const page = await loadSurveyPage(deps, token);
  if (page.state !== 'open') return page;
  const rating = parseRating(input.rating);
  if (!rating) return { state: 'no-rating', page };
  const comment = cleanComment(input.comment);
  const now = deps.now();
  const done = await deps.satisfaction.rate(page.ticketId, { rating, comment, at: now }, new Date(now.getTime() - RATING_CHANGE_WINDOW_MS));
  if (!done) return loadSurveyPage(deps, token);
  const id = page.ticketId.toHexString();
  await deps.tickets.setSatisfaction(page.ticketId, { rating, at: now }, [
    { ticketId: page.ticketId, type: 'satisfaction_rated', actor: { kind: 'contact', label: null }, at: now, data: { rating, comment, changed: done === 'changed' }, key: `satisfaction-rated:${id}:${now.getTime()}` },
  ]);
  if (rating === 'bad' && page.rating !== 'bad') await notifyManagers(deps, page.ticketId, now, comment);
  return { state: done, rating, locale: page.locale, brand: page.brand };
}

/** The managers of the assignee's teams and of the ticket's own team are told of a bad rating. */
async function notifyManagers(deps: RateTicketDeps, ticketId: Types.ObjectId, at: Date, comment: string | null): Promise<void> {
  const ticket = await deps.tickets.findById(ticketId);
  if (!ticket) return;
  const teamIds = [...(ticket.assigneeId ? await deps.teams.listIdsOfMember(ticket.assigneeId) : []), ...(ticket.teamId ? [ticket.teamId] : [])];
  const teams = teamIds.length ? await deps.teams.listByIds(teamIds) : [];
  const members = [...new Map(teams.flatMap((t) => t.memberIds).map((m) => [m.toHexString(), m])).values()];
  const managers = (members.length ? await deps.users.listNotifyTargets(members) : []).filter((u) => u.role === 'manager');
  if (managers.length === 0) return;
  await notify(deps, [{
    kind: 'bad_rating',
    key: `bad-rating:${ticketId.toHexString()}:${at.getTime()}`,
    ticket,
    at,
    data: { excerpt: comment ? comment.slice(0, 200) : null },
    userIds: managers.map((u) => u._id),
  }]);
}

function idOf(hex: string): Types.ObjectId {
  // The token's id is 24 hex digits (checked by its pattern), a valid ObjectId.
  return new Types.ObjectId(hex);
}
