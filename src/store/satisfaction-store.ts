import type { Types } from 'mongoose';
import type { SatisfactionRating } from '../domain/satisfaction.js';
import type { Models } from './models/index.js';
import type { SatisfactionRatingDoc } from './models/satisfaction-rating.js';

/** A survey as it is asked: the ticket's inbox, team and assignee at the time, the customer, the solve. */
export type SurveyAsked = Pick<SatisfactionRatingDoc, 'ticketId' | 'inboxId' | 'teamId' | 'assigneeId' | 'email' | 'askedAt' | 'solvedAt'>;

/** Which rated surveys a list or summary covers; every field optional (ratedAt from ≤ … < to). */
export interface RatingFilter {
  from?: Date;
  to?: Date;
  /** Only these inboxes (a manager's); undefined: every inbox. */
  inboxIds?: readonly Types.ObjectId[];
  teamId?: Types.ObjectId;
  assigneeId?: Types.ObjectId;
  /** Only tickets among these (an agent sees their own tickets' ratings). */
  ticketIds?: readonly Types.ObjectId[];
  /** Only ratings with a comment. */
  withComment?: boolean;
}

/** One group's counts (by assignee or team). */
export interface RatingCounts {
  id: Types.ObjectId | null;
  good: number;
  okay: number;
  bad: number;
}

const LIST_LIMIT = 500;

const matchOf = (f: RatingFilter) => ({
  rating: { $ne: null },
  ...(f.from || f.to ? { ratedAt: { ...(f.from ? { $gte: f.from } : {}), ...(f.to ? { $lt: f.to } : {}) } } : { ratedAt: { $ne: null } }),
  ...(f.inboxIds ? { inboxId: { $in: [...f.inboxIds] } } : {}),
  ...(f.teamId ? { teamId: f.teamId } : {}),
  ...(f.assigneeId ? { assigneeId: f.assigneeId } : {}),
  ...(f.ticketIds ? { ticketId: { $in: [...f.ticketIds] } } : {}),
  ...(f.withComment ? { comment: { $nin: [null, ''] } } : {}),
});

/** Satisfaction surveys and their ratings (`satisfaction_ratings`). */
export function createSatisfactionStore(models: Pick<Models, 'SatisfactionRating'>) {
  const { SatisfactionRating } = models;
  return {
    /** When this inbox last asked this customer (any ticket), or null. */
    async lastAskedAt(inboxId: Types.ObjectId, email: string): Promise<Date | null> {
      const doc = await SatisfactionRating.findOne({ inboxId, email: email.toLowerCase() }, { askedAt: 1 }).sort({ askedAt: -1 }).lean();
      return doc?.askedAt ?? null;
    },

    /** Records that a ticket's survey was asked (one document per ticket; a later solve moves `askedAt`, a rating stays). */
    async recordAsked(asked: SurveyAsked): Promise<void> {
      const { ticketId, ...fields } = asked;
      await SatisfactionRating.updateOne(
        { ticketId },
        { $set: { ...fields, email: fields.email.toLowerCase() }, $setOnInsert: { rating: null, comment: null, ratedAt: null, changedAt: null } },
        { upsert: true },
      );
    },

    /** A ticket's survey, if it was asked. */
    findByTicket(ticketId: Types.ObjectId): Promise<SatisfactionRatingDoc | null> {
      return SatisfactionRating.findOne({ ticketId }).lean();
    },

    /**
     * Records a rating: the first one (`ratedAt`), or a change while the first is more recent than
     * `changeableSince` (`changedAt`). False when the survey is missing or its change window closed.
     */
    async rate(ticketId: Types.ObjectId, rating: { rating: SatisfactionRating; comment: string | null; at: Date }, changeableSince: Date): Promise<'rated' | 'changed' | null> {
      const first = await SatisfactionRating.updateOne({ ticketId, ratedAt: null }, { $set: { rating: rating.rating, comment: rating.comment, ratedAt: rating.at, changedAt: null } });
      if (first.modifiedCount === 1) return 'rated';
      const change = await SatisfactionRating.updateOne({ ticketId, ratedAt: { $gt: changeableSince } }, { $set: { rating: rating.rating, comment: rating.comment, changedAt: rating.at } });
      return change.matchedCount === 1 ? 'changed' : null;
    },

    /** Rated surveys, newest first (at most `limit`, 500 by default and at most). */
    list(filter: RatingFilter, limit: number = LIST_LIMIT): Promise<SatisfactionRatingDoc[]> {
      return SatisfactionRating.find(matchOf(filter)).sort({ ratedAt: -1 }).limit(Math.max(1, Math.min(limit, LIST_LIMIT))).lean();
    },

    /** Counts per rating, grouped by assignee or by team (or all together: null), over the filter. */
    countsBy(field: 'assigneeId' | 'teamId' | null, filter: RatingFilter): Promise<RatingCounts[]> {
      const count = (r: SatisfactionRating) => ({ $sum: { $cond: [{ $eq: ['$rating', r] }, 1, 0] } });
      return SatisfactionRating.aggregate<RatingCounts>([
        { $match: matchOf(filter) },
        { $group: { _id: field ? `$${field}` : null, good: count('good'), okay: count('okay'), bad: count('bad') } },
        { $project: { _id: 0, id: '$_id', good: 1, okay: 1, bad: 1 } },
      ]).exec();
    },
  };
}

/** What use cases may ask of this store; each names the methods it needs with `Pick`. */
export type SatisfactionStore = ReturnType<typeof createSatisfactionStore>;
