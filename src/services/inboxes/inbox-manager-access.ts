import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { canSeeInbox, type Actor } from '../access.js';

/** Whether the actor may run this inbox's settings (SLA, auto-reply, canned replies, connection test): admins, and managers who belong to it. */
export function isInboxManager(actor: Actor, inboxId: Types.ObjectId | null | undefined): boolean {
  return actor.role === 'admin' || (actor.role === 'manager' && canSeeInbox(actor, inboxId));
}

/** The refusals callers word for their action, by that wording: the `action` of `errors:forbidden.inboxManager`. */
const ACTIONS: Readonly<Record<string, string>> = {
  'Only admins and managers of this inbox can change its canned replies': 'cannedReplies',
  'Only admins and managers of this inbox can change its SLA policy': 'sla',
  'Only admins and managers of this inbox can change its auto-reply': 'autoReply',
  'Only admins and managers of this inbox can test its connection': 'connection',
};

/**
 * FORBIDDEN for anyone but the inbox's managers and admins ({@link isInboxManager}). Call it after
 * the visibility check, so an inbox the actor cannot see still answers NOT_FOUND.
 */
export function requireInboxManager(actor: Actor, inboxId: Types.ObjectId, message = 'Only admins and managers of this inbox can do this'): void {
  if (!isInboxManager(actor, inboxId)) {
    const action = Object.hasOwn(ACTIONS, message) ? ACTIONS[message] : 'other';
    throw new AppError('FORBIDDEN', message, { key: 'forbidden.inboxManager', params: { action } });
  }
}
