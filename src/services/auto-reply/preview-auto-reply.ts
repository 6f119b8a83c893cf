import { isLocale, type Locale } from '../../i18n/locales.js';
import type { InboxStore } from '../../store/inbox-store.js';
import { canSeeInbox, notFound, parseObjectId, type Actor } from '../access.js';
import { requireInboxManager } from '../inboxes/inbox-manager-access.js';
import { brandingOf, type RenderEmailFn } from '../outbound/render-types.js';
import { inboxLocale } from './auto-reply-overrides.js';

/** The made-up ticket a preview is rendered for, as a customer writing in that language would open it. */
const PREVIEW_TICKETS: Record<Locale, { ticketNumber: number; ticketSubject: string; customerName: string }> = {
  en: { ticketNumber: 1042, ticketSubject: 'My order has not arrived', customerName: 'Robin Customer' },
  fr: { ticketNumber: 1042, ticketSubject: 'Ma commande n’est pas arrivée', customerName: 'Camille Martin' },
};

/** The made-up ticket of a preview in `locale` (English for any other). */
export function previewTicketFor(locale: string) {
  return PREVIEW_TICKETS[isLocale(locale) ? locale : 'en'];
}

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
  const rendered = await deps.render('auto-reply', { ...previewTicketFor(locale) }, { branding: brandingOf(inbox), subject: overrides.subject, template: overrides.template, locale });
  return { subject: rendered.subject, text: rendered.text, locale };
}
