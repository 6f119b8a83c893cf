import { Router } from 'express';
import { z } from 'zod';
import { MAX_CHOSEN_RECIPIENTS } from '../../domain/reply-recipients.js';
import { addNote } from '../../services/add-note.js';
import { checkReplyConflict } from '../../services/check-reply-conflict.js';
import { sendReply } from '../../services/send-reply.js';
import { updateTicket, visibleTicket } from '../../services/update-ticket.js';
import { parseInput } from '../../services/validate.js';
import type { AutomationDeps } from './automation-routes.js';
import { principalOf } from './authenticate.js';

export const replySchema = z
  .strictObject({
    text: z.string().max(1_000_000).optional(),
    html: z.string().max(2_000_000).optional(),
    status: z.enum(['open', 'pending', 'solved']).optional(),
    requestKey: z.string().min(1).max(100).optional(),
    /** The `at` of the newest trail entry the client saw: anything newer holds the reply (409). */
    seenUntil: z.iso.datetime().optional(),
    /** Replace the proposed To/Cc (GET /tickets/:id `replyRecipients`); a suggested address goes out only when listed here. */
    to: z.array(z.email().max(254)).min(1).max(MAX_CHOSEN_RECIPIENTS).optional(),
    cc: z.array(z.email().max(254)).max(MAX_CHOSEN_RECIPIENTS).optional(),
  })
  .refine((r) => Boolean(r.text?.trim() || r.html?.trim()), { message: 'text or html is required', path: ['text'] });

/** `/tickets/:id` changes: reply (queued in the outbox), internal note, status/priority/assignee/tags. */
export function ticketActionRoutes(deps: AutomationDeps): Router {
  const router = Router();
  router.patch('/:id', async (req, res) => {
    res.json(await updateTicket(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/:id/replies', async (req, res) => {
    const { actor } = principalOf(res);
    const ticket = await visibleTicket(deps.models, actor, req.params.id);
    const body = parseInput(replySchema, req.body, 'Reply');
    await checkReplyConflict(deps, { ticketId: ticket._id, userId: actor.userId, seenUntil: body.seenUntil ? new Date(body.seenUntil) : null });
    const item = await sendReply(deps, {
      ticketId: ticket._id, authorId: actor.userId!, text: body.text ?? '', html: body.html ?? null, ...(body.status ? { status: body.status } : {}), requestKey: body.requestKey ?? null,
      recipients: { ...(body.to ? { to: body.to } : {}), ...(body.cc ? { cc: body.cc } : {}) },
    });
    const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);
    res.status(202).json({
      id: item._id.toHexString(), messageId: item.messageId, state: item.state, subject: item.subject,
      to: addresses(item.recipients.to), cc: addresses(item.recipients.cc), createdAt: item.createdAt,
    });
  });
  router.post('/:id/notes', async (req, res) => {
    res.status(201).json(await addNote(deps, principalOf(res).actor, req.params.id, req.body));
  });
  return router;
}
