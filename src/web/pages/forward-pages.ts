import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { AppError, isAppError } from '../../domain/errors.js';
import { forwardedText } from '../../domain/forward-mail.js';
import type { MailAddress } from '../../domain/mail.js';
import { forwardDraft, type ForwardDraft } from '../../services/side-conversations/forward-draft.js';
import { startSideConversation, type StartSideConversationDeps } from '../../services/side-conversations/start-side-conversation.js';
import { quoteLabels } from '../api/side-conversation-routes.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fields, formOf, postedText, queryText, validationIssues, issueText } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { pageI18n, type PageI18n } from './page-i18n.js';

/** The forward form's fields as posted, shown again when the forward is refused. */
interface ForwardValues {
  address: string;
  subject: string;
  text: string;
  /** The attachments ticked; null: all (the form as first shown). */
  attachmentIds: string[] | null;
  requestKey: string;
}

const labelOf = (a: MailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);

/** The side conversation labels in the agent's language, dates in their time zone. */
const labelsOf = (i18n: PageI18n) => quoteLabels(i18n.tr.t, (d) => i18n.formats.dateTime(d));

async function renderForward(ctx: PageContext, res: Response, draft: ForwardDraft, values: ForwardValues, error: string | null) {
  const session = requireSession(res);
  const i18n = pageI18n(res);
  const { t } = i18n.tr;
  const forward = labelsOf(i18n).forward!;
  const files = draft.messages.flatMap((m) => m.attachments).map((a) => ({
    id: a.id,
    label: `${a.filename ?? t('tickets:message.attachment')} (${t('tickets:forward.size', { size: a.size })})`,
    checked: values.attachmentIds === null || values.attachmentIds.includes(a.id),
  }));
  res.type('html').send(
    ctx.views.render('forward', {
      title: t(draft.messageId ? 'tickets:forward.titleMessage' : 'tickets:forward.titleTicket', { number: draft.ticket.number }),
      session,
      nav: 'tickets',
      csrf: session.csrfToken,
      draft,
      values,
      files,
      book: draft.addressBook.map((a) => ({ address: a.address, label: labelOf(a) })),
      // What goes out below the agent's words, exactly as the mail writes it.
      previews: draft.messages.map((m) => ({ id: m.id, text: forwardedText('', [m], forward) })),
      error,
    }, i18n),
  );
}

/** The localized reason a forward was refused (naming the field), or null for an error that is not the agent's. */
function problemOf(err: unknown, i18n: PageI18n): string | null {
  const { t } = i18n.tr;
  if (isAppError(err, 'CONFLICT')) return t('tickets:ticket.error.side-conflict');
  const issues = validationIssues(err, i18n.tr);
  if (!issues) return null;
  const issue = issues[0]!;
  const field = String(issue.path).split('.')[0] ?? '';
  const label = ['address', 'subject', 'text', 'attachmentIds', 'messageIds'].includes(field) ? t(`tickets:forward.field.${field}`) : null;
  return label ? t('tickets:forward.problem', { field: label, problem: issueText(issue, i18n.tr) }) : issueText(issue, i18n.tr);
}

const messageOf = (req: Request) => queryText(req.query.message) ?? (postedText(req, 'message') || null);

/**
 * `GET /tickets/:id/forward[?message=<id>]`: forward one message of the ticket (or, without
 * `message`, the whole conversation) to any address, as a side conversation; `POST` sends it and
 * goes back to the ticket's side conversations. A refused forward shows the form again with what
 * was typed and the reason.
 */
export function forwardPages(ctx: PageContext): Router {
  const router = Router();
  const blobs = ctx.blobs ?? { read: () => Promise.reject(new AppError('NOT_FOUND', 'Attachment not found', { key: 'notFound.attachment' })) };
  const deps: StartSideConversationDeps = { ...ctx.actions, ...ctx.stores, blobs };

  router.get('/tickets/:id/forward', requireLogin, async (req, res) => {
    const draft = await forwardDraft({ ...ctx.stores, now: ctx.now }, requireSession(res).actor, String(req.params.id), messageOf(req));
    await renderForward(ctx, res, draft, { address: '', subject: draft.subject, text: '', attachmentIds: null, requestKey: randomBytes(12).toString('base64url') }, null);
  });

  router.post('/tickets/:id/forward', requireLogin, requireCsrf(ctx.publicUrl), async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const message = messageOf(req);
    const draft = await forwardDraft({ ...ctx.stores, now: ctx.now }, actor, id, message);
    const values: ForwardValues = {
      address: postedText(req, 'address').trim().slice(0, 254),
      subject: postedText(req, 'subject').slice(0, 300),
      text: postedText(req, 'text').slice(0, 1_000_000),
      attachmentIds: fields(formOf(req), 'attachmentIds').slice(0, 20),
      requestKey: postedText(req, 'requestKey').slice(0, 100) || randomBytes(12).toString('base64url'),
    };
    const json = {
      address: values.address,
      ...(values.subject.trim() ? { subject: values.subject } : {}),
      text: values.text,
      forward: true,
      messageIds: draft.messageId ? [draft.messageId] : [],
      attachmentIds: values.attachmentIds,
      requestKey: values.requestKey,
    };
    try {
      await startSideConversation(deps, actor, id, { json }, labelsOf(pageI18n(res)));
    } catch (err) {
      const problem = problemOf(err, pageI18n(res));
      if (problem === null) throw err;
      return renderForward(ctx, res.status(isAppError(err, 'CONFLICT') ? 409 : 400), draft, values, problem);
    }
    res.redirect(303, `/tickets/${encodeURIComponent(id)}#side-conversations`);
  });
  return router;
}
