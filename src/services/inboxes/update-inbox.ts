import { proposedSecure } from '../../domain/mail-account.js';
import type { Types } from 'mongoose';
import { AppError } from '../../domain/errors.js';
import { notFound, parseObjectId, requireAdmin, type Actor } from '../access.js';
import { autoReplyTextsOf, inboxLocale } from '../auto-reply/auto-reply-overrides.js';
import { checkAutoReplyOverrides, isDuplicateKey, type InboxDeps } from './create-inbox.js';
import { updateInboxSchema } from './inbox-schemas.js';
import { movedPasswordIssues, savedEndpoints, sealInboxPassword } from './inbox-secrets.js';
import { toInboxView, type InboxView } from './inbox-view.js';
import { inputIssue, invalidInput, parseInput } from '../validate.js';

/**
 * The default team an inbox change names: null for none, else a team that works this inbox
 * (VALIDATION_FAILED naming `defaultTeamId` otherwise).
 */
async function defaultTeamOf(deps: InboxDeps, inboxId: Types.ObjectId, value: string | null): Promise<Types.ObjectId | null> {
  if (value === null || value === '') return null;
  const teamId = parseObjectId(value);
  const team = teamId ? await deps.teams.findById(teamId) : null;
  if (!team || !team.inboxIds.some((i) => i.equals(inboxId))) {
    throw invalidInput([inputIssue('defaultTeamId', 'issue.teamOfInbox', 'must be a team that works this inbox')], 'Inbox update');
  }
  return team._id;
}

/**
 * Changes some settings of an inbox (admins only). Only the fields given change; a password is
 * re-sealed only when a new one is given. A stored password stays with the host, port, TLS mode and
 * user it was saved for: changing any of them without a new password is VALIDATION_FAILED.
 */
export async function updateInbox(deps: InboxDeps, actor: Actor, inboxId: string, input: unknown): Promise<InboxView> {
  requireAdmin(actor);
  const id = parseObjectId(inboxId);
  if (!id) throw notFound('Inbox');
  const patch = parseInput(updateInboxSchema, input, 'Inbox update');
  checkAutoReplyOverrides(deps, patch.autoReply);
  const current = await deps.inboxes.findById(id);
  if (!current) throw notFound('Inbox');
  // A new port without a TLS choice gets the mode that port calls for (993/465 TLS, 143/587/25 STARTTLS).
  for (const account of [patch.imap, patch.smtp]) {
    if (account?.port !== undefined && account.secure === undefined && account.port !== current[account === patch.imap ? 'imap' : 'smtp'].port) account.secure = proposedSecure(account.port);
  }
  const moved = movedPasswordIssues(current, patch);
  if (moved.length > 0) throw invalidInput(moved, 'Inbox update');

  const set: Record<string, unknown> = {};
  const copy = (prefix: string, fields: Record<string, unknown> | undefined) => {
    for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) set[prefix + key] = value;
  };
  const { imap, smtp, options, autoReply, branding, defaultTeamId, satisfaction, ...top } = patch;
  copy('', top);
  if (defaultTeamId !== undefined) set.defaultTeamId = await defaultTeamOf(deps, id, defaultTeamId);
  if (imap) {
    const { password, ...rest } = imap;
    copy('imap.', rest);
    if (password !== undefined) set['imap.passwordSealed'] = sealInboxPassword(deps.secrets, id, 'imap', password);
  }
  if (smtp) {
    const { password, ...rest } = smtp;
    copy('smtp.', rest);
    if (password !== undefined) set['smtp.passwordSealed'] = password === null ? null : sealInboxPassword(deps.secrets, id, 'smtp', password);
  }
  copy('options.', options);
  if (autoReply) {
    const { enabled, suggestArticles, subject, template, overrides } = autoReply;
    copy('autoReply.', { enabled, suggestArticles });
    // Plain `subject`/`template` are the texts of the default language, the one this change leaves.
    for (const [locale, texts] of autoReplyTextsOf({ subject, template, overrides }, patch.defaultLocale ?? inboxLocale(current))) copy(`autoReply.overrides.${locale}.`, texts);
  }
  copy('branding.', branding);
  copy('satisfaction.', satisfaction);

  // The endpoints checked above must still be the stored ones, or a concurrent change could move the password after all.
  const saved = savedEndpoints(current);
  const unmoved: Record<string, unknown> = {};
  for (const account of ['imap', 'smtp'] as const) {
    for (const [key, value] of Object.entries(saved[account])) unmoved[`${account}.${key}`] = value;
  }
  let doc;
  try {
    doc = Object.keys(set).length
      ? await deps.inboxes.updateIfUnchanged(id, unmoved, set)
      : current;
  } catch (err) {
    if (isDuplicateKey(err)) throw new AppError('CONFLICT', `An inbox with address ${patch.address ?? ''} already exists`, { key: 'conflict.inboxAddressTaken', params: { address: patch.address ?? '' } });
    throw err;
  }
  if (!doc) throw new AppError('CONFLICT', 'The inbox was changed meanwhile; load it again and retry', { key: 'conflict.inboxChanged' });
  deps.logger.info({ inboxId, fields: Object.keys(set) }, 'inbox updated');
  const status = await deps.inboxes.findStatus(id);
  return toInboxView(doc, status, actor);
}
