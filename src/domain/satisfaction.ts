import { timingSafeEqual } from 'node:crypto';
import type { Signer } from './message-ids.js';

/*
 * The satisfaction survey: when a ticket is solved its customer is asked how it went (good, okay,
 * bad) by a mail whose three links each open the rating page with that rating pre-selected. The
 * links are signed with the instance's key and name the ticket and the solve they ask about, so
 * nobody can rate someone else's ticket; opening a link records nothing (mail scanners open links),
 * only confirming the page's form does.
 */

/** The three answers, best first. */
export const SATISFACTION_RATINGS = ['good', 'okay', 'bad'] as const;
export type SatisfactionRating = (typeof SATISFACTION_RATINGS)[number];

/** When the survey mail goes: with the solve (`solved`), or on its own some hours later (`delayed`). */
export const SURVEY_MODES = ['solved', 'delayed'] as const;
export type SurveyMode = (typeof SURVEY_MODES)[number];

/** The public page of a survey link: `/satisfaction/<token>?rating=good`. */
export const SATISFACTION_PATH = '/satisfaction/';
/** How long a survey link works after it was mailed. */
export const SURVEY_LINK_TTL_MS = 30 * 24 * 3600_000;
/** How long a customer may change their rating after giving it. */
export const RATING_CHANGE_WINDOW_MS = 7 * 24 * 3600_000;
/** The longest comment kept (characters). */
export const RATING_COMMENT_MAX = 2000;
/** Defaults of an inbox's survey settings: off; when on, a customer is asked at most once per 30 days. */
export const DEFAULT_ASK_EVERY_DAYS = 30;
export const DEFAULT_SURVEY_DELAY_HOURS = 24;
export const MAX_ASK_EVERY_DAYS = 365;
export const MAX_SURVEY_DELAY_HOURS = 24 * 14;

/** An inbox's survey settings as stored (absent on older inboxes: off). */
export interface SurveySettings {
  enabled: boolean;
  mode: SurveyMode;
  /** Hours after the solve for `delayed`. */
  delayHours: number;
  /** A customer is asked at most once per inbox per this many days. */
  askEveryDays: number;
}

/** The settings of an inbox, defaults filled in for what an older inbox lacks. */
export function surveySettingsOf(inbox: { satisfaction?: Partial<SurveySettings> | null }): SurveySettings {
  const s = inbox.satisfaction ?? {};
  return {
    enabled: s.enabled === true,
    mode: s.mode === 'delayed' ? 'delayed' : 'solved',
    delayHours: typeof s.delayHours === 'number' && s.delayHours >= 0 ? s.delayHours : DEFAULT_SURVEY_DELAY_HOURS,
    askEveryDays: typeof s.askEveryDays === 'number' && s.askEveryDays >= 0 ? s.askEveryDays : DEFAULT_ASK_EVERY_DAYS,
  };
}

/** When the survey of a solve is mailed: at the solve, or `delayHours` later in delayed mode. */
export function surveyDueAt(settings: SurveySettings, solvedAt: Date): Date {
  return settings.mode === 'delayed' ? new Date(solvedAt.getTime() + settings.delayHours * 3600_000) : solvedAt;
}

/**
 * Whether a ticket may be surveyed at all: solved (or closed since, which keeps the solve), never spam,
 * merged, or agent-started tickets the customer never answered, nor to a bouncing address.
 */
export function surveyable(ticket: { status: string; mergedIntoId?: unknown; agentStarted: boolean; customerWrote: boolean; recipientBouncing: boolean }): boolean {
  if ((ticket.status !== 'solved' && ticket.status !== 'closed') || ticket.mergedIntoId) return false;
  if (ticket.agentStarted && !ticket.customerWrote) return false;
  return !ticket.recipientBouncing;
}

/** Whether a customer may be asked again: not when they were asked by this inbox within `askEveryDays` (0: every time). */
export function mayAskAgain(lastAskedAt: Date | null, askEveryDays: number, now: Date): boolean {
  if (!lastAskedAt || askEveryDays <= 0) return true;
  return now.getTime() - lastAskedAt.getTime() >= askEveryDays * 24 * 3600_000;
}

