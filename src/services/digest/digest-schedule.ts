import { IANAZone } from 'luxon';
import { z } from 'zod';
import { shortestCronGapSeconds } from '../../domain/cron-interval.js';
import { AppError } from '../../domain/errors.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { parseObjectId } from '../access.js';
import { syncDigestSchedule } from './send-digest.js';
import type { DigestDeps } from './send-digest.js';
import { inputIssue, invalidInput, issueMessage, parseInput } from '../validate.js';

/** At most one digest an hour: a schedule firing more often is refused (each digest is a mail to the manager). */
export const DIGEST_MIN_INTERVAL_SECONDS = 3600;

export const scheduleSchema = z
  .object({
    enabled: z.boolean(),
    cron: z.string().superRefine((c, ctx) => {
      let gap: number;
      try {
        if (c.trim().split(/\s+/).length !== 5) throw new Error('not 5 fields');
        // Any day will do: a schedule's gaps within and between its days are the same on every day it fires.
        gap = shortestCronGapSeconds(c, new Date(0), DIGEST_MIN_INTERVAL_SECONDS);
      } catch {
        return void ctx.addIssue({ code: 'custom', message: 'must be a 5-field cron expression, e.g. "0 8 * * 1-5"', params: { key: 'issue.digest.cron' } });
      }
      if (gap < DIGEST_MIN_INTERVAL_SECONDS) {
        const minutes = Math.round(gap / 60);
        ctx.addIssue({ code: 'custom', message: `must fire at most once an hour; this one fires ${minutes} minute${minutes === 1 ? '' : 's'} apart`, params: { key: 'issue.digest.tooOften', minutes } });
      }
    }),
    timeZone: z.string().refine((tz) => IANAZone.isValidZone(tz), issueMessage('issue.digest.timeZone', 'must be an IANA time zone, e.g. "Europe/Berlin"')),
    inboxIds: z.array(z.string().refine((id) => parseObjectId(id) !== null, issueMessage('issue.inboxId', 'must be an inbox id'))).default([]),
  })
  .strict();

export interface DigestScheduleView {
  enabled: boolean;
  cron: string;
  timeZone: string;
  inboxIds: string[];
  lastSentAt: Date | null;
}

function managerOnly(actor: Actor): asserts actor is Actor & { userId: NonNullable<Actor['userId']> } {
  if (!actor.userId || actor.role === 'agent') throw new AppError('FORBIDDEN', 'Digests are for managers and admins', { key: 'forbidden.digestsForManagers' });
}

/** The caller's digest schedule (defaults: weekdays 08:00 UTC, all their inboxes, off). */
export async function getDigestSchedule(deps: { users: Pick<UserStore, 'findById'> }, actor: Actor): Promise<DigestScheduleView> {
  managerOnly(actor);
  const user = await deps.users.findById(actor.userId);
  if (!user) throw new AppError('NOT_FOUND', 'User not found', { key: 'notFound.user' });
  const d = user.digest;
  return { enabled: d?.enabled ?? false, cron: d?.cron ?? '0 8 * * 1-5', timeZone: d?.timeZone ?? 'UTC', inboxIds: (d?.inboxIds ?? []).map(String), lastSentAt: d?.lastSentAt ?? null };
}

/** Saves the caller's digest schedule and moves their recurring digest job to match. */
export async function setDigestSchedule(deps: { users: Pick<UserStore, 'findById' | 'setDigestSchedule'>; scheduler: DigestDeps['scheduler'] }, actor: Actor, input: unknown): Promise<DigestScheduleView> {
  managerOnly(actor);
  const value = parseInput(scheduleSchema, input, 'Digest schedule');
  const inboxIds = value.inboxIds.map((id) => parseObjectId(id)!);
  if (actor.role !== 'admin' && inboxIds.some((id) => !actor.inboxIds.some((own) => own.equals(id)))) {
    throw invalidInput([inputIssue('inboxIds', 'issue.digest.ownInboxesOnly', 'may only name your own inboxes')], 'Digest schedule');
  }
  await deps.users.setDigestSchedule(actor.userId, { enabled: value.enabled, cron: value.cron, timeZone: value.timeZone, inboxIds });
  await syncDigestSchedule(deps, actor.userId);
  return getDigestSchedule(deps, actor);
}
