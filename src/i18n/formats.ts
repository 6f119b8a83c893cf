/** Dates and times as a user reads them: in their language and their time zone. */
export interface Formats {
  readonly timeZone: string;
  /** `6 déc. 2026, 14:05` / `Dec 6, 2026, 2:05 PM`. */
  dateTime(date: Date): string;
  /** `6 déc. 2026` / `Dec 6, 2026`. */
  date(date: Date): string;
  /** `il y a 5 min` / `5 min. ago`, `dans 3 h` / `in 3 hr.`: for how long ago or how soon. */
  relative(date: Date, now: Date): string;
  /** A whole number with the language's grouping (`12 345` / `12,345`). */
  number(value: number): string;
}

const cache = new Map<string, Formats>();

/** The formats of one language and time zone (cached: building Intl formatters is not free). */
export function formatsFor(locale: string, timeZone: string): Formats {
  const cacheKey = `${locale}|${timeZone}`;
  let found = cache.get(cacheKey);
  if (found) return found;
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  found = {
    timeZone,
    dateTime: (d) => dateTime.format(d),
    date: (d) => date.format(d),
    relative(d, now) {
      const seconds = (d.getTime() - now.getTime()) / 1000;
      const abs = Math.abs(seconds);
      if (abs < 60) return relative.format(0, 'minute');
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
      if (abs < 86_400 * 2) return relative.format(Math.round(seconds / 3600), 'hour');
      return relative.format(Math.round(seconds / 86_400), 'day');
    },
    number: (n) => number.format(n),
  };
  // Bounded: locales × the zones users chose.
  if (cache.size > 2000) cache.clear();
  cache.set(cacheKey, found);
  return found;
}
