import { DateTime, Interval } from 'luxon';

/** The colour used when an inbox sets none, or sets one that is not `#rgb`/`#rrggbb`. */
export const DEFAULT_PRIMARY_COLOR = '#2563eb';

const LOCALE = 'en-GB';
const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

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

/** The link to ticket `number` under `base` (`https://desk/tickets` → `https://desk/tickets/123`), or null. */
export function ticketLink(base: unknown, number: unknown): string | null {
  const root = httpUrl(base);
  if (root === null || (typeof number !== 'number' && typeof number !== 'string') || String(number) === '') return null;
  return `${root.replace(/\/+$/, '')}/${encodeURIComponent(String(number))}`;
}

/** A string that is not blank, trimmed; otherwise null. */
export function nonBlank(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A valid IANA zone name, or `UTC`. */
export function safeTimeZone(value: unknown): string {
  return typeof value === 'string' && value !== '' && DateTime.now().setZone(value).isValid ? value : 'UTC';
}

/** Date, ISO string or epoch milliseconds as a luxon DateTime in `zone`; null when unreadable. */
export function toDateTime(value: unknown, zone: string): DateTime | null {
  let dt: DateTime | null = null;
  if (value instanceof Date) dt = DateTime.fromJSDate(value);
  else if (typeof value === 'string') dt = DateTime.fromISO(value, { setZone: false });
  else if (typeof value === 'number') dt = DateTime.fromMillis(value);
  return dt?.isValid ? dt.setZone(safeTimeZone(zone)).setLocale(LOCALE) : null;
}

/** `Tue 3 Mar 2026, 14:05` in the given zone; unreadable values come back as given. */
export function formatDateTime(value: unknown, zone: string): string {
  const dt = toDateTime(value, zone);
  if (dt === null) return value == null ? '' : String(value);
  return dt.toFormat('ccc d LLL yyyy, HH:mm');
}

/**
 * The days a period covers, e.g. `2–8 Mar 2026`. An end at local midnight is exclusive (a digest for
 * Monday runs Monday 00:00 to Tuesday 00:00), so the label stops at the day before.
 */
export function formatPeriod(start: unknown, end: unknown, zone: string): string {
  const from = toDateTime(start, zone);
  let to = toDateTime(end, zone);
  if (from === null || to === null) return [formatDateTime(start, zone), formatDateTime(end, zone)].filter(Boolean).join(' – ');
  if (to > from && to.equals(to.startOf('day'))) to = to.minus({ milliseconds: 1 });
  if (to < from) to = from;
  // Intl puts thin spaces around the dash; plain ones read the same and survive subjects and text.
  return Interval.fromDateTimes(from, to).toLocaleString(DateTime.DATE_MED, { locale: LOCALE }).replace(/[\u2009\u202f]/g, ' ');
}

/** A duration for people: `45 s`, `15 min`, `2 h 15 min`, `3 d 4 h`; null or negative → `n/a`. */
export function humaniseDuration(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return 'n/a';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const [d, h, m] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60), minutes % 60];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}

const CLOCK_NAMES: Record<string, string> = {
  firstResponse: 'first response',
  first_response: 'first response',
  nextResponse: 'next response',
  next_response: 'next response',
  resolution: 'resolution',
};

/** The words for an SLA clock code (`firstResponse` → `first response`); unknown codes pass through. */
export function clockName(clock: unknown): string {
  if (typeof clock !== 'string') return '';
  return CLOCK_NAMES[clock] ?? clock;
}
