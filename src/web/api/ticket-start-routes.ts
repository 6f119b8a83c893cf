import { Router } from 'express';
import { startConversation, type StartConversationDeps, type StartedConversation } from '../../services/tickets/start-conversation.js';
import { principalOf } from './authenticate.js';

/** A started conversation as the API answers it: the new ticket and the mail queued for the customer. */
export function startedConversationJson(started: StartedConversation) {
  const addresses = (list: Array<{ address: string }>) => list.map((a) => a.address);
  return {
    ticket: started.ticket,
    outbox: {
      id: started.outbox._id.toHexString(), messageId: started.outbox.messageId, state: started.outbox.state, subject: started.outbox.subject,
      to: addresses(started.to), cc: addresses(started.cc), createdAt: started.outbox.createdAt,
    },
  };
}

/** `POST /tickets`: an agent starts a conversation with a customer from one of their inboxes. */
export function ticketStartRoutes(deps: StartConversationDeps): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const started = await startConversation(deps, principalOf(res).actor, { json: req.body });
    res.status(201).json(startedConversationJson(started));
  });
  return router;
}
