import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import type { OutboxDoc } from '../../store/models/outbox.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import type { DigestReport } from './build-digest.js';
import { sendDigest, type DigestDeps } from './send-digest.js';

/** How many digests a user may ask for right now within the window. */
export const SEND_NOW_LIMIT = { count: 3, windowSeconds: 600 } as const;

/**
 * Takes one of the user's send-now slots or refuses with RATE_LIMITED and the seconds until the
 * oldest slot frees up. The slots live on the user document, so the limit holds across processes:
 * the `$push` only matches while fewer than `count` recent times are stored.
 */
async function takeSendNowSlot(users: Pick<UserStore, 'takeDigestSendNowSlot' | 'digestSendNowTimes'>, userId: Types.ObjectId, now: Date): Promise<void> {
  const since = new Date(now.getTime() - SEND_NOW_LIMIT.windowSeconds * 1000);
  if (await users.takeDigestSendNowSlot(userId, now, since, SEND_NOW_LIMIT.count)) return;
  const recent = (await users.digestSendNowTimes(userId)).map((d) => d.getTime()).filter((t) => t > since.getTime());
  const freesAt = (recent.length > 0 ? Math.min(...recent) : now.getTime()) + SEND_NOW_LIMIT.windowSeconds * 1000;
  const retryAfterSeconds = Math.max(1, Math.ceil((freesAt - now.getTime()) / 1000));
  throw new AppError('RATE_LIMITED', `Too many digests sent now: at most ${SEND_NOW_LIMIT.count} in ${SEND_NOW_LIMIT.windowSeconds / 60} minutes. Try again in ${retryAfterSeconds} seconds.`, {
    details: { retryAfterSeconds },
    key: 'rateLimited.digestNow',
    params: { count: SEND_NOW_LIMIT.count, minutes: SEND_NOW_LIMIT.windowSeconds / 60, seconds: retryAfterSeconds },
  });
}

/**
 * A manager or admin asks for their digest right now (outside its schedule): at most
 * {@link SEND_NOW_LIMIT} times per window, since each one is a mail built from every ticket of their inboxes.
 */
export async function sendDigestNow(deps: DigestDeps, actor: Actor): Promise<{ outbox: OutboxDoc; report: DigestReport }> {
  if (!actor.userId || actor.role === 'agent') throw new AppError('FORBIDDEN', 'Digests are for managers and admins', { key: 'forbidden.digestsForManagers' });
  await takeSendNowSlot(deps.users, actor.userId, deps.now());
  return sendDigest(deps, actor.userId);
}
