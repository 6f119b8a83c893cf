import { AppError } from '../../domain/errors.js';
import type { NotificationStore } from '../../store/notification-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { notifiedUserId } from './list-own-notifications.js';

/**
 * Opening one of the caller's notifications from the list: marks it read and answers its ticket's id
 * (the ticket page then checks the caller may still see it). Anyone else's, or none, is NOT_FOUND.
 */
export async function openNotification(
  deps: { notifications: Pick<NotificationStore, 'findOwn' | 'markRead'>; now: () => Date },
  actor: Actor,
  id: string,
): Promise<{ ticketId: string }> {
  const userId = notifiedUserId(actor);
  const notificationId = parseObjectId(id);
  const found = notificationId ? await deps.notifications.findOwn(userId, notificationId) : null;
  if (!found) throw new AppError('NOT_FOUND', 'Notification not found', { key: 'notFound.notification' });
  if (!found.readAt) await deps.notifications.markRead(userId, [found._id], deps.now());
  return { ticketId: found.ticketId.toHexString() };
}
