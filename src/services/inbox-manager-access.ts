import type { Types } from 'mongoose';
import { AppError } from '../domain/errors.js';
import { canSeeInbox, type Actor } from './access.js';

/**
 * Admins, and managers who belong to the inbox, may run an inbox's settings (SLA, auto-reply,
 * connection test); anyone else gets FORBIDDEN. Call it after the visibility check, so an inbox
 * the actor cannot see still answers NOT_FOUND.
 */
export function requireInboxManager(actor: Actor, inboxId: Types.ObjectId, message = 'Only admins and managers of this inbox can do this'): void {
  if (actor.role === 'admin') return;
  if (actor.role !== 'manager' || !canSeeInbox(actor, inboxId)) throw new AppError('FORBIDDEN', message);
}
