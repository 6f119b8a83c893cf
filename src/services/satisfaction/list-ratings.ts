import type { Types } from 'mongoose';
import { z } from 'zod';
import { satisfactionSummary, type SatisfactionRating } from '../../domain/satisfaction.js';
import type { RatingFilter, SatisfactionStore } from '../../store/satisfaction-store.js';
import type { UserStore } from '../../store/user-store.js';
import { canSeeInbox, parseObjectId, type Actor } from '../access.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';

/** The default period of the list and the tables: the last 30 days. */
export const RATING_PERIOD_DAYS = 30;

const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?$/.test(s) && !Number.isNaN(Date.parse(s)), { message: 'must be an ISO date or date-time' });
const id = z.string().regex(/^[0-9a-f]{24}$/i, 'must be an id');

/** `GET /satisfaction`'s query: a period (`from` ≤ ratedAt < `to`, the last 30 days by default), an inbox, a team, an agent. */
export const ratingQuerySchema = z.strictObject({ from: isoDate.optional(), to: isoDate.optional(), inbox: id.optional(), team: id.optional(), agent: id.optional() });

/** One rating as the API lists it. */
export interface RatingView {
  ticketId: string;
  inboxId: string;
  teamId: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
  rating: SatisfactionRating;
  comment: string | null;
  ratedAt: Date;
  changedAt: Date | null;
}

/** The list and its summary (counts, and the score: the share of good ratings, null without any). */
export interface RatingList {
  from: Date;
  to: Date;
  summary: { good: number; okay: number; bad: number; total: number; score: number | null };
  items: RatingView[];
}

/** What listing ratings needs. */
export interface ListRatingsDeps {
  satisfaction: Pick<SatisfactionStore, 'list' | 'countsBy'>;
  users: Pick<UserStore, 'listLabelsByIds'>;
  now: () => Date;
}

/**
 * The customers' ratings of a period (newest first, at most 500) with their summary over the whole
 * filter. Admins see every inbox's, managers their inboxes', agents those of the tickets they were
 * assigned when the customer was asked. An inbox the caller may not see is refused as one that does
 * not exist (VALIDATION_FAILED).
 */
export async function listRatings(deps: ListRatingsDeps, actor: Actor, input: unknown): Promise<RatingList> {
  const q = parseInput(ratingQuerySchema, input, 'Satisfaction query');
  const to = q.to ? new Date(q.to) : deps.now();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - RATING_PERIOD_DAYS * 86_400_000);
  if (from.getTime() >= to.getTime()) throw invalidInput([inputIssue('from', 'issue.fromBeforeTo', 'must be before to')], 'Satisfaction query');
  const inbox = parseObjectId(q.inbox);
  if (inbox && !canSeeInbox(actor, inbox)) throw invalidInput([inputIssue('inbox', 'issue.inboxMissing', 'names an inbox that does not exist')], 'Satisfaction query');
  const filter: RatingFilter = {
    from,
    to,
    ...(inbox ? { inboxIds: [inbox] } : actor.role === 'admin' ? {} : { inboxIds: actor.inboxIds }),
    ...(q.team ? { teamId: parseObjectId(q.team)! } : {}),
    // An agent sees the ratings of their own tickets only, whatever `agent` says.
    ...(actor.role === 'agent' && actor.userId ? { assigneeId: actor.userId } : q.agent ? { assigneeId: parseObjectId(q.agent)! } : {}),
  };
  const [rows, [all]] = await Promise.all([deps.satisfaction.list(filter), deps.satisfaction.countsBy(null, filter)]);
  const assignees = [...new Set(rows.flatMap((r) => (r.assigneeId ? [r.assigneeId.toHexString()] : [])))];
  const names = new Map((assignees.length ? await deps.users.listLabelsByIds(assignees) : []).map((u) => [u._id.toHexString(), u.name || u.email]));
  const counts = { good: all?.good ?? 0, okay: all?.okay ?? 0, bad: all?.bad ?? 0 };
  return {
    from,
    to,
    summary: summaryOf(counts),
    items: rows.map((r) => ({
      ticketId: r.ticketId.toHexString(),
      inboxId: r.inboxId.toHexString(),
      teamId: r.teamId?.toHexString() ?? null,
      assigneeId: r.assigneeId?.toHexString() ?? null,
      assigneeName: r.assigneeId ? (names.get(r.assigneeId.toHexString()) ?? null) : null,
      rating: r.rating!,
      comment: r.comment,
      ratedAt: r.ratedAt!,
      changedAt: r.changedAt,
    })),
  };
}

/** Counts with their total and score. */
export function summaryOf(c: { good: number; okay: number; bad: number }): RatingList['summary'] {
  return satisfactionSummary(c);
}

/** The table rows of the last 30 days per agent or per team: counts and score, by id (hex; `none` for unassigned). */
export async function ratingTable(deps: Pick<ListRatingsDeps, 'satisfaction' | 'now'>, field: 'assigneeId' | 'teamId', scope: { inboxIds?: readonly Types.ObjectId[] }): Promise<Map<string, RatingList['summary']>> {
  const to = deps.now();
  const rows = await deps.satisfaction.countsBy(field, { from: new Date(to.getTime() - RATING_PERIOD_DAYS * 86_400_000), to, ...(scope.inboxIds ? { inboxIds: scope.inboxIds } : {}) });
  return new Map(rows.map((r) => [r.id?.toHexString() ?? 'none', summaryOf(r)]));
}
