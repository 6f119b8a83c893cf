import { z } from 'zod';
import { AppError } from '../../domain/errors.js';
import type { Models } from '../../store/models/index.js';
import type { Actor } from '../access.js';
import { parseInput } from '../validate.js';

const schema = z.strictObject({ name: z.string().trim().max(200).transform((s) => s || null) });

/** Sets the caller's display name; an empty name falls back to the email address in the UI. */
export async function updateOwnName(deps: { models: Pick<Models, 'User'> }, actor: Actor, input: unknown): Promise<{ name: string | null }> {
  if (!actor.userId) throw new AppError('FORBIDDEN', 'Only a signed-in user has a name to change');
  const { name } = parseInput(schema, input, 'Name');
  await deps.models.User.updateOne({ _id: actor.userId }, { $set: { name } });
  return { name };
}
