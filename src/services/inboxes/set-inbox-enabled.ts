import type { Types } from 'mongoose';
import type { InboxStore } from '../../store/inbox-store.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { toInboxView, type InboxView } from './inbox-view.js';

/** What disabling and enabling an inbox needs. */
export interface SetInboxEnabledDeps {
  inboxes: Pick<InboxStore, 'setDisabled' | 'findStatus'>;
  now: () => Date;
}

/**
 * Disables an inbox (admins only): from the poller's next scan it is not polled, and mail queued
 * through it (replies, auto-replies, notifications) is held, not lost, until it is enabled again.
 * Its tickets stay visible and workable. `reason` is `admin` unless said otherwise.
 */
export async function disableInbox(deps: SetInboxEnabledDeps, actor: Actor, inboxId: string, reason = 'admin'): Promise<InboxView> {
  return setEnabled(deps, actor, inboxId, (userId) => ({ at: deps.now(), reason, detail: null, byUserId: userId }));
}

/** Enables a disabled inbox again (admins only): polling resumes and its held mail is sent. */
export async function enableInbox(deps: SetInboxEnabledDeps, actor: Actor, inboxId: string): Promise<InboxView> {
  return setEnabled(deps, actor, inboxId, () => null);
}

async function setEnabled(
  deps: SetInboxEnabledDeps,
  actor: Actor,
  inboxId: string,
  disabled: (userId: Types.ObjectId | null) => { at: Date; reason: string; detail: null; byUserId: Types.ObjectId | null } | null,
): Promise<InboxView> {
  requireAdmin(actor);
  const id = parseObjectId(inboxId);
  if (!id) throw notFound('Inbox');
  const inbox = await deps.inboxes.setDisabled(id, disabled(actor.userId ?? null));
  if (!inbox) throw notFound('Inbox');
  return toInboxView(inbox, await deps.inboxes.findStatus(id), actor);
}
