import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { UserStore } from '../../store/user-store.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';

const schema = z.strictObject({ name: z.string().trim().max(200).transform((s) => s || null) });

/** Sets the caller's display name; an empty name falls back to the email address in the UI. */
export async function updateOwnName(deps: { users: Pick<UserStore, 'setName'> }, actor: Actor, input: unknown): Promise<{ name: string | null }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has a name to change', { key: 'forbidden.nameNeedsUser' });
  const { name } = parseInput(schema, input, 'Name');
  await deps.users.setName(actor.userId, name);
  return { name };
}
