import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { RATING_COMMENT_MAX, SATISFACTION_RATINGS, type SatisfactionRating } from '../../domain/satisfaction.js';

/**
 * One ticket's satisfaction survey (`satisfaction_ratings`): written when the survey mail is queued
 * (`askedAt`: what "at most once per N days" reads), rated when the customer confirms the page.
 * One document per ticket; team and assignee are those of the ticket when it was asked, so the
 * per-agent and per-team tables credit who solved it.
 */
export interface SatisfactionRatingDoc {
  _id: Types.ObjectId;
  ticketId: Types.ObjectId;
  inboxId: Types.ObjectId;
  teamId: Types.ObjectId | null;
  assigneeId: Types.ObjectId | null;
  /** The customer asked, lower-cased. */
  email: string;
  askedAt: Date;
  /** The solve the survey asks about. */
  solvedAt: Date;
  /** Null until the customer confirms a rating. */
  rating: SatisfactionRating | null;
  comment: string | null;
  /** When the customer first rated (the 7-day change window counts from here). */
  ratedAt: Date | null;
  /** When they last changed it; null: never. */
  changedAt: Date | null;
}

const satisfactionRatingSchema = new Schema<SatisfactionRatingDoc>(
  {
    ticketId: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    inboxId: { type: Schema.Types.ObjectId, ref: 'Inbox', required: true },
    teamId: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    assigneeId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    email: { type: String, required: true, lowercase: true, trim: true },
    askedAt: { type: Date, required: true },
    solvedAt: { type: Date, required: true },
    rating: { type: String, enum: [...SATISFACTION_RATINGS, null], default: null },
    comment: { type: String, maxlength: RATING_COMMENT_MAX, default: null },
    ratedAt: { type: Date, default: null },
    changedAt: { type: Date, default: null },
  },
  { collection: 'satisfaction_ratings', versionKey: false },
);
// One survey per ticket.
satisfactionRatingSchema.index({ ticketId: 1 }, { unique: true });
// "Asked this customer within N days?" per inbox.
satisfactionRatingSchema.index({ inboxId: 1, email: 1, askedAt: -1 });
// Ratings of a period (the API, the per-agent and per-team tables).
satisfactionRatingSchema.index({ ratedAt: 1 });

/** The `satisfaction_ratings` model. */
export type SatisfactionRatingModel = Model<SatisfactionRatingDoc>;

/** Registers the `satisfaction_ratings` model on a connection. */
export function satisfactionRatingModel(conn: Connection): SatisfactionRatingModel {
  return conn.model<SatisfactionRatingDoc>('SatisfactionRating', satisfactionRatingSchema);
}
