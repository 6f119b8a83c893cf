import { Types } from 'mongoose';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/user-rules.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { USER_ROLES } from '../../domain/user-roles.js';
import { inputIssue, invalidInput, issueMessage } from '../validate.js';

/** A new password: taken verbatim (spaces may be part of it), 12 to 1024 characters. */
export const newPassword = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

const displayName = z.string().trim().max(200).transform((s) => s || null);

const inboxIds = z
  .array(z.string().regex(/^[0-9a-f]{24}$/i, issueMessage('issue.inboxId', 'must be an inbox id')))
  .max(1000)
  .transform((ids) => [...new Set(ids.map((id) => id.toLowerCase()))].map((id) => new Types.ObjectId(id)));

/** `POST /users`: without a password the user can only get in through an invite link. */
export const createUserSchema = z.strictObject({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .pipe(z.email({ message: issueMessage('issue.emailAddress', 'must be an email address') })),
  name: displayName.nullable().optional(),
  password: newPassword.optional(),
  role: z.enum(USER_ROLES),
  inboxIds: inboxIds.default([]),
});

/** `PATCH /users/:id`: only the fields given change. */
export const updateUserSchema = z.strictObject({
  name: displayName.nullable().optional(),
  role: z.enum(USER_ROLES).optional(),
  inboxIds: inboxIds.optional(),
  disabled: z.boolean().optional(),
  /** Marks the user away (or back) for them, as they do on their account page: auto-assignment passes over them. */
  away: z.boolean().optional(),
  /** Lets an agent write knowledge base articles (admins and managers always may). */
  kbEditor: z.boolean().optional(),
});

/** Refuses inbox ids that name no inbox, as a validation issue on `inboxIds`. */
export async function requireInboxesExist(inboxes: Pick<InboxStore, 'countByIds'>, ids: Types.ObjectId[], what: string): Promise<void> {
  if (ids.length === 0) return;
  const found = await inboxes.countByIds(ids);
  if (found !== ids.length) {
    throw invalidInput([inputIssue('inboxIds', 'issue.inboxMissing', 'names an inbox that does not exist')], what);
  }
}
