import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { defaultNotificationMail, NOTIFICATION_KINDS, type NotificationKind, type NotificationPrefs } from '../../domain/notifications.js';
import type { TeamStore } from '../../store/team-store.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';

/** One kind of notification as the caller's settings show it. */
export interface NotificationSetting {
  /** Whether it is mailed to them: their choice, else the default. */
  enabled: boolean;
  /** Their own choice; null while they follow the default. */
  chosen: boolean | null;
  /** What they get without a choice of their own. */
  default: boolean;
}

/** Every kind, in the order of NOTIFICATION_KINDS, with its effective value. */
export type NotificationSettings = Record<NotificationKind, NotificationSetting>;

/** What reading the caller's settings needs: their stored choices, and their teams' sizes for the default of new team tickets. */
export interface NotificationSettingsDeps {
  users: Pick<UserStore, 'findById'>;
  teams: Pick<TeamStore, 'listByIds'>;
}

/**
 * The defaults of one person: every kind is on, except new tickets of their teams when every team
 * of theirs has more than five members (in a mix, the small teams' tickets are mailed: on).
 */
export async function notificationDefaults(deps: Pick<NotificationSettingsDeps, 'teams'>, teamIds: readonly Types.ObjectId[]): Promise<Record<NotificationKind, boolean>> {
  const teams = teamIds.length > 0 ? await deps.teams.listByIds(teamIds) : [];
  const teamDefault = teams.length === 0 || teams.some((t) => defaultNotificationMail('team_new_ticket', { teamSize: t.memberIds.length }));
  return Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, kind === 'team_new_ticket' ? teamDefault : defaultNotificationMail(kind)])) as Record<NotificationKind, boolean>;
}

/** Stored choices and defaults as the settings of every kind. */
export function toNotificationSettings(prefs: NotificationPrefs | null | undefined, defaults: Record<NotificationKind, boolean>): NotificationSettings {
  return Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => {
      const chosen = typeof prefs?.[kind] === 'boolean' ? (prefs[kind] as boolean) : null;
      return [kind, { enabled: chosen ?? defaults[kind], chosen, default: defaults[kind] }];
    }),
  ) as NotificationSettings;
}

/** The caller's own notification mail settings (the account page and `GET /me/notification-settings`). */
export async function getOwnNotificationSettings(deps: NotificationSettingsDeps, actor: Actor): Promise<NotificationSettings> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has preferences to change', { key: 'forbidden.preferencesNeedUser' });
  const [user, defaults] = await Promise.all([deps.users.findById(actor.userId), notificationDefaults(deps, actor.teamIds ?? [])]);
  if (!user) throw new AppError('NOT_FOUND', 'User not found', { key: 'notFound.user' });
  return toNotificationSettings(user.notify, defaults);
}
