/** The languages Threadline speaks; the first is the fallback for a key missing elsewhere. */
export const LOCALES = ['en', 'fr'] as const;

export type Locale = (typeof LOCALES)[number];

/**
 * A test-only locale: every message of `en` with its letters accented and the whole bracketed, so a
 * page rendered in it shows at a glance any text that did not come from the catalogs.
 */
export const PSEUDO_LOCALE = 'en-XA';

/** Each language's name in itself, for the language menus. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

/** True for a locale Threadline has a catalog for (not the pseudo-locale). */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** True for an IANA time zone this runtime knows ("Europe/Paris", "UTC"). */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The language of a page: the user's own choice, else the best of the browser's `Accept-Language`
 * (RFC 9110 §12.5.4; `fr-CA` counts as `fr`), else the instance default.
 */
export function pickLocale(opts: { chosen?: string | null; acceptLanguage?: string | null; fallback: Locale; allowPseudo?: boolean }): string {
  if (opts.allowPseudo && (opts.chosen === PSEUDO_LOCALE || (!isLocale(opts.chosen) && opts.acceptLanguage?.trim().startsWith(PSEUDO_LOCALE)))) return PSEUDO_LOCALE;
  if (isLocale(opts.chosen)) return opts.chosen;
  return fromAcceptLanguage(opts.acceptLanguage ?? null) ?? opts.fallback;
}

/** The supported language the header ranks highest, or null; a malformed header counts as absent. */
export function fromAcceptLanguage(header: string | null): Locale | null {
  if (!header) return null;
  let best: { locale: Locale; q: number; order: number } | null = null;
  // A header is short in practice; a hostile one is cut so parsing stays cheap.
  header
    .slice(0, 1000)
    .split(',')
    .slice(0, 50)
    .forEach((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const base = tag?.trim().toLowerCase().split('-')[0] ?? '';
      if (!isLocale(base)) return;
      const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const q = qParam ? Number(qParam.slice(2)) : 1;
      if (!Number.isFinite(q) || q <= 0 || q > 1) return;
      if (!best || q > best.q || (q === best.q && order < best.order)) best = { locale: base, q, order };
    });
  return (best as { locale: Locale } | null)?.locale ?? null;
}
