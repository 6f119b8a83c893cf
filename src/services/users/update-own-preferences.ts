import type { Types } from 'mongoose';
import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { isTimeZone, LOCALES } from '../../i18n/locales.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { issueMessage, parseInput } from '../validate.js';

const NOT_A_ZONE = issueMessage('issue.hours.timeZone', 'must be an IANA time zone such as "Europe/Berlin"');

/** The zone as the runtime names it ("europe/paris" → "Europe/Paris"). */
const canonicalZone = (zone: string) => new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;

/**
 * The caller's own language, time zone and away state. `''` or null clears a setting: the language
 * then follows the browser, the time zone the instance default. A field left out stays as it is.
 */
export const preferencesSchema = z.strictObject({
  locale: z
    .union([z.enum(LOCALES), z.literal(''), z.null()])
    .optional()
    .transform((v) => (v === undefined ? undefined : v || null)),
  timeZone: z
    .union([z.string().trim().max(64).refine((v) => v === '' || isTimeZone(v), NOT_A_ZONE), z.null()])
    .optional()
    .transform((v) => (v === undefined ? undefined : v ? canonicalZone(v) : null)),
  /** Away (holiday, sick): shown on the team load and in the top bar, passed over by auto-assignment; not on any ticket's trail. */
  away: z.boolean().optional(),
});

/** The caller's language and time zone as stored (null: not chosen), and whether they are away and since when. */
export interface OwnPreferences {
  locale: string | null;
  timeZone: string | null;
  away: boolean;
  awaySince: Date | null;
}

/**
 * Sets the caller's own language, time zone and away state (the account page and `PATCH /me`); the
 * pages pick them up on the next request. Becoming away notes when; staying away keeps that time.
 * Auto-assignment passes over someone away; coming back assigns their teams' waiting tickets.
 */
export async function updateOwnPreferences(
  deps: {
    users: Pick<UserStore, 'setPreferences' | 'setAway'>;
    now: () => Date;
    /** Assigns the waiting tickets of the caller's teams once they are back (services/teams/assignment-refill.ts); none when absent. */
    refillTeamsOfMember?: (userId: Types.ObjectId) => Promise<void>;
  },
  actor: Actor,
  input: unknown,
): Promise<OwnPreferences> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has preferences to change', { key: 'forbidden.preferencesNeedUser' });
  const { away, ...value } = parseInput(preferencesSchema, input, 'Preferences');
  const changes = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<Record<'locale' | 'timeZone', string | null>>;
  if (away !== undefined) await deps.users.setAway(actor.userId, away, deps.now());
  const stored = await deps.users.setPreferences(actor.userId, changes);
  if (!stored) throw new AppError('NOT_FOUND', 'User not found', { key: 'notFound.user' });
  // Back from away: the waiting tickets of their teams may be theirs now.
  if (away === false) await deps.refillTeamsOfMember?.(actor.userId);
  return { locale: stored.locale ?? null, timeZone: stored.timeZone ?? null, away: stored.away === true, awaySince: stored.awaySince ?? null };
}

/**
 * At sign-in, gives a user without a time zone the one their browser reported (the login form's
 * hidden field); an unknown or empty zone is ignored, and a zone already set is never replaced.
 */
export async function adoptBrowserTimeZone(deps: { users: Pick<UserStore, 'setTimeZoneIfUnset'> }, userId: Types.ObjectId, reported: string): Promise<boolean> {
  const zone = reported.trim();
  if (!isTimeZone(zone)) return false;
  return deps.users.setTimeZoneIfUnset(userId, canonicalZone(zone));
}
