import { Router } from 'express';
import type { InboxDeps } from '../../services/inboxes/create-inbox.js';
import { createTestedInbox } from '../../services/inboxes/create-tested-inbox.js';
import type { ConnectionChecks } from '../../services/inboxes/test-inbox-connection.js';
import { getInbox } from '../../services/inboxes/get-inbox.js';
import { listInboxes } from '../../services/inboxes/list-inboxes.js';
import { disableInbox, enableInbox } from '../../services/inboxes/set-inbox-enabled.js';
import { deleteInbox } from '../../services/inboxes/delete-inbox.js';
import type { InboxRemovalStore } from '../../store/inbox-removal-store.js';
import { updateInbox } from '../../services/inboxes/update-inbox.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { createI18n, type I18n } from '../../i18n/catalog.js';
import { failedTestDetail } from '../connection-test-words.js';
import { apiLocale } from '../errors.js';
import { principalOf } from './authenticate.js';

/** What the inbox routes need beyond the inbox use cases' deps. */
export interface InboxRouteDeps extends InboxDeps {
  inboxes: InboxDeps['inboxes'] & Pick<InboxStore, 'listByName' | 'statusesOf' | 'setDisabled'>;
  inboxRemoval: InboxRemovalStore;
  now?: () => Date;
  /** The network checks a new inbox is tested with; without them it is saved untested. */
  connectionChecks?: ConnectionChecks;
  /** The catalogs a failed test is worded from, in the caller's language; loaded when not given. */
  i18n?: I18n;
}

/**
 * `/inboxes`: list and read for everyone (their own inboxes); create, change, disable, enable and
 * delete for admins. A new inbox is tested as the settings page tests it: one that fails is saved
 * disabled, and the answer (still 201) says why in `disabled` and `connectionTest`.
 */
export function inboxRoutes(deps: InboxRouteDeps): Router {
  const now = deps.now ?? (() => new Date());
  const enabledDeps = { inboxes: deps.inboxes, now };
  const testedDeps = { ...deps, checks: deps.connectionChecks, now };
  let i18n = deps.i18n;
  const deleteDeps = { ...enabledDeps, inboxRemoval: deps.inboxRemoval };
  const router = Router();
  router.get('/', async (_req, res) => {
    res.json({ items: await listInboxes(deps, principalOf(res).actor) });
  });
  router.post('/', async (req, res) => {
    const { inbox, connectionTest } = await createTestedInbox(testedDeps, principalOf(res).actor, req.body, (test) => {
      i18n ??= createI18n();
      return failedTestDetail(test, i18n.translator(apiLocale(req, res)).t);
    });
    res.status(201).json({ ...inbox, connectionTest });
  });
  router.get('/:id', async (req, res) => {
    res.json(await getInbox(deps, principalOf(res).actor, req.params.id));
  });
  router.patch('/:id', async (req, res) => {
    res.json(await updateInbox(deps, principalOf(res).actor, req.params.id, req.body));
  });
  router.post('/:id/disable', async (req, res) => {
    res.json(await disableInbox(enabledDeps, principalOf(res).actor, req.params.id));
  });
  router.post('/:id/enable', async (req, res) => {
    res.json(await enableInbox(enabledDeps, principalOf(res).actor, req.params.id));
  });
  router.delete('/:id', async (req, res) => {
    res.json(await deleteInbox(deleteDeps, principalOf(res).actor, req.params.id, req.body ?? {}));
  });
  return router;
}
