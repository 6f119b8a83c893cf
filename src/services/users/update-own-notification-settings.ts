import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import { NOTIFICATION_KINDS, type NotificationKind, type NotificationPrefs } from '../../domain/notifications.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';
import { notificationDefaults, toNotificationSettings, type NotificationSettings, type NotificationSettingsDeps } from './get-own-notification-settings.js';

/**
 * The caller's notification mail choices, by kind: true mails it, false does not, null goes back to
 * the default. A kind left out stays as it is; an unknown kind is refused (naming it).
 */
export const notificationSettingsSchema = z.strictObject(
  Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, z.boolean().nullable().optional()])) as Record<NotificationKind, z.ZodOptional<z.ZodNullable<z.ZodBoolean>>>,
);

/**
 * Changes the caller's own notification mail choices (the account page and `PATCH
 * /me/notification-settings`, one use case) and answers every kind's setting after the change. The
 * in-app list shows every notification whatever the choice.
 */
export async function updateOwnNotificationSettings(
  deps: NotificationSettingsDeps & { users: Pick<UserStore, 'setNotify'> },
  actor: Actor,
  input: unknown,
): Promise<NotificationSettings> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has preferences to change', { key: 'forbidden.preferencesNeedUser' });
  const parsed = parseInput(notificationSettingsSchema, input, 'Notification settings');
  const changes = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined)) as NotificationPrefs;
  const [stored, defaults] = await Promise.all([deps.users.setNotify(actor.userId, changes), notificationDefaults(deps, actor.teamIds ?? [])]);
  if (!stored) throw new AppError('NOT_FOUND', 'User not found', { key: 'notFound.user' });
  return toNotificationSettings(stored, defaults);
}
