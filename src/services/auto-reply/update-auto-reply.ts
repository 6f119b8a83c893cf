import { z } from 'zod';
import type { InboxStore } from '../../store/inbox-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { checkAutoReplyOverrides, type InboxDeps } from '../inboxes/create-inbox.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { toInboxView, type InboxView } from '../inboxes/inbox-view.js';
import { parseInput } from '../validate.js';
import { autoReplyTextsOf, inboxLocale } from './auto-reply-overrides.js';

const blankIsNull = (max: number) =>
  z
    .string()
    .max(max)
    .nullable()
    .transform((s) => (s === null || s.trim() === '' ? null : s.trim()));

const texts = z.strictObject({ subject: blankIsNull(500), template: blankIsNull(100_000) });

/**
 * An inbox's auto-reply: on or off, and its own subject and text per language (Handlebars; blank =
 * Threadline's default in that language). A language left out keeps its texts; the plain `subject`
 * and `template` are those of the inbox's default language.
 */
const autoReplySchema = z.strictObject({
  enabled: z.boolean(),
  /** List matching help center articles in the acknowledgement; left out: unchanged. */
  suggestArticles: z.boolean().optional(),
  subject: blankIsNull(500).optional(),
  template: blankIsNull(100_000).optional(),
  overrides: z.strictObject({ en: texts.optional(), fr: texts.optional() }).optional(),
});

/**
 * Replaces an inbox's auto-reply settings. Unlike the rest of an inbox, managers of the inbox may
 * change these. An override that would not render is refused, naming the field, before anything is saved.
 */
export async function updateAutoReply(
  deps: { inboxes: Pick<InboxStore, 'setAutoReply' | 'findStatus' | 'findBranding'>; logger: InboxDeps['logger']; validateTemplate?: InboxDeps['validateTemplate'] },
  actor: Actor,
  inboxId: string,
  input: unknown,
): Promise<InboxView> {
  const id = parseObjectId(inboxId);
  if (!id || !canSeeInbox(actor, id)) throw notFound('Inbox');
  requireInboxManager(actor, id, 'Only admins and managers of this inbox can change its auto-reply');
  const value = parseInput(autoReplySchema, input, 'Auto-reply');
  checkAutoReplyOverrides(deps, value, '');
  const inbox = await deps.inboxes.findBranding(id);
  if (!inbox) throw notFound('Inbox');
  const overrides = Object.fromEntries(
    autoReplyTextsOf(value, inboxLocale(inbox)).map(([locale, t]) => [locale, { subject: t.subject ?? null, template: t.template ?? null }]),
  );
  const doc = await deps.inboxes.setAutoReply(id, { enabled: value.enabled, ...(value.suggestArticles !== undefined ? { suggestArticles: value.suggestArticles } : {}), overrides });
  if (!doc) throw notFound('Inbox');
  deps.logger.info({ inboxId, enabled: value.enabled, languages: Object.keys(overrides) }, 'inbox auto-reply updated');
  return toInboxView(doc, await deps.inboxes.findStatus(id), actor);
}
