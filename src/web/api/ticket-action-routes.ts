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
import type { UploadFileDeps } from '../../services/attachments/upload-file.js';
import type { UploadStore } from '../../store/upload-store.js';
import type { BlobStore } from '../../store/blob-store.js';
import { apiFormWithFiles, bodyWithUploads } from './upload-routes.js';

/** `/tickets/:id` changes: reply (queued in the outbox), internal note, status/priority/assignee/tags, escalation, snooze. */
export function ticketActionRoutes(deps: AutomationDeps & Omit<UploadFileDeps, 'uploads' | 'blobs'> & { uploads: UploadStore; blobs: BlobStore; replyDrafts?: Pick<ReplyDraftStore, 'remove'> }): Router {
  const router = Router();
  router.patch('/:id', async (req, res) => {
    res.json(await updateTicket(deps, principalOf(res).actor, req.params.id, req.body));
  });
  // JSON, or multipart/form-data: the same fields (arrays as repeated fields) plus files in `attachments`.
  const withFiles = apiFormWithFiles(deps, 'attachments', (req) => ({ ticketId: String(req.params.id) }));
  router.post('/:id/replies', withFiles, async (req, res) => {
    const { actor } = principalOf(res);
    const item = await replyToTicket(deps, actor, String(req.params.id), { json: bodyWithUploads(req, res) });
    // Sent: the caller's draft of it is done with.
    if (deps.replyDrafts && actor.userId) await deleteDraft({ tickets: deps.tickets, replyDrafts: deps.replyDrafts }, actor, String(req.params.id));
    const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);
    res.status(202).json({
      id: item._id.toHexString(), messageId: item.messageId, state: item.state, subject: item.subject,
      to: addresses(item.recipients.to), cc: addresses(item.recipients.cc), bcc: addresses(item.recipients.bcc), createdAt: item.createdAt,
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
