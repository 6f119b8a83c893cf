import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { isReplyStatus, REPLY_STATUSES } from '../../domain/ticket-status.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { MAX_NEW_CONVERSATION_CC, startConversation } from '../../services/tickets/start-conversation.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import { fields, formOf, postedText, validationIssues } from './form-fields.js';
import type { PageContext } from './page-deps.js';
import { uploadedFiles } from '../multipart-form.js';
import { formWithFiles, replyAttachmentsBox } from './upload-pages.js';
import { pageI18n } from './page-i18n.js';
import { assetUrl } from './static-assets.js';

/** The form's fields as posted, shown again when the mail is refused. */
interface NewConversationValues {
  inboxId: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  text: string;
  /** The editor's HTML (empty without script). */
  html: string;
  status: string;
  requestKey: string;
}

/** The catalog key of the message for a refused field (fixed texts: nothing posted is echoed as a message). */
const FIELD_ERRORS: Record<string, string> = {
  inboxId: 'tickets:newConversation.error.inbox',
  to: 'tickets:newConversation.error.to',
  cc: 'tickets:newConversation.error.cc',
  bcc: 'tickets:newConversation.error.bcc',
  subject: 'tickets:newConversation.error.subject',
  text: 'tickets:newConversation.error.text',
};

/** The Cc field: addresses separated by commas, semicolons or spaces. */
function ccList(value: string): string[] {
  return value.split(/[\s,;]+/).map((a) => a.trim()).filter((a) => a !== '');
}

async function renderForm(ctx: PageContext, req: Request, res: Response, values: NewConversationValues, errorField: string | null) {
  const session = requireSession(res);
  const inboxes = await listInboxes(ctx.stores, session.actor);
  const i18n = pageI18n(res);
  const { t } = i18n.tr;
  const chosen = values.inboxId || (typeof req.query.inbox === 'string' ? req.query.inbox : '');
  res.type('html').send(
    ctx.views.render('new-conversation', {
      title: t('tickets:newConversation.title'),
      session,
      nav: 'tickets',
      csrf: session.csrfToken,
      inboxes: inboxes.map((i) => ({ id: i.id, label: `${i.name} <${i.address}>`, selected: i.id === chosen })),
      statuses: REPLY_STATUSES.map((s) => ({ value: s, selected: s === (values.status || 'pending') })),
      values,
      maxCc: MAX_NEW_CONVERSATION_CC,
      attachments: replyAttachmentsBox(ctx, '/tickets/new/uploads'),
      // The reply editor, as on the ticket page.
      editorUrl: assetUrl('editor.js'),
      errorField,
      error: errorField ? t(FIELD_ERRORS[errorField] ?? 'tickets:newConversation.error.invalid', { max: MAX_NEW_CONVERSATION_CC }) : null,
    }, i18n),
  );
}

/** `/tickets/new`: an agent writes to a customer from one of their inboxes; the mail opens a ticket. */
export function newConversationPages(ctx: PageContext): Router {
  const router = Router();

  router.get('/tickets/new', requireLogin, async (req, res) => {
    await renderForm(ctx, req, res, { inboxId: '', to: '', cc: '', bcc: '', subject: '', text: '', html: '', status: 'pending', requestKey: randomUUID() }, null);
  });

  // The form may be multipart: its files are stored as the agent's uploads for the chosen inbox first (upload-pages.ts).
  router.post('/tickets/new', requireLogin, formWithFiles(ctx, 'files', (req) => ({ inboxId: postedText(req, 'inbox') })), requireCsrf(ctx.publicUrl), async (req, res) => {
    const session = requireSession(res);
    const values: NewConversationValues = {
      inboxId: postedText(req, 'inbox'), to: postedText(req, 'to').trim(), cc: postedText(req, 'cc'), bcc: postedText(req, 'bcc'), subject: postedText(req, 'subject'),
      text: postedText(req, 'text'), html: postedText(req, 'html').slice(0, 2_000_000), status: postedText(req, 'status'), requestKey: postedText(req, 'requestKey') || randomUUID(),
    };
    const status = isReplyStatus(values.status) ? values.status : undefined;
    try {
      const started = await startConversation(
        { ...ctx.actions, contacts: ctx.stores.contacts, inboxes: ctx.stores.inboxes, blobs: ctx.actions.blobs ?? ctx.blobs },
        session.actor,
        { form: { inboxId: values.inboxId, to: values.to, cc: ccList(values.cc), bcc: ccList(values.bcc), subject: values.subject, text: values.text, html: values.html || null, ...(status ? { status } : {}), requestKey: values.requestKey.slice(0, 100), uploadIds: [...fields(formOf(req), 'upload').slice(0, 100), ...uploadedFiles(res).map((u) => u.id)] } },
      );
      res.redirect(303, `/tickets/${started.ticket.id}`);
    } catch (err) {
      const issues = validationIssues(err);
      if (issues) {
        const path = String(issues[0]?.path ?? '').split('.')[0] ?? '';
        return renderForm(ctx, req, res.status(400), values, Object.hasOwn(FIELD_ERRORS, path) ? path : 'invalid');
      }
      if (isAppError(err, 'NOT_FOUND') || isAppError(err, 'CONFLICT')) return renderForm(ctx, req, res.status(isAppError(err, 'CONFLICT') ? 409 : 404), values, 'inboxId');
      throw err;
    }
  });
  return router;
}
