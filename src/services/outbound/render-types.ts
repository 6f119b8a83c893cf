import { isLocale, isTimeZone, type Locale } from '../../i18n/locales.js';

/** The emails Threadline sends; each is a template in templates/email/. */
export type EmailName = 'auto-reply' | 'agent-reply' | 'sla-reminder' | 'escalation' | 'digest' | 'notification' | 'notification-summary' | 'password-link' | 'satisfaction-survey';

/** An inbox's look in its emails; anything missing or invalid falls back to the defaults. */
export interface EmailBranding {
  brandName?: string;
  signature?: string;
  primaryColor?: string;
  logoUrl?: string | null;
}

/**
 * Renders an email to subject, HTML and text (src/mail/render-email.ts), passed in by the composition
 * root: in the recipient's `locale` (English when missing) with dates in their `timeZone`.
 */
export type RenderEmailFn = (
  name: EmailName,
  data: Record<string, unknown>,
  opts?: { branding?: EmailBranding; subject?: string | null; template?: string | null; locale?: string | null; timeZone?: string | null },
) => Promise<{ subject: string; html: string; text: string }>;

/** The instance's DEFAULT_LOCALE and DEFAULT_TIME_ZONE (null: none set), for mail to people who chose neither. */
export interface LocaleDefaults {
  locale: Locale;
  timeZone: string | null;
}

/** English and UTC: the defaults when the composition root gives none. */
export const FALLBACK_LOCALE_DEFAULTS: LocaleDefaults = { locale: 'en', timeZone: null };

/**
 * The language and time zone of mail to a user (notifications, SLA reminders, escalations, digests): their own
 * settings, else `zoneFallback` for the zone (a digest's schedule zone), else the instance defaults, else UTC.
 */
export function userMailLocale(
  user: { locale?: string | null; timeZone?: string | null },
  defaults: LocaleDefaults = FALLBACK_LOCALE_DEFAULTS,
  zoneFallback?: string | null,
): { locale: Locale; timeZone: string } {
  const zone = [user.timeZone, zoneFallback, defaults.timeZone].find((z) => isTimeZone(z));
  return { locale: isLocale(user.locale) ? user.locale : defaults.locale, timeZone: zone ?? 'UTC' };
}

/** The branding an inbox's emails carry. */
export function brandingOf(inbox: { name: string; displayName?: string | null; branding?: { signature?: string | null; primaryColor?: string | null; logoUrl?: string | null } | null }): EmailBranding {
  return {
    brandName: inbox.displayName ?? inbox.name,
    ...(inbox.branding?.signature ? { signature: inbox.branding.signature } : {}),
    ...(inbox.branding?.primaryColor ? { primaryColor: inbox.branding.primaryColor } : {}),
    logoUrl: inbox.branding?.logoUrl ?? null,
  };
}