/** Whether a rating given at `firstRatedAt` may still be changed at `now` (7 days). */
export function ratingChangeable(firstRatedAt: Date | null, now: Date): boolean {
  return !firstRatedAt || now.getTime() - firstRatedAt.getTime() < RATING_CHANGE_WINDOW_MS;
}

/** What a survey link grants: rating this ticket (about the solve at `solvedAt`) until `expiresAt`. */
export interface SurveyGrant {
  ticketId: string;
  /** The solve asked about (ms since the epoch): one survey per solve. */
  solvedAt: number;
  expiresAt: Date;
}

const SIGNATURE_CHARS = 32;
const TOKEN = /^([0-9a-f]{24})\.([0-9a-z]{1,12})\.([0-9a-z]{1,12})\.([0-9a-f]{32})$/;

// Newline-separated, with a purpose first, so it cannot be confused with anything else we sign.
const payload = (ticketId: string, solvedAt: number, expiresAtSeconds: number) => ['satisfaction', ticketId, String(solvedAt), String(expiresAtSeconds)].join('\n');

/** The token of a survey link: `<ticket id>.<solve, base 36>.<expiry seconds, base 36>.<signature>`. */
export function surveyToken(sign: Signer, grant: SurveyGrant): string {
  const seconds = Math.floor(grant.expiresAt.getTime() / 1000);
  const id = grant.ticketId.toLowerCase();
  return `${id}.${grant.solvedAt.toString(36)}.${seconds.toString(36)}.${sign(payload(id, grant.solvedAt, seconds)).slice(0, SIGNATURE_CHARS)}`;
}

/** The link of one answer: `<public URL>/satisfaction/<token>?rating=<rating>`. */
export function surveyLink(publicUrl: string, token: string, rating: SatisfactionRating): string {
  return `${publicUrl.replace(/\/$/, '')}${SATISFACTION_PATH}${token}?rating=${rating}`;
}

/** What checking a token found: the grant, `expired` (well signed, too old), or `invalid` (malformed or forged). */
export type SurveyTokenCheck = { ok: true; ticketId: string; solvedAt: Date } | { ok: false; reason: 'invalid' | 'expired' };

/** Checks a survey token's signature, then its expiry at `now`. */
export function verifySurveyToken(sign: Signer, token: string, now: Date): SurveyTokenCheck {
  const match = TOKEN.exec(token);
  if (!match) return { ok: false, reason: 'invalid' };
  const [, ticketId, solved, expires, signature] = match as unknown as [string, string, string, string, string];
  const solvedAt = parseInt(solved, 36);
  const seconds = parseInt(expires, 36);
  if (!Number.isSafeInteger(solvedAt) || !Number.isSafeInteger(seconds)) return { ok: false, reason: 'invalid' };
  const expected = Buffer.from(sign(payload(ticketId, solvedAt, seconds)).slice(0, SIGNATURE_CHARS));
  // A signer that returns less than a full signature (a misconfiguration) must not accept anything.
  if (expected.length !== SIGNATURE_CHARS || !timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'invalid' };
  if (seconds * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, ticketId, solvedAt: new Date(solvedAt) };
}

/** A rating as a form or link gives it, or null for anything else. */
export function parseRating(value: unknown): SatisfactionRating | null {
  return typeof value === 'string' && (SATISFACTION_RATINGS as readonly string[]).includes(value) ? (value as SatisfactionRating) : null;
}

/** A comment as kept: trimmed, bounded, null when empty. */
export function cleanComment(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.replace(/\r\n?/g, '\n').trim().slice(0, RATING_COMMENT_MAX);
  return text || null;
}

/** Counts per rating with their total and score (share of good among all, null without any), for tables and the API. */
export function satisfactionSummary(c: { good: number; okay: number; bad: number }): { good: number; okay: number; bad: number; total: number; score: number | null } {
  const total = c.good + c.okay + c.bad;
  return { ...c, total, score: total ? c.good / total : null };
}
