import { Router } from 'express';
import { isAppError } from '../../domain/errors.js';
import { domainOf, isPublicMailDomain } from '../../domain/spam.js';
import { canSeeInbox, parseObjectId, type Actor } from '../../services/access.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { listSpamBlocks } from '../../services/spam/list-spam-blocks.js';
import { markTicketSpam, type SpamDeps } from '../../services/spam/mark-spam.js';
import { markTicketNotSpam } from '../../services/spam/not-spam.js';
import { removeSpamBlock } from '../../services/spam/remove-spam-block.js';
import type { TicketDetailView } from '../../services/tickets/get-ticket.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fixedMessage, postedText, queryText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n } from './page-i18n.js';
import { requireSettingsAccess, type SettingsContext } from './settings-access.js';

/** The ticket page's Spam card: null for someone who may not move the ticket (not a member of its inbox), or when it is merged. */
export interface SpamPanel {
  isSpam: boolean;
  block: { kind: 'sender' | 'domain'; value: string } | null;
  sender: string;
  domain: string | null;
  /** The sender's domain is a public mail provider's: it cannot be blocked whole. */
  publicDomain: boolean;
}

/** What the ticket page shows of Spam for this actor. */
export function spamPanel(actor: Actor, ticket: Pick<TicketDetailView, 'status' | 'inboxId' | 'requester' | 'spam'>): SpamPanel | null {
  if (!canSeeInbox(actor, parseObjectId(ticket.inboxId))) return null;
  const domain = domainOf(ticket.requester.email);
  return { isSpam: ticket.status === 'spam', block: ticket.spam?.block ?? null, sender: ticket.requester.email, domain, publicDomain: domain !== null && isPublicMailDomain(domain) };
}

/** The `?error=` codes of the Spam forms on the ticket page (`tickets:ticket.error.*`). */
export const SPAM_FORM_ERRORS = ['spam-invalid', 'spam-forbidden'] as const;

/**
 * The ticket page's Spam forms: `POST /tickets/:id/spam` (block: sender, domain or none) and
 * `POST /tickets/:id/not-spam`, CSRF-checked, the same use cases as the API; back to the ticket.
 */
export function spamTicketActions(ctx: PageContext): Router {
  const router = Router();
  const deps = (): SpamDeps => ({ ...ctx.actions, ...ctx.stores });
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  router.post('/tickets/:id/spam', ...guard, async (req, res) => {
    const id = String(req.params.id);
    const back = (error?: string) => res.redirect(303, `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}#forms` : ''}`);
    try {
      await markTicketSpam(deps(), requireSession(res).actor, id, { block: postedText(req, 'block') || 'sender' });
    } catch (err) {
      if (isAppError(err, 'VALIDATION_FAILED')) return back('spam-invalid');
      if (isAppError(err, 'FORBIDDEN')) return back('spam-forbidden');
      if (isAppError(err, 'CONFLICT')) return back('merged');
      throw err;
    }
    back();
  });

  router.post('/tickets/:id/not-spam', ...guard, async (req, res) => {
    const id = String(req.params.id);
    try {
      await markTicketNotSpam(deps(), requireSession(res).actor, id);
    } catch (err) {
      if (isAppError(err, 'FORBIDDEN')) return res.redirect(303, `/tickets/${encodeURIComponent(id)}?error=spam-forbidden#forms`);
      if (isAppError(err, 'CONFLICT')) return res.redirect(303, `/tickets/${encodeURIComponent(id)}?error=merged#forms`);
      throw err;
    }
    res.redirect(303, `/tickets/${encodeURIComponent(id)}`);
  });
  return router;
}

const NOTICES: Record<string, string> = { removed: 'settings:spamBlocks.notice.removed', gone: 'settings:spamBlocks.notice.gone' };

/**
 * `/settings/inboxes/:id/spam-blocks`: the inbox's block list (added by "mark as spam"), for admins,
 * each entry with a Remove button. Managers get 403, like the API.
 */
export function spamBlockPages(ctx: SettingsContext): Router {
  const router = Router();
  const guard = [requireLogin, requireSettingsAccess];

  router.get('/settings/inboxes/:id/spam-blocks', ...guard, async (req, res) => {
    const session = requireSession(res);
    const id = String(req.params.id);
    const items = await listSpamBlocks(ctx.stores, session.actor, id);
    const inbox = await getInbox(ctx.stores, session.actor, id);
    const i18n = pageI18n(res);
    const { t } = i18n.tr;
    res.type('html').send(
      ctx.views.render(
        'settings-spam-blocks',
        {
          title: t('settings:spamBlocks.title', { inbox: inbox.name }),
          session,
          nav: 'settings',
          csrf: session.csrfToken,
          inbox,
          section: 'spam-blocks',
          items,
          notice: fixedMessage(NOTICES, queryText(req.query.done), t),
        },
        i18n,
      ),
    );
  });

  router.post('/settings/inboxes/:id/spam-blocks/:blockId/remove', ...guard, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    let done = 'removed';
    try {
      await removeSpamBlock(ctx.stores, requireSession(res).actor, id, String(req.params.blockId));
    } catch (err) {
      // Already removed (a second click, another admin): the list says so.
      if (!isAppError(err, 'NOT_FOUND')) throw err;
      done = 'gone';
    }
    res.redirect(303, `/settings/inboxes/${encodeURIComponent(id)}/spam-blocks?done=${done}`);
  });
  return router;
}
