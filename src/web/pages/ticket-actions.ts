import { Router, type Response } from 'express';
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

/** The reply form's `seenUntil` (an ISO time from our own page), or null when absent or malformed. */
function seenUntilOf(value: string): Date | null {
  const at = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/.test(value) ? new Date(value) : null;
  return at && !Number.isNaN(at.getTime()) ? at : null;
}

/** Back to the ticket (303, so a reload does not post again), with a fixed error code if any. */
function backToTicket(res: Response, id: string, error?: string) {
  res.redirect(303, `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}` : ''}#${error ? 'forms' : 'end'}`);
}

/**
 * A refused reply names its cause: only a reply without text is "empty". Anything else (an address
 * of the conversation that cannot be written into a mail) is not the agent's doing.
 */
function replyErrorCode(err: unknown): string {
  const issues = validationIssues(err);
  if (issues?.some((i) => i.path === 'text')) return 'reply-empty';
  return issues?.some((i) => i.path === 'to' || i.path === 'cc') ? 'reply-recipients' : 'reply-unsendable';
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

  router.post('/tickets/:id/reply', ...guard, async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    const status = postedText(req, 'status');
    const text = postedText(req, 'text').slice(0, 1_000_000);
    const form = {
      text,
      ...(isReplyStatus(status) ? { status } : {}),
      requestKey: postedText(req, 'requestKey').slice(0, 100) || null,
      // The form names the newest trail entry the agent saw; whatever came after holds the reply.
      seenUntil: seenUntilOf(postedText(req, 'seenUntil')),
      // The form lists To and Cc; the Cc boxes ticked (proposed or suggested) are the Cc. A post
      // without the list (an older page) keeps the proposal.
      ...(postedText(req, 'recipientsShown') ? { recipients: { cc: fields(formOf(req), 'cc').slice(0, 100) } } : {}),
    };
    const send = async () => {
      await replyToTicket(ctx.actions, actor, id, { form });
      // Sent: the agent's draft of it is done with.
      if (actor.userId) await deleteDraft(ctx.stores, actor, id);
    };
    await act(res, id, replyErrorCode, send, async (err) => {
      // Held: the page again (409) with the draft kept, what arrived and a fresh marker, so a second submit sends.
      if (!(err instanceof ReplyConflictError)) return false;
      // The held text is also the agent's saved draft: a reload or another device still has it.
      if (actor.userId) await saveDraft({ ...ctx.stores, now: ctx.now }, actor, id, { text, ...(form.recipients ? { cc: form.recipients.cc } : {}) }).catch(() => null);
      await renderTicketPage(ctx, req, res.status(409), { text, status, items: err.items });
      return true;
    });
  });

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
