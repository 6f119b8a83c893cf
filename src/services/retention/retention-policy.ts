import { z } from 'zod';
import { MAX_RETENTION_MONTHS, RETENTION_ACTIONS, retentionPolicyOf, type RetentionPolicy } from '../../domain/retention.js';
import type { RetentionStore } from '../../store/retention-writes.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { parseInput } from '../validate.js';

/**
 * An inbox's retention policy as the API and the form send it: `months` a whole number of months
 * from 1 to MAX_RETENTION_MONTHS, or null to switch retention off; `action` what becomes of due tickets.
 */
export const retentionSchema = z.strictObject({
  months: z.number().int().min(1).max(MAX_RETENTION_MONTHS).nullable(),
  action: z.enum(RETENTION_ACTIONS),
});

/** Checks a policy (VALIDATION_FAILED naming `months` or `action`). */
export function parseRetentionPolicy(input: unknown): RetentionPolicy {
  return parseInput(retentionSchema, input, 'Retention policy');
}

/** The inbox a retention request is about, with its policy; NOT_FOUND when the actor cannot see it (agents see none of this). */
export async function retentionInboxFor(deps: { retention: Pick<RetentionStore, 'findInbox'> }, actor: Actor, id: string) {
  const inboxId = parseObjectId(id);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inbox = await deps.retention.findInbox(inboxId);
  if (!inbox) throw notFound('Inbox');
  return { inboxId, name: inbox.name, policy: retentionPolicyOf(inbox) };
}
