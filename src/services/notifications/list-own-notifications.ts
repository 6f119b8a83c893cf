import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { NOTIFICATION_LIST_SIZE, type NotificationKind } from '../../domain/notifications.js';
import type { NotificationDoc } from '../../store/models/notification.js';
import type { NotificationStore } from '../../store/notification-store.js';
import type { Actor } from '../access.js';

/** One notification as its person sees it (the in-app list and `GET /notifications`). */
export interface NotificationView {
  id: string;
  kind: NotificationKind;
  /** The ticket as it was named when it happened; open it by `id`. */
  ticket: { id: string; number: number; subject: string };
  at: Date;
  /** What the producer noted of the event (who did it, an excerpt, the SLA clock…); depends on `kind`. */
  data: Record<string, unknown>;
  read: boolean;
  readAt: Date | null;
}

/** Maps a stored notification field by field: the mail bookkeeping stays inside. */
export function toNotificationView(doc: NotificationDoc): NotificationView {
  return {
    id: doc._id.toHexString(),
    kind: doc.kind,
    ticket: { id: doc.ticketId.toHexString(), number: doc.ticketNumber, subject: doc.ticketSubject },
    at: doc.at,
    data: doc.data ?? {},
    read: doc.readAt != null,
    readAt: doc.readAt ?? null,
  };
}

/** The caller's user id: only a signed-in person has notifications. */
export function notifiedUserId(actor: Actor): Types.ObjectId {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has notifications', { key: 'forbidden.notificationsNeedUser' });
  return actor.userId;
}

/** The caller's newest notifications (at most NOTIFICATION_LIST_SIZE), newest first, read or not. Never anyone else's. */
export async function listOwnNotifications(deps: { notifications: Pick<NotificationStore, 'listRecent'> }, actor: Actor): Promise<NotificationView[]> {
  const docs = await deps.notifications.listRecent(notifiedUserId(actor), NOTIFICATION_LIST_SIZE);
  return docs.map(toNotificationView);
}
