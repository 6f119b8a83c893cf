import { Router, type RequestHandler } from 'express';
import { NOTIFICATION_LIST_SIZE } from '../../domain/notifications.js';
import { countUnreadNotifications } from '../../services/notifications/count-unread-notifications.js';
import { listOwnNotifications, type NotificationView } from '../../services/notifications/list-own-notifications.js';
import { markNotificationsRead } from '../../services/notifications/mark-notifications-read.js';
import { openNotification } from '../../services/notifications/open-notification.js';
import { requireCsrf, requireLogin, requireSession, sessionOf } from '../session/session-middleware.js';
import { fixedMessage } from './form-fields.js';
import type { Translator } from '../../i18n/catalog.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';

/** The catalog keys of the texts `?saved=` names on the notifications page. */
export const NOTIFICATION_NOTICES: Record<string, string> = {
  read: 'web:notifications.notice.read',
};

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/** What happened, in a line: who did it, the team or the days waited when the event noted them (see src/mail/notification-data.ts). */
export function whatHappened(n: Pick<NotificationView, 'kind' | 'data'>, t: Translator['t']): string {
  const by = text(n.data.by);
  if (by && (n.kind === 'assigned' || n.kind === 'mentioned')) return t(`web:notifications.by.${n.kind}`, { by });
  const team = text(n.data.teamName);
  if (team && n.kind === 'team_new_ticket') return t('web:notifications.forTeam', { team });
  const days = n.data.days;
  if (n.kind === 'pending_reminder' && typeof days === 'number' && Number.isFinite(days) && days > 0) return t('web:notifications.pendingDays', { days: Math.round(days) });
  return t(`web:notifications.kind.${n.kind}`);
}

/** What the top bar shows of the signed-in user's unread notifications (`session.notifications` in the layout). */
export interface NotificationBadge {
  /** Unread, counted up to the cap. */
  unread: number;
  /** 'yes' when there are more than the cap. */
  more: 'yes' | 'no';
  /** "3", or "9+" past the cap. */
  label: string;
}

/**
 * Counts the signed-in user's unread notifications for the top bar of the page being shown: one
 * indexed count that stops past the cap, on page loads only (GET and HEAD; not for what a page
 * loads inside itself, such as a mail body frame or an image, when the browser says so).
 */
export function notificationBadge(ctx: PageContext): RequestHandler {
  return async (req, res, next) => {
    const session = sessionOf(res);
    const dest = req.get('sec-fetch-dest');
    if (!session || (req.method !== 'GET' && req.method !== 'HEAD') || (dest && dest !== 'document')) return next();
    const { count, more } = await countUnreadNotifications(ctx.stores, session.actor);
    const notifications: NotificationBadge = { unread: count, more: more ? 'yes' : 'no', label: more ? `${count}+` : String(count) };
    res.locals.session = { ...session, notifications };
    next();
  };
}

/**
 * `/notifications`: the signed-in user's newest notifications (read and unread), "Mark all as read",
 * and `/notifications/:id/open`, which marks one read and goes to its ticket. Every user sees and
 * marks only their own.
 */
export function notificationPages(ctx: PageContext): Router {
  const router = Router();
  const deps = { ...ctx.stores, now: ctx.now };

  router.get('/notifications', requireLogin, async (req, res) => {
    const session = requireSession(res);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    const items = await listOwnNotifications(deps, session.actor);
    const badge = (session as { notifications?: NotificationBadge }).notifications;
    res.type('html').send(
      ctx.views.render(
        'notifications',
        {
          title: t('web:notifications.title'),
          session,
          nav: 'notifications',
          notice: fixedMessage(NOTIFICATION_NOTICES, req.query.saved, t),
          items: items.map((n) => ({ ...n, what: whatHappened(n, t) })),
          max: NOTIFICATION_LIST_SIZE,
          // Unread ones may be older than the list shows: the top bar's count says.
          anyUnread: (badge?.unread ?? 0) > 0 || items.some((n) => !n.read),
        },
        i18n,
      ),
    );
  });

  router.post('/notifications/read', requireLogin, requireCsrf(ctx.publicUrl), async (_req, res) => {
    await markNotificationsRead(deps, requireSession(res).actor, { all: true });
    res.redirect(303, '/notifications?saved=read');
  });

  // A link, so it opens like any other (also in a new tab); it only ever marks the caller's own notification read.
  router.get('/notifications/:id/open', requireLogin, async (req, res) => {
    const { ticketId } = await openNotification(deps, requireSession(res).actor, String(req.params.id));
    res.redirect(303, `/tickets/${ticketId}`);
  });
  return router;
}
