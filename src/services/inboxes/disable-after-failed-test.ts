import type { InboxStore } from '../../store/inbox-store.js';
import { parseObjectId, requireAdmin, type Actor } from '../access.js';
import type { ConnectionTestResult } from './test-inbox-connection.js';

/** What marking an inbox after its connection test needs: the inbox store and the clock. */
export interface DisableAfterFailedTestDeps {
  inboxes: Pick<InboxStore, 'setDisabled'>;
  now: () => Date;
}

/** Whether both accounts of a connection test passed. */
export const connectionTestPassed = (result: ConnectionTestResult): boolean => result.imap.ok && result.smtp.ok;

/**
 * Keeps an inbox whose connection test failed from being polled: it is saved disabled with the
 * reason `connection-test` and `detail`, the failure in words (the caller's language), so the
 * settings page says why. A passing test changes nothing. Returns whether the inbox was disabled.
 * Admins only, as saving an inbox is.
 */
export async function disableAfterFailedTest(deps: DisableAfterFailedTestDeps, actor: Actor, inboxId: string, result: ConnectionTestResult, detail: string): Promise<boolean> {
  requireAdmin(actor);
  if (connectionTestPassed(result)) return false;
  const id = parseObjectId(inboxId);
  if (!id) return false;
  const saved = await deps.inboxes.setDisabled(id, { at: deps.now(), reason: 'connection-test', detail: detail.slice(0, 500), byUserId: null });
  return saved !== null;
}
