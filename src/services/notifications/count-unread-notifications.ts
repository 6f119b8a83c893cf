import type { NotificationStore } from '../../store/notification-store.js';
import type { Actor } from '../access.js';
import { notifiedUserId } from './list-own-notifications.js';

/** The most the top bar counts: more shows as "9+". */
export const UNREAD_BADGE_MAX = 9;

/**
 * How many of the caller's notifications are unread, counted up to `max` (one indexed count that
 * stops at `max + 1`, however many there are): `more` when there are more than `max`.
 */
export async function countUnreadNotifications(
  deps: { notifications: Pick<NotificationStore, 'countUnread'> },
  actor: Actor,
  max = UNREAD_BADGE_MAX,
): Promise<{ count: number; more: boolean }> {
  const counted = await deps.notifications.countUnread(notifiedUserId(actor), max + 1);
  return { count: Math.min(counted, max), more: counted > max };
}
