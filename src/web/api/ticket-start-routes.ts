import { Router } from 'express';
import { startConversation, type StartConversationDeps, type StartedConversation } from '../../services/tickets/start-conversation.js';
import { principalOf } from './authenticate.js';
import type { UploadFileDeps } from '../../services/attachments/upload-file.js';
import { apiFormWithFiles, bodyWithUploads } from './upload-routes.js';

/** A started conversation as the API answers it: the new ticket and the mail queued for the customer. */
export function startedConversationJson(started: StartedConversation) {
  const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);
  return {
    ticket: started.ticket,
    outbox: {
      id: started.outbox._id.toHexString(), messageId: started.outbox.messageId, state: started.outbox.state, subject: started.outbox.subject,
      to: addresses(started.to), cc: addresses(started.cc), bcc: addresses(started.bcc), createdAt: started.outbox.createdAt,
    },
  };
}

/** `POST /tickets`: an agent starts a conversation with a customer from one of their inboxes. */
export function ticketStartRoutes(deps: StartConversationDeps & UploadFileDeps): Router {
  const router = Router();
  // JSON, or multipart/form-data: the same fields plus files in `attachments` (after `inboxId`, which they are uploaded for).
  const withFiles = apiFormWithFiles(deps, 'attachments', (req) => ({ inboxId: String((req.body as Record<string, unknown> | undefined)?.inboxId ?? '') }));
  router.post('/', withFiles, async (req, res) => {
    const started = await startConversation(deps, principalOf(res).actor, { json: bodyWithUploads(req, res) });
    res.status(201).json(startedConversationJson(started));
  });
  return router;
}
