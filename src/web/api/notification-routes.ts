import { Router } from 'express';
import { listOwnNotifications } from '../../services/notifications/list-own-notifications.js';
import { markNotificationsRead } from '../../services/notifications/mark-notifications-read.js';
import { getOwnNotificationSettings } from '../../services/users/get-own-notification-settings.js';
import { updateOwnNotificationSettings } from '../../services/users/update-own-notification-settings.js';
import type { NotificationStore } from '../../store/notification-store.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import { principalOf } from './authenticate.js';

/**
 * `/notifications` (the caller's in-app list, marking read) and `/me/notification-settings` (which
 * kinds are mailed to the caller). Every caller reads and changes only their own.
 */
export function notificationRoutes(deps: {
  notifications: Pick<NotificationStore, 'listRecent' | 'markRead'>;
  users: Pick<UserStore, 'findById' | 'setNotify'>;
  teams: Pick<TeamStore, 'listByIds'>;
  now: () => Date;
}): Router {
  const router = Router();
  router.get('/notifications', async (_req, res) => {
    res.json({ items: await listOwnNotifications(deps, principalOf(res).actor) });
  });
  router.post('/notifications/read', async (req, res) => {
    res.json(await markNotificationsRead(deps, principalOf(res).actor, req.body));
  });
  router.get('/me/notification-settings', async (_req, res) => {
    res.json(await getOwnNotificationSettings(deps, principalOf(res).actor));
  });
  router.patch('/me/notification-settings', async (req, res) => {
    res.json(await updateOwnNotificationSettings(deps, principalOf(res).actor, req.body));
  });
  return router;
}
