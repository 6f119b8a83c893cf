import { Router } from 'express';
import type { Logger } from 'pino';
import type { InboxStore } from '../../store/inbox-store.js';
import type { SecretBox } from '../../store/secret-box.js';
import { testInboxConnection, type ConnectionChecks } from '../../services/inboxes/test-inbox-connection.js';
import { principalOf } from './authenticate.js';

/** What the inbox settings routes need. */
export interface InboxSettingsRouteDeps {
  inboxes: Pick<InboxStore, 'findById'>;
  secrets: SecretBox;
  logger: Logger;
  connectionChecks: ConnectionChecks;
}

/**
 * `POST /inboxes/:id/test-connection` (admins and managers of the inbox): logs in to the inbox's
 * IMAP and SMTP accounts and answers `{imap, smtp}`, each `{ok, code, message, ms}`. A body with
 * `imap`/`smtp` fields tests those unsaved values instead (admins only; no password = the stored one).
 */
export function inboxSettingsRoutes(deps: InboxSettingsRouteDeps): Router {
  const router = Router();
  const checkDeps = { inboxes: deps.inboxes, secrets: deps.secrets, logger: deps.logger, checks: deps.connectionChecks };
  router.post('/:id/test-connection', async (req, res) => {
    const body: unknown = req.body;
    const changes = body && typeof body === 'object' && Object.keys(body).length > 0 ? body : undefined;
    res.json(await testInboxConnection(checkDeps, principalOf(res).actor, req.params.id, changes));
  });
  return router;
}
