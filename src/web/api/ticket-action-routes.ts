import { Router } from 'express';
import { snoozeTicket, unsnoozeTicket } from '../../services/lifecycle/snooze-ticket.js';
import { addNote } from '../../services/tickets/add-note.js';
import { escalateTicket, escalationOptions } from '../../services/tickets/escalate-ticket.js';
import { TEAM_LEVELS, type TeamLevel } from '../../domain/teams.js';
import { replyToTicket } from '../../services/tickets/send-reply.js';
import { deleteDraft } from '../../services/drafts/delete-draft.js';
import { updateTicket } from '../../services/tickets/update-ticket.js';
import type { AutomationDeps } from './automation-routes.js';
import type { ReplyDraftStore } from '../../store/reply-draft-store.js';
import { principalOf } from './authenticate.js';

/** `/tickets/:id` changes: reply (queued in the outbox), internal note, status/priority/assignee/tags, escalation, snooze. */
export function ticketActionRoutes(deps: AutomationDeps & { replyDrafts?: Pick<ReplyDraftStore, 'remove'> }): Router {
  const router = Router();
  router.patch('/:id', async (req, res) => {
    res.json(await updateTicket(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/:id/replies', async (req, res) => {
    const { actor } = principalOf(res);
    const item = await replyToTicket(deps, actor, req.params.id, { json: req.body });
    // Sent: the caller's draft of it is done with.
    if (deps.replyDrafts && actor.userId) await deleteDraft({ tickets: deps.tickets, replyDrafts: deps.replyDrafts }, actor, req.params.id);
    const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);
    res.status(202).json({
      id: item._id.toHexString(), messageId: item.messageId, state: item.state, subject: item.subject,
      to: addresses(item.recipients.to), cc: addresses(item.recipients.cc), createdAt: item.createdAt,
    });
  });
  router.post('/:id/notes', async (req, res) => {
    res.status(201).json(await addNote(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.get('/:id/escalation', async (req, res) => {
    const level = typeof req.query.level === 'string' && (TEAM_LEVELS as readonly string[]).includes(req.query.level) ? (req.query.level as TeamLevel) : undefined;
    res.json(await escalationOptions(deps, principalOf(res).actor, req.params.id, level));
  });
  router.post('/:id/escalate', async (req, res) => {
    res.json(await escalateTicket(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/:id/snooze', async (req, res) => {
    res.json(await snoozeTicket(deps, principalOf(res).actor, req.params.id, { json: req.body }));
  });
  router.delete('/:id/snooze', async (req, res) => {
    res.json(await unsnoozeTicket(deps, principalOf(res).actor, req.params.id));
  });
  return router;
}
