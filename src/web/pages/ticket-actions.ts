import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { isReplyStatus } from '../../domain/ticket-status.js';
import { addNote } from '../../services/tickets/add-note.js';
import { ReplyConflictError } from '../../services/tickets/check-reply-conflict.js';
import { replyToTicket } from '../../services/tickets/send-reply.js';
import { deleteDraft } from '../../services/drafts/delete-draft.js';
import { saveDraft } from '../../services/drafts/save-draft.js';
import { updateTicket } from '../../services/tickets/update-ticket.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';
import { renderTicketPage } from './ticket-pages.js';
import { tagsFromText } from './ticket-extras.js';
import { fields, formOf, postedText, validationIssues } from './form-fields.js';
import { uploadedFiles } from '../multipart-form.js';
import { formWithFiles, ownUploads } from './upload-pages.js';
import { pageI18n } from './page-i18n.js';
import { postedRecipients, recipientsProblem } from './reply-recipients-form.js';
import { draftDeps } from './draft-pages.js';
import { refusedFileHandler } from './refused-file.js';

/** The reply form's `seenUntil` (an ISO time from our own page), or null when absent or malformed. */
function seenUntilOf(value: string): Date | null {
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/.test(value) ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/**
 * Back to the ticket (303, so a reload does not post again), with a fixed error code if any: a refused
 * reply to the reply form (which shows it), any other error to the side forms.
 */
function backToTicket(res: Response, id: string, error?: string) {
  const anchor = !error ? 'end' : error.startsWith('reply-') ? 'reply' : 'forms';
  res.redirect(303, `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}` : ''}#${anchor}`);
}

/**
 * A refused reply names its cause: only a reply without text is "empty". Anything else (an address
 * of the conversation that cannot be written into a mail) is not the agent's doing.
 */
function replyErrorCode(err: unknown): string {
  const issues = validationIssues(err);
  if (issues?.some((i) => i.path === 'text')) return 'reply-empty';
  return issues?.some((i) => i.path === 'to' || i.path === 'cc' || i.path === 'bcc') ? 'reply-recipients' : 'reply-unsendable';
}

/** A refused ticket form names a team that does not work the inbox (a stale page, or one posted by hand); else it is "invalid". */
function updateErrorCode(err: unknown): string {
  return validationIssues(err)?.some((i) => i.path === 'teamId') ? 'team' : 'invalid';
}

/**
 * Runs a form action; validation and conflict failures go back to the ticket page as a message,
 * unless `handled` answered the request for that error itself.
 */
async function act(
  res: Response,
  id: string,
  errorCode: string | ((err: unknown) => string),
  fn: () => Promise<unknown>,
  handled: (err: unknown) => Promise<boolean> = async () => false,
) {
  try {
    await fn();
  } catch (err) {
    if (await handled(err)) return;
    if (isAppError(err, 'VALIDATION_FAILED')) return backToTicket(res, id, typeof errorCode === 'string' ? errorCode : errorCode(err));
    if (isAppError(err, 'CONFLICT')) return backToTicket(res, id, 'merged');
    throw err;
  }
  backToTicket(res, id);
}

const has = (req: { body?: unknown }, name: string) => Boolean(req.body && typeof req.body === 'object' && name in req.body);

/** The ticket page's forms: `POST /tickets/:id/reply`, `/note` and `/update`, each CSRF-checked. */
export function ticketActions(ctx: PageContext): Router {
  const router = Router();
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  // The reply form may be multipart: its files are stored as the agent's uploads first (upload-pages.ts).
  router.post('/tickets/:id/reply', requireLogin, formWithFiles(ctx, 'files', (req) => ({ ticketId: String(req.params.id) })), requireCsrf(ctx.publicUrl), async (req: Request, res: Response) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const status = postedText(req, 'status');
    const text = postedText(req, 'text').slice(0, 1_000_000);
    // The editor's HTML (empty without script); the server sanitizes it before it is stored or sent.
    const html = postedText(req, 'html').slice(0, 2_000_000) || null;
    const recipients = postedRecipients(req);
    const form = {
      text,
      html,
      ...(isReplyStatus(status) ? { status } : {}),
      requestKey: postedText(req, 'requestKey').slice(0, 100) || null,
      // The form names the newest trail entry the agent saw; whatever came after holds the reply.
      seenUntil: seenUntilOf(postedText(req, 'seenUntil')),
      // The form lists To, Cc and Bcc (reply-recipients-form.ts): the Cc boxes ticked (proposed or
      // suggested) and the typed Cc are the Cc. A post without the list (an older page) keeps the proposal.
      ...(recipients ? { recipients: recipients.choice } : {}),
      // Files: those uploaded by the reply box's script (`upload`), and those posted with this form.
      uploadIds: [...fields(formOf(req), 'upload').slice(0, 100), ...uploadedFiles(res).map((u) => u.id)],
    };
    const send = async () => {
      // The uploads' files are read from the pages' blob store when the actions bring none of their own.
      await replyToTicket({ ...ctx.actions, blobs: ctx.actions.blobs ?? ctx.blobs }, actor, id, { form });
      // Sent: the agent's draft of it is done with.
      if (actor.userId) await deleteDraft(ctx.stores, actor, id);
    };
    await act(res, id, replyErrorCode, send, async (err) => {
      // Held: the page again (409) with the draft kept, what arrived and a fresh marker, so a second submit sends.
      // A recipient refused (a malformed address, one of ours, too many): the page again, naming it, with the text kept.
      const problem = err instanceof ReplyConflictError ? null : recipientsProblem(err, pageI18n(res).tr);
      if (problem && recipients) {
        await renderTicketPage(ctx, req, res.status(400), { text, html, status, items: [], recipients: { posted: recipients.posted, error: problem.message, errorField: problem.field }, uploads: await ownUploads(ctx, actor, form.uploadIds) });
        return true;
      }
      if (!(err instanceof ReplyConflictError)) return false;
      // The held text is also the agent's saved draft: a reload or another device still has it.
      if (actor.userId) await saveDraft(draftDeps(ctx), actor, id, { text, html, ...(recipients ? { cc: recipients.posted.cc } : {}), uploadIds: form.uploadIds }).catch(() => null);
      await renderTicketPage(ctx, req, res.status(409), { text, html, status, items: err.items, ...(recipients ? { recipients: { posted: recipients.posted, error: null, errorField: null } } : {}), uploads: await ownUploads(ctx, actor, form.uploadIds) });
      return true;
    });
  }, refusedFileHandler(ctx));

  router.post('/tickets/:id/note', ...guard, async (req, res) => {
    const id = String(req.params.id);
    await act(res, id, 'note-empty', () => addNote(ctx.actions, requireSession(res).actor, id, { text: postedText(req, 'text') }));
  });

  router.post('/tickets/:id/update', ...guard, async (req, res) => {
    const id = String(req.params.id);
    const assignee = postedText(req, 'assigneeId');
    const patch = {
      ...(postedText(req, 'status') ? { status: postedText(req, 'status') } : {}),
      ...(postedText(req, 'priority') ? { priority: postedText(req, 'priority') } : {}),
      // The selects' empty options mean "not assessed" and "no category"; absent fields stay as they are.
      ...(has(req, 'impact') ? { impact: postedText(req, 'impact') || null } : {}),
      ...(has(req, 'urgency') ? { urgency: postedText(req, 'urgency') || null } : {}),
      ...(has(req, 'categoryId') ? { categoryId: postedText(req, 'categoryId') || null } : {}),
      ...(has(req, 'teamId') ? { teamId: postedText(req, 'teamId') || null } : {}),
      ...(postedText(req, 'followMatrix') ? { priorityOverridden: false } : {}),
      // The select's empty option means "nobody"; 'keep' (no field) leaves the assignee alone.
      ...(req.body && 'assigneeId' in (req.body as object) ? { assigneeId: assignee || null } : {}),
      ...(req.body && 'tags' in (req.body as object) ? { tags: tagsFromText(postedText(req, 'tags')) } : {}),
    };
    await act(res, id, updateErrorCode, () => updateTicket(ctx.actions, requireSession(res).actor, id, patch));
  });
  return router;
}
