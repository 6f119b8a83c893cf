import type { InboxStore } from '../../store/inbox-store.js';
import type { Actor } from '../access.js';
import { createInbox, type InboxDeps } from './create-inbox.js';
import { connectionTestPassed, disableAfterFailedTest } from './disable-after-failed-test.js';
import { getInbox } from './get-inbox.js';
import type { InboxView } from './inbox-view.js';
import { testInboxConnection, type ConnectionChecks, type ConnectionTestResult } from './test-inbox-connection.js';

/** What adding an inbox and testing it needs: the inbox use cases' deps, the network checks and the clock. */
export interface CreateTestedInboxDeps extends InboxDeps {
  inboxes: InboxDeps['inboxes'] & Pick<InboxStore, 'setDisabled'>;
  /** The network checks; without them (a server that makes no network checks) the inbox is saved untested. */
  checks?: ConnectionChecks;
  now: () => Date;
}

/** A new inbox as saved (disabled when its test failed) and the result of its connection test (null: not tested). */
export interface TestedInbox {
  inbox: InboxView;
  connectionTest: ConnectionTestResult | null;
}

/**
 * Adds an inbox (admins only), then tests what was stored: an inbox that cannot connect is kept
 * disabled with the reason `connection-test` and `describeFailure`'s words (the caller's language)
 * rather than polled in vain. The settings page and `POST /api/v1/inboxes` both call this.
 */
export async function createTestedInbox(
  deps: CreateTestedInboxDeps,
  actor: Actor,
  input: unknown,
  describeFailure: (result: ConnectionTestResult) => string,
): Promise<TestedInbox> {
  const created = await createInbox(deps, actor, input);
  if (!deps.checks) return { inbox: created, connectionTest: null };
  const connectionTest = await testInboxConnection({ inboxes: deps.inboxes, secrets: deps.secrets, logger: deps.logger, checks: deps.checks }, actor, created.id);
  if (connectionTestPassed(connectionTest)) return { inbox: created, connectionTest };
  await disableAfterFailedTest({ inboxes: deps.inboxes, now: deps.now }, actor, created.id, connectionTest, describeFailure(connectionTest));
  return { inbox: await getInbox(deps, actor, created.id), connectionTest };
}
