import type { SatisfactionRating } from './satisfaction.js';

/** A moment in a digest: a Date, or an ISO string (sample data, previews). */
export type When = Date | string;

/** What the manager digest shows; dates are instants, formatted in `timeZone` when rendered. */
export type DigestData = {
  managerName: string;
  periodStart: When;
  periodEnd: When;
  timeZone: string;
  inboxes: string[];
  counts: { new: number; solved: number; reopened: number };
  /** Open tickets by age, oldest bucket last, e.g. `< 1 day`, `1–3 days`, `3–7 days`, `> 7 days`. */
  backlogByAge: Array<{ label: string; count: number }>;
  /** Listed tickets carry their `id`: the ticket page is addressed by id, never by number. */
  breaches: Array<{ id: string; number: number; subject: string; clock: string; breachedAt: When }>;
  aboutToBreach: Array<{ id: string; number: number; subject: string; clock: string; dueAt: When }>;
  unassignedOlderThanHour: Array<{ id: string; number: number; subject: string; createdAt: When }>;
  medianFirstResponseSeconds: number | null;
  medianResolutionSeconds: number | null;
  /** The 90th percentiles of the same stored figures (domain/ticket-metrics.ts percentile); absent in older sample data. */
  p90FirstResponseSeconds?: number | null;
  p90ResolutionSeconds?: number | null;
  perAgent: Array<{ name: string; solved: number; replies: number }>;
  /**
   * Ratings customers gave in the period on tickets of the digest's inboxes (as the reports count them):
   * counts, the score (share of good, 0..100, one decimal; null without ratings, domain/report.ts) and the
   * latest comments (at most {@link DIGEST_COMMENTS}, newest first, each naming its ticket by id). Absent in older sample data.
   */
  satisfaction?: DigestSatisfaction;
  /** Tickets link to `<ticketUrlBase>/<id>` (the ticket page) when this is an http(s) URL. */
  ticketUrlBase: string | null;
  /** The reports page with the same period and inboxes (`PUBLIC_URL/reports?from=…&to=…&inbox=…`); null without PUBLIC_URL. */
  reportsUrl?: string | null;
  /** Nothing happened (no ticket new, solved or reopened, no rating) and nothing is open: the digest is one line. */
  empty: boolean;
};

/** How many customer comments a digest quotes. */
export const DIGEST_COMMENTS = 5;

/** The satisfaction part of a digest. */
export interface DigestSatisfaction {
  good: number;
  okay: number;
  bad: number;
  total: number;
  score: number | null;
  comments: Array<{ id: string; number: number; subject: string; rating: SatisfactionRating; comment: string; ratedAt: When }>;
}
