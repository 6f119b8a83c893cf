import { isLocale } from '../../i18n/locales.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';
import { inboxLocale } from './auto-reply-overrides.js';

/** The made-up ticket a preview is rendered for. */
export const PREVIEW_TICKET = { ticketNumber: 1042, ticketSubject: 'My order has not arrived', customerName: 'Robin Customer' } as const;

/**
 * Renders the auto-reply a new ticket of this inbox would get in `locale` (the inbox's default
 * language when not given), with the given (possibly unsaved) subject and text overrides for that
 * language and the inbox's branding. A broken override throws VALIDATION_FAILED.
 */
export async function previewAutoReply(
  deps: { inboxes: Pick<InboxStore, 'findBranding'>; render: RenderEmailFn },
  actor: Actor,
  inboxId: string,
  overrides: { subject: string | null; template: string | null; locale?: string | null },
): Promise<{ subject: string; text: string; locale: string }> {
  const id = parseObjectId(inboxId);
  if (!id || !canSeeInbox(actor, id)) throw notFound('Inbox');
  requireInboxManager(actor, id);
  const inbox = await deps.inboxes.findBranding(id);
  if (!inbox) throw notFound('Inbox');
  const locale = isLocale(overrides.locale) ? overrides.locale : inboxLocale(inbox);
  const rendered = await deps.render('auto-reply', { ...PREVIEW_TICKET }, { branding: brandingOf(inbox), subject: overrides.subject, template: overrides.template, locale });
  return { subject: rendered.subject, text: rendered.text, locale };
}
