import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import type { Actor } from '../../services/access.js';
import { listPartners } from '../../services/partners/partners.js';
import { listSideConversations } from '../../services/side-conversations/list-side-conversations.js';
import { replySideConversation } from '../../services/side-conversations/reply-side-conversation.js';
import { startSideConversation, type StartSideConversationDeps } from '../../services/side-conversations/start-side-conversation.js';
import type { TicketDetailView } from '../../services/tickets/get-ticket.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { quoteLabels } from '../api/side-conversation-routes.js';
import { formOf, postedText, type FormBody } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n, type PageI18n } from './page-i18n.js';

/** The `?error=` codes of the side-conversation forms; each names a `tickets:ticket.error.*` message. */
export const SIDE_FORM_ERRORS: readonly string[] = ['side-invalid', 'side-conflict'];

/** A form field that may be posted once or repeated (checkboxes), as a list. */
function many(body: FormBody, name: string): string[] {
  const v = body[name];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x !== '');
}

/** What the ticket's mail offers to a side conversation: its mails to quote and its files to attach. */
function selectable(ticket: TicketDetailView, i18n: PageI18n) {
  const mail = ticket.messages.filter((m) => m.direction !== 'note');
  return {
    mail: mail.map((m) => ({ id: m.id, label: `${m.from?.address ?? '?'} · ${i18n.formats.dateTime(m.createdAt)}` })),
    files: mail.flatMap((m) => m.attachments.filter((a) => !a.inline).map((a) => ({ id: a.id, label: a.filename ?? i18n.tr.t('tickets:message.attachment') }))),
  };
}

/**
 * The ticket page's side conversations (agents only): each conversation with a partner or a forward
 * recipient, its mails, and a reply form; and the form that opens one ("Send to partner" or
 * "Forward"), listing the ticket's mails and files to include. Null on a ticket that takes no mail.
 */
export async function sideConversationPanel(ctx: PageContext, actor: Actor, ticket: TicketDetailView, i18n: PageI18n, canWrite: boolean) {
  const deps = { ...ctx.stores };
  const [conversations, partners] = await Promise.all([listSideConversations(deps, actor, ticket.id), canWrite ? listPartners(deps, actor) : []]);
  const { t } = i18n.tr;
  return {
    canWrite,
    requestKey: randomBytes(12).toString('base64url'),
    partners: partners.map((p) => ({ id: p.id, label: `${p.name} <${p.address}>`, note: p.note })),
    ...selectable(ticket, i18n),
    conversations: conversations.map((sc) => ({
      id: sc.id,
      title: sc.partnerName ?? sc.to.join(', '),
      kind: t(`tickets:side.kind.${sc.kind}`),
      state: t(sc.awaiting ? 'tickets:side.awaiting' : 'tickets:side.answered'),
      awaiting: sc.awaiting,
      messages: sc.messages.map((m) => ({
        ...m,
        inbound: m.direction === 'inbound',
        when: i18n.formats.dateTime(m.at),
        toText: m.to.join(', '),
        failed: m.delivery === 'failed',
      })),
    })),
  };
}

const backTo = (id: string, error?: string) => `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}#side-conversations` : '#side-conversations'}`;

async function guarded(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) return 'side-invalid';
    if (isAppError(err, 'CONFLICT')) return 'side-conflict';
    throw err;
  }
}

/** The page's form as the use case takes it: a partner, or an address typed for a forward. */
function startForm(req: Request) {
  const body = formOf(req);
  const partnerId = postedText(req, 'partnerId');
  const address = postedText(req, 'address').trim();
  return {
    ...(partnerId ? { partnerId } : {}),
    ...(address ? { address } : {}),
    text: postedText(req, 'text'),
    messageIds: many(body, 'messageIds'),
    attachmentIds: many(body, 'attachmentIds'),
    ...(postedText(req, 'requestKey') ? { requestKey: postedText(req, 'requestKey') } : {}),
  };
}

/** `POST /tickets/:id/side-conversations` (Send to partner, Forward) and `POST …/:sideId/replies`, CSRF-checked; back to the ticket's side conversations. */
export function sideConversationPages(ctx: PageContext): Router {
  const router = Router();
  const blobs = ctx.blobs ?? { read: () => Promise.reject(new AppError('NOT_FOUND', 'Attachment not found', { key: 'notFound.attachment' })) };
  const deps: StartSideConversationDeps = { ...ctx.actions, ...ctx.stores, blobs };

  router.post('/tickets/:id/side-conversations', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    // The quoted messages' header lines go out in the agent's language.
    const error = await guarded(() => startSideConversation(deps, requireSession(res).actor, id, { json: startForm(req) }, quoteLabels(pageI18n(res).tr.t)));
    res.redirect(303, backTo(id, error));
  });

  router.post('/tickets/:id/side-conversations/:sideId/replies', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const id = String(req.params.id);
    const json = { text: postedText(req, 'text'), ...(postedText(req, 'requestKey') ? { requestKey: postedText(req, 'requestKey') } : {}) };
    const error = await guarded(() => replySideConversation(deps, requireSession(res).actor, id, String(req.params.sideId), { json }));
    res.redirect(303, backTo(id, error));
  });
  return router;
}
