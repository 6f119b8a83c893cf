import { Router, type Request, type Response } from 'express';
import { isAppError } from '../../domain/errors.js';
import { addNote } from '../../services/add-note.js';
import { sendReply } from '../../services/send-reply.js';
import { updateTicket, visibleTicket } from '../../services/update-ticket.js';
import { requireCsrf, requireLogin, requireSession } from '../session/session-middleware.js';
import type { PageContext } from './page-deps.js';

const REPLY_STATUSES = new Set(['open', 'pending', 'solved']);

const field = (req: Request, name: string) => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** Back to the ticket (303, so a reload does not post again), with a fixed error code if any. */
function backToTicket(res: Response, id: string, error?: string) {
  res.redirect(303, `/tickets/${encodeURIComponent(id)}${error ? `?error=${error}` : ''}#${error ? 'forms' : 'end'}`);
}

/** Runs a form action; validation and conflict failures go back to the ticket page as a message. */
async function act(res: Response, id: string, errorCode: string, fn: () => Promise<unknown>) {
  try {
    await fn();
  } catch (err) {
    if (isAppError(err, 'VALIDATION_FAILED')) return backToTicket(res, id, errorCode);
    if (isAppError(err, 'CONFLICT')) return backToTicket(res, id, 'merged');
    throw err;
  }
  backToTicket(res, id);
}

/** The ticket page's forms: `POST /tickets/:id/reply`, `/note` and `/update`, each CSRF-checked. */
export function ticketActions(ctx: PageContext): Router {
  const router = Router();
  const guard = [requireLogin, requireCsrf(ctx.publicUrl)];

  router.post('/tickets/:id/reply', ...guard, async (req, res) => {
    const { actor } = requireSession(res);
    const id = String(req.params.id);
    // Access first: a hidden ticket is a 404, not a validation message.
    const ticket = await visibleTicket(ctx.models, actor, id);
    const status = field(req, 'status');
    await act(res, id, 'reply-empty', () =>
      sendReply(ctx.actions, {
        ticketId: ticket._id,
        authorId: actor.userId!,
        text: field(req, 'text').slice(0, 1_000_000),
        ...(REPLY_STATUSES.has(status) ? { status: status as 'open' | 'pending' | 'solved' } : {}),
        requestKey: field(req, 'requestKey').slice(0, 100) || null,
      }),
    );
  });

  router.post('/tickets/:id/note', ...guard, async (req, res) => {
    const id = String(req.params.id);
    await act(res, id, 'note-empty', () => addNote(ctx.actions, requireSession(res).actor, id, { text: field(req, 'text') }));
  });

  router.post('/tickets/:id/update', ...guard, async (req, res) => {
    const id = String(req.params.id);
    const assignee = field(req, 'assigneeId');
    const patch = {
      ...(field(req, 'status') ? { status: field(req, 'status') } : {}),
      ...(field(req, 'priority') ? { priority: field(req, 'priority') } : {}),
      // The select's empty option means "nobody"; 'keep' (no field) leaves the assignee alone.
      ...(req.body && 'assigneeId' in (req.body as object) ? { assigneeId: assignee || null } : {}),
    };
    await act(res, id, 'invalid', () => updateTicket(ctx.actions, requireSession(res).actor, id, patch));
  });
  return router;
}
