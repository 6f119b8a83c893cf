import { z } from 'zod';
import type { NotificationStore } from '../../store/notification-store.js';
import { parseObjectId, type Actor } from '../access.js';
import { issueMessage, parseInput } from '../validate.js';
import { notifiedUserId } from './list-own-notifications.js';

const NOT_AN_ID = issueMessage('issue.notificationId', 'must be a notification id');
const IDS_OR_ALL = issueMessage('issue.notificationsIdsOrAll', 'is required unless all is true');
const NOT_BOTH = issueMessage('issue.notificationsNotBoth', 'cannot be given together with ids');

/** `{ids: [...]}` marks those (of the caller's; others are ignored), `{all: true}` every unread one. */
export const markReadSchema = z
  .strictObject({
    ids: z.array(z.string().regex(/^[0-9a-f]{24}$/i, NOT_AN_ID)).min(1).max(200).optional(),
    all: z.literal(true).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.ids && v.all) ctx.addIssue({ code: 'custom', path: ['all'], message: NOT_BOTH });
    if (!v.ids && !v.all) ctx.addIssue({ code: 'custom', path: ['ids'], message: IDS_OR_ALL });
  });

/**
 * Marks some of the caller's notifications read, or all of them (the list's "Mark all as read" and
 * `POST /notifications/read`). Ids of anyone else's are never marked. Answers how many changed.
 */
export async function markNotificationsRead(
  deps: { notifications: Pick<NotificationStore, 'markRead'>; now: () => Date },
  actor: Actor,
  input: unknown,
): Promise<{ marked: number }> {
  const userId = notifiedUserId(actor);
  const { ids } = parseInput(markReadSchema, input, 'Notifications to mark read');
  const targets = ids ? ids.map((id) => parseObjectId(id)!) : 'all';
  return { marked: await deps.notifications.markRead(userId, targets, deps.now()) };
}
