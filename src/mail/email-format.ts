import { DateTime } from 'luxon';
import { createI18n, type I18n, type Translator } from '../i18n/catalog.js';
import { formatsFor } from '../i18n/formats.js';

/** The colour used when an inbox sets none, or sets one that is not `#rgb`/`#rrggbb`. */
export const DEFAULT_PRIMARY_COLOR = '#2563eb';

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

let catalogs: I18n | undefined;
/**
 * The catalogs mail is written from, loaded on first use (a process that sends no mail never reads
 * them). The pseudo-locale is included so tests can render every email in it.
 */
export function mailI18n(): I18n {
  catalogs ??= createI18n({ pseudo: true });
  return catalogs;
}

/** The messages of one language for a mail (`en` for a missing or unknown one). */
export function mailTranslator(locale?: string | null): Translator {
  return mailI18n().translator(typeof locale === 'string' && locale !== '' ? locale : 'en');
}

/** `#rgb` or `#rrggbb` as lower-case `#rrggbb`; anything else (names, rgb(), CSS) is null. */
export function safeColor(value: unknown): string | null {
  if (typeof value !== 'string' || !HEX_COLOR.test(value.trim())) return null;
  const hex = value.trim().slice(1).toLowerCase();
  return `#${hex.length === 3 ? [...hex].map((c) => c + c).join('') : hex}`;
}

/** Black or white, whichever reads better on the given `#rrggbb` background (WCAG contrast). */
export function textColorOn(background: string): string {
  const channel = (i: number): number => {
    const c = parseInt(background.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) ? '#111827' : '#ffffff';
}

/** An absolute http(s) URL, or null: anything else (javascript:, data:, relative) never reaches an href. */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The link to the page of ticket `id` under `base` (`https://desk/tickets` → `https://desk/tickets/<id>`), or null. */
export function ticketLink(base: unknown, id: unknown): string | null {
  const root = httpUrl(base);
  if (root === null || (typeof id !== 'number' && typeof id !== 'string') || String(id) === '') return null;
  return `${root.replace(/\/+$/, '')}/${encodeURIComponent(String(id))}`;
}

/** A string that is not blank, trimmed; otherwise null. */
export function nonBlank(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A valid IANA zone name, or `UTC`. */
export function safeTimeZone(value: unknown): string {
  return typeof value === 'string' && value !== '' && DateTime.now().setZone(value).isValid ? value : 'UTC';
}

/** The first of `zones` that is a valid IANA zone name, else `UTC`. */
export function firstTimeZone(...zones: unknown[]): string {
  const found = zones.find((z) => typeof z === 'string' && z !== '' && DateTime.now().setZone(z).isValid);
  return (found as string | undefined) ?? 'UTC';
}

/** Date, ISO string or epoch milliseconds as a Date; null when unreadable. */
export function toDate(value: unknown): Date | null {
  let dt: DateTime | null = null;
  if (value instanceof Date) dt = DateTime.fromJSDate(value);
  else if (typeof value === 'string') dt = DateTime.fromISO(value, { setZone: false });
  else if (typeof value === 'number') dt = DateTime.fromMillis(value);
  return dt?.isValid ? dt.toJSDate() : null;
}

/**
 * A moment as the reader reads it (src/i18n/formats.ts): `Mar 3, 2026, 2:05 PM` in English,
 * `3 mars 2026, 14:05` in French, in the given zone; unreadable values come back as given.
 */
export function formatDateTime(value: unknown, zone: string, tr: Pick<Translator, 'formatLocale'> = mailTranslator()): string {
  const date = toDate(value);
  if (date === null) return value == null ? '' : String(value);
  return formatsFor(tr.formatLocale, safeTimeZone(zone)).dateTime(date);
}

/**
 * The days a period covers, e.g. `Mar 2 – 8, 2026` / `2–8 mars 2026`. An end at local midnight is
 * exclusive (a digest for Monday runs Monday 00:00 to Tuesday 00:00), so the label stops at the day before.
 */
export function formatPeriod(start: unknown, end: unknown, zone: string, tr: Pick<Translator, 'formatLocale'> = mailTranslator()): string {
  const timeZone = safeTimeZone(zone);
  const from = toDate(start);
  const until = toDate(end);
  if (from === null || until === null) return [formatDateTime(start, timeZone, tr), formatDateTime(end, timeZone, tr)].filter(Boolean).join(' – ');
  let to = DateTime.fromJSDate(until).setZone(timeZone);
  if (to.toMillis() > from.getTime() && to.equals(to.startOf('day'))) to = to.minus({ milliseconds: 1 });
  const last = to.toMillis() < from.getTime() ? from : to.toJSDate();
  const format = new Intl.DateTimeFormat(tr.formatLocale, { dateStyle: 'medium', timeZone });
  // Intl puts thin spaces around the dash; plain ones read the same and survive subjects and text.
  return format.formatRange(from, last).replace(/[\u2009\u202f]/g, ' ');
}

/** A duration for people: `45 s`, `15 min`, `2 h 15 min`, `3 d 4 h` (`3 j 4 h` in French); null or negative → `n/a`. */
export function humaniseDuration(seconds: unknown, tr: Pick<Translator, 't'> = mailTranslator()): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return tr.t('mail:duration.none');
  if (seconds < 60) return tr.t('mail:duration.seconds', { n: Math.round(seconds) });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return tr.t('mail:duration.minutes', { n: minutes });
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d > 0) return h > 0 ? tr.t('mail:duration.daysHours', { d, h }) : tr.t('mail:duration.days', { d });
  return m > 0 ? tr.t('mail:duration.hoursMinutes', { h, m }) : tr.t('mail:duration.hours', { h });
}

const CLOCK_KEYS: Record<string, string> = {
  firstResponse: 'mail:clock.firstResponse',
  first_response: 'mail:clock.firstResponse',
  nextResponse: 'mail:clock.nextResponse',
  next_response: 'mail:clock.nextResponse',
  resolution: 'mail:clock.resolution',
};

/** The words for an SLA clock code (`firstResponse` → `first response` / `première réponse`); unknown codes pass through. */
export function clockName(clock: unknown, tr: Pick<Translator, 't'> = mailTranslator()): string {
  if (typeof clock !== 'string') return '';
  const key = CLOCK_KEYS[clock];
  return key ? tr.t(key) : clock;
}
