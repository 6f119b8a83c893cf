import { z } from 'zod';
import { CANNED_REPLY_LIMITS, unknownPlaceholders } from '../../domain/canned-reply.js';
import { AppError } from '../../domain/errors.js';
import type { CannedReplyDoc } from '../../store/models/canned-reply.js';
import type { CannedReplyStore } from '../../store/canned-reply-store.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { issueMessage, parseInput } from '../validate.js';

/** A canned reply as the API and the pages show it. */
export interface CannedReplyView {
  id: string;
  inboxId: string;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

type CannedReplyDeps = {
  inboxes: Pick<InboxStore, 'findName'>;
  cannedReplies: Pick<CannedReplyStore, 'findInInbox' | 'listByInbox' | 'countByInbox' | 'create' | 'update' | 'deleteById'>;
};

// Browsers submit textarea line breaks as CRLF; the stored text uses plain LF like every other note.
const text = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n'))
    .pipe(z.string().trim().min(1, issueMessage('issue.required', 'is required')).max(max, `is longer than ${max} characters`));
const body = text(CANNED_REPLY_LIMITS.body).superRefine((b, ctx) => {
  const unknown = unknownPlaceholders(b).map((n) => `{{${n}}}`);
  if (unknown.length === 0) return;
  const names = unknown.join(', ');
  ctx.addIssue({ code: 'custom', message: `uses an unknown placeholder: ${names}`, params: { key: 'issue.unknownPlaceholder', names, count: unknown.length } });
});
export const createSchema = z.strictObject({ title: text(CANNED_REPLY_LIMITS.title), body });
export const updateSchema = z.strictObject({ title: text(CANNED_REPLY_LIMITS.title).optional(), body: body.optional() });

const toView = (c: CannedReplyDoc): CannedReplyView => ({
  id: c._id.toHexString(),
  inboxId: c.inboxId.toHexString(),
  title: c.title,
  body: c.body,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

/** The inbox behind `:id`, or NOT_FOUND when it is missing or not the actor's; FORBIDDEN to edit for agents. */
async function inboxFor(deps: Pick<CannedReplyDeps, 'inboxes'>, actor: Actor, id: string, edit: boolean) {
  const inboxId = parseObjectId(id);
  if (!inboxId || !canSeeInbox(actor, inboxId)) throw notFound('Inbox');
  const inbox = await deps.inboxes.findName(inboxId);
  if (!inbox) throw notFound('Inbox');
  if (edit) requireInboxManager(actor, inboxId, 'Only admins and managers of this inbox can change its canned replies');
  return inbox;
}

async function replyOf(deps: Pick<CannedReplyDeps, 'cannedReplies'>, inboxId: CannedReplyDoc['inboxId'], id: string) {
  const replyId = parseObjectId(id);
  const reply = replyId ? await deps.cannedReplies.findInInbox(replyId, inboxId) : null;
  if (!reply) throw notFound('Canned reply');
  return reply;
}

/** An inbox's canned replies by title, for everyone who works in the inbox. */
export async function listCannedReplies(deps: CannedReplyDeps, actor: Actor, inboxId: string): Promise<{ inbox: { id: string; name: string }; items: CannedReplyView[] }> {
  const inbox = await inboxFor(deps, actor, inboxId, false);
  const items = await deps.cannedReplies.listByInbox(inbox._id);
  return { inbox: { id: inbox._id.toHexString(), name: inbox.name }, items: items.map(toView) };
}

/** Adds a canned reply (admins and managers of the inbox); at most 200 per inbox. */
export async function createCannedReply(deps: CannedReplyDeps, actor: Actor, inboxId: string, input: unknown): Promise<CannedReplyView> {
  const inbox = await inboxFor(deps, actor, inboxId, true);
  const fields = parseInput(createSchema, input, 'Canned reply');
  if ((await deps.cannedReplies.countByInbox(inbox._id)) >= CANNED_REPLY_LIMITS.perInbox) {
    throw new AppError('CONFLICT', `An inbox can have at most ${CANNED_REPLY_LIMITS.perInbox} canned replies`, { key: 'conflict.cannedReplyLimit', params: { max: CANNED_REPLY_LIMITS.perInbox } });
  }
  const created = await deps.cannedReplies.create({ inboxId: inbox._id, ...fields, createdById: actor.userId });
  return toView(created);
}

/** Changes a canned reply's title or text (admins and managers of the inbox). */
export async function updateCannedReply(deps: CannedReplyDeps, actor: Actor, inboxId: string, id: string, input: unknown): Promise<CannedReplyView> {
  const inbox = await inboxFor(deps, actor, inboxId, true);
  const reply = await replyOf(deps, inbox._id, id);
  const fields = parseInput(updateSchema, input, 'Canned reply');
  const updated = await deps.cannedReplies.update(reply._id, inbox._id, fields);
  if (!updated) throw notFound('Canned reply');
  return toView(updated);
}

/** Removes a canned reply (admins and managers of the inbox). */
export async function deleteCannedReply(deps: CannedReplyDeps, actor: Actor, inboxId: string, id: string): Promise<void> {
  const inbox = await inboxFor(deps, actor, inboxId, true);
  const reply = await replyOf(deps, inbox._id, id);
  await deps.cannedReplies.deleteById(reply._id);
}
