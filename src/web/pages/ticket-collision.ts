import { Router } from 'express';
import { DEFAULT_REPLY_STATUS, type ReplyStatus } from '../../domain/ticket-status.js';
import type { ReplyConflictItem } from '../../services/tickets/check-reply-conflict.js';
import type { TicketPageData } from '../../services/tickets/ticket-page-data.js';
import { trackPresence, type PresenceView } from '../../services/tickets/track-presence.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { Translator } from '../../i18n/catalog.js';
import type { PageContext } from './page-deps.js';
import type { RecipientsState } from './reply-recipients-form.js';
import { textOf } from './page-i18n.js';
import { scriptUrl } from './static-assets.js';

/** A reply the route did not send because the ticket changed while the agent wrote it. */
export interface HeldReply {
  text: string;
  /** The reply editor's HTML that was posted with the text, if any. */
  html?: string | null;
  status: string;
  items: ReplyConflictItem[];
  /** The recipients as posted, with the problem that refused them (reply-recipients-form.ts). */
  recipients?: RecipientsState | null;
  /** The files that were attached (the agent's uploads), listed again in the reply box. */
  uploads?: Array<{ id: string; filename: string }>;
  /** Why the reply was not sent when it is not a held one (a refused file), shown above the reply form. */
  error?: string | null;
}

/** The reply form's status choices, in the order it lists them. */
const FORM_REPLY_STATUSES: readonly ReplyStatus[] = ['pending', 'open', 'solved'];


/** "Also here: Agnes (replying), Bob", or null when nobody else has the ticket open. */
export function presenceLine(others: PresenceView[], t: Translator['t']): string | null {
  if (others.length === 0) return null;
  const names = others.map((o) => (o.state === 'replying' ? t('tickets:presence.replying', { name: o.name }) : o.name)).join(', ');
  return t('tickets:presence.alsoHere', { names });
}

/**
 * The ticket page's collision data: who else is here (the page's data records this agent as
 * viewing, or as replying when a held draft is shown), the marker of what the reply form was
 * rendered against (the newest trail entry), and for a held reply the draft and what arrived meanwhile.
 */
export function ticketCollision(data: Pick<TicketPageData, 'ticket' | 'presence' | 'users'>, held: HeldReply | null, t: Translator['t']) {
  const { ticket } = data;
  const newest = ticket.events.reduce((max, e) => (e.at > max ? e.at : max), new Date(0));
  const describe = (i: ReplyConflictItem) => {
    if (i.kind === 'customer_message') {
      const name = i.from?.name || i.from?.address;
      return name ? t('tickets:held.customerMessage', { name }) : t('tickets:held.customerMessageUnknown');
    }
    const name = data.users.get(i.authorId ?? '');
    const what = i.kind === 'reply' ? 'Reply' : 'Note';
    return name ? t(`tickets:held.agent${what}`, { name }) : t(`tickets:held.otherAgent${what}`);
  };
  const chosen = held && (FORM_REPLY_STATUSES as readonly string[]).includes(held.status) ? held.status : DEFAULT_REPLY_STATUS;
  return {
    presence: presenceLine(data.presence, t),
    heartbeatUrl: `/tickets/${ticket.id}/presence`,
    scriptUrl: scriptUrl('ticket.js'),
    seenUntil: newest.toISOString(),
    draft: held?.text ?? null,
    statusOptions: FORM_REPLY_STATUSES.map((value) => ({ value, selected: value === chosen })),
    held: held ? held.items.map((i) => ({ id: i.id, at: i.at, title: describe(i), excerpt: i.excerpt })) : null,
  };
}

/** `POST /tickets/:id/presence`: the script's heartbeat; answers with the presence line. */
export function presencePages(ctx: PageContext): Router {
  const router = Router();
  router.post('/tickets/:id/presence', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const state = (req.body as Record<string, unknown> | undefined)?.state === 'replying' ? 'replying' : 'viewing';
    const others = await trackPresence({ ...ctx, ...ctx.stores }, requireSession(res).actor, String(req.params.id), state);
    res.json({ text: presenceLine(others, textOf(res)) ?? '' });
  });
  return router;
}
