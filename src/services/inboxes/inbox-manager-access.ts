import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { canSeeInbox, type Actor } from '../access.js';

/** Whether the actor may run this inbox's settings (SLA, auto-reply, canned replies, connection test): admins, and managers who belong to it. */
export function isInboxManager(actor: Actor, inboxId: Types.ObjectId | null | undefined): boolean {
  return actor.role === 'admin' || (actor.role === 'manager' && canSeeInbox(actor, inboxId));
}

/**
 * FORBIDDEN for anyone but the inbox's managers and admins ({@link isInboxManager}). Call it after
 * the visibility check, so an inbox the actor cannot see still answers NOT_FOUND.
 */
export function requireInboxManager(actor: Actor, inboxId: Types.ObjectId, message = 'Only admins and managers of this inbox can do this'): void {
  if (!isInboxManager(actor, inboxId)) throw new AppError('FORBIDDEN', message);
}
