import { IANAZone } from 'luxon';

/** Weekday of an opening interval: 0 = Sunday … 6 = Saturday. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * When a team works: a weekly schedule in local wall-clock time of `timeZone`, minus whole-day
 * `holidays` ('YYYY-MM-DD' local dates). Intervals are half-open [open, close); `close` may be '24:00'.
 * A local time the clocks skip (spring forward) takes effect at the jump; a local time that happens twice
 * (fall back) means its first occurrence. `null` hours everywhere mean 24/7.
 */
export interface BusinessHours {
  timeZone: string;
  weekly: Array<{ day: Weekday; open: string; close: string }>;
  holidays: string[];
}

/** One problem with an input, by dotted path (`''` for the input as a whole). */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The outcome of validating untrusted input: a clean copy, or every issue found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Minutes after local midnight for 'HH:MM' ('24:00' only when `allow24`), or null when malformed. */
function minutesOf(text: string, allow24: boolean): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return allow24 ? 1440 : null;
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Days since 1970-01-01 of a 'YYYY-MM-DD' date, or null when malformed or not a real date. */
function dayNumberOf(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  if (monthDays === undefined || d < 1 || d > monthDays) return null;
  return Date.UTC(y, mo - 1, d) / DAY;
}

/** Checks untrusted input against {@link BusinessHours}; a schedule without any open time is rejected. */
export function validateBusinessHours(input: unknown): ValidationResult<BusinessHours> {
  if (!isRecord(input)) return { ok: false, issues: [{ path: '', message: 'must be an object' }] };
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  for (const key of Object.keys(input)) if (!['timeZone', 'weekly', 'holidays'].includes(key)) issue(key, 'is not a known field');

  const { timeZone, weekly, holidays } = input;
  if (timeZone === undefined) issue('timeZone', 'is required');
  else if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) issue('timeZone', 'must be an IANA time zone such as "Europe/Berlin"');

  const byDay = new Map<number, Array<{ index: number; open: number; close: number }>>();
  if (weekly === undefined) issue('weekly', 'is required');
  else if (!Array.isArray(weekly)) issue('weekly', 'must be an array');
  else {
    weekly.forEach((entry: unknown, index) => {
      const at = `weekly.${index}`;
      if (!isRecord(entry)) return void issue(at, 'must be an object');
      for (const key of Object.keys(entry)) if (!['day', 'open', 'close'].includes(key)) issue(`${at}.${key}`, 'is not a known field');
      const { day } = entry;
      const dayOk = typeof day === 'number' && Number.isInteger(day) && day >= 0 && day <= 6;
      if (!dayOk) issue(`${at}.day`, 'must be an integer from 0 (Sunday) to 6 (Saturday)');
      const open = typeof entry.open === 'string' ? minutesOf(entry.open, false) : null;
      const close = typeof entry.close === 'string' ? minutesOf(entry.close, true) : null;
      if (open === null) issue(`${at}.open`, 'must be a time "HH:MM" from 00:00 to 23:59');
      if (close === null) issue(`${at}.close`, 'must be a time "HH:MM" from 00:01 to 24:00');
      if (open === null || close === null || !dayOk) return;
      if (open >= close) return void issue(`${at}.close`, 'must be later than open');
      byDay.set(day, [...(byDay.get(day) ?? []), { index, open, close }]);
    });
    for (const intervals of byDay.values()) {
      intervals.sort((a, b) => a.open - b.open);
      for (let i = 1; i < intervals.length; i++) {
        const prev = intervals[i - 1]!;
        const cur = intervals[i]!;
        if (cur.open < prev.close) issue(`weekly.${cur.index}`, `overlaps weekly.${prev.index} on the same day`);
      }
    }
    if (weekly.length === 0) issue('weekly', 'must have at least one open interval (use null business hours for 24/7)');
  }

  if (holidays === undefined) issue('holidays', 'is required');
  else if (!Array.isArray(holidays)) issue('holidays', 'must be an array');
  else {
    holidays.forEach((h: unknown, i) => {
      if (typeof h !== 'string' || dayNumberOf(h) === null) issue(`holidays.${i}`, 'must be a date "YYYY-MM-DD"');
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  const value = input as unknown as BusinessHours;
  return {
    ok: true,
    value: {
      timeZone: value.timeZone,
      weekly: value.weekly.map(({ day, open, close }) => ({ day, open, close })).sort((a, b) => a.day - b.day || a.open.localeCompare(b.open)),
      holidays: [...new Set(value.holidays)].sort(),
    },
  };
}

/** A schedule prepared for counting: intervals in minutes per weekday, holidays as day numbers. */
interface Calendar {
  zone: IANAZone;
  days: Array<Array<[number, number]>>;
  holidays: Set<number>;
  weekMs: number;
  /** Day number → instant of local midnight, memoised for one computation. */
  starts: Map<number, number>;
}

function compile(hours: BusinessHours): Calendar {
  const zone = IANAZone.create(hours.timeZone);
  if (!zone.isValid) throw new Error(`Business hours name an unknown time zone "${hours.timeZone}"`);
  const days = Array.from({ length: 7 }, () => [] as Array<[number, number]>);
  for (const { day, open, close } of hours.weekly) {
    const o = minutesOf(open, false);
    const c = minutesOf(close, true);
    if (o === null || c === null || !days[day]) throw new Error(`Business hours hold a malformed interval ${day} ${open}–${close}`);
    if (o < c) days[day].push([o, c]);
  }
  let weekMs = 0;
  for (const [i, list] of days.entries()) {
    list.sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [o, c] of list) {
      const last = merged.at(-1);
      if (last && o <= last[1]) last[1] = Math.max(last[1], c);
      else merged.push([o, c]);
    }
    days[i] = merged;
    weekMs += merged.reduce((sum, [o, c]) => sum + (c - o) * MINUTE, 0);
  }
  const holidays = new Set<number>();
  for (const h of hours.holidays) {
    const n = dayNumberOf(h);
    if (n === null) throw new Error(`Business hours hold a malformed holiday "${h}"`);
    holidays.add(n);
  }
  return { zone, days, holidays, weekMs, starts: new Map() };
}

const offsetAt = (zone: IANAZone, t: number) => Math.round(zone.offset(t) * MINUTE);

/**
 * The first instant whose wall clock reads `local` (ms of local time since the epoch); for a local time
 * the clocks skip, the instant they jump. Assumes at most one offset change within ±15 hours.
 */
function localToInstant(zone: IANAZone, local: number): number {
  const before = offsetAt(zone, local - 15 * HOUR);
  const after = offsetAt(zone, local + 15 * HOUR);
  if (before === after) return local - before;
  const fits = [local - before, local - after].filter((t, i) => offsetAt(zone, t) === (i === 0 ? before : after));
  if (fits.length > 0) return Math.min(...fits);
  let lo = local - after;
  let hi = local - before;
  while (hi - lo > SECOND) {
    const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
    if (offsetAt(zone, mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

function dayStart(cal: Calendar, day: number): number {
  let start = cal.starts.get(day);
  if (start === undefined) {
    start = localToInstant(cal.zone, day * DAY);
    cal.starts.set(day, start);
  }
  return start;
}

const wallDay = (cal: Calendar, t: number) => Math.floor((t + offsetAt(cal.zone, t)) / DAY);
const weekdayOf = (day: number) => ((((day + 4) % 7) + 7) % 7) as Weekday;

/** The open intervals of local day `day` as instants, given the instants of its midnight and the next. */
function dayIntervals(cal: Calendar, day: number, start: number, end: number): Array<[number, number]> {
  if (cal.holidays.has(day)) return [];
  const plain = end - start === DAY;
  const at = (m: number) => (m === 0 ? start : m === 1440 ? end : plain ? start + m * MINUTE : localToInstant(cal.zone, day * DAY + m * MINUTE));
  return cal.days[weekdayOf(day)]!.map(([o, c]) => [at(o), at(c)]);
}

/**
 * Walks the open intervals from the local day holding `from` until a day starts at or after `until`
 * or `visit` returns true. A week without holidays or offset changes is first offered whole to
 * `takeWeek` (its business time is then exactly `weekMs`), which is what keeps long spans cheap.
 */
function scan(cal: Calendar, from: number, until: number, takeWeek: (start: number, end: number) => boolean, visit: (a: number, b: number) => boolean): void {
  let day = wallDay(cal, from);
  let start = dayStart(cal, day);
  let offset = offsetAt(cal.zone, start);
  while (start < until) {
    // Same offset a week later is taken as no clock change in between (zones do not change twice within a week).
    const plain = offsetAt(cal.zone, start + WEEK) === offset;
    const end = plain ? start + WEEK : dayStart(cal, day + 7);
    if (!plain) offset = offsetAt(cal.zone, end);
    let free = plain;
    for (let k = 0; free && k < 7; k++) free = !cal.holidays.has(day + k);
    if (free && takeWeek(start, end)) {
      day += 7;
      start = end;
      continue;
    }
    for (let k = 0; k < 7; k++) {
      const s = plain ? start + k * DAY : dayStart(cal, day + k);
      if (s >= until) return;
      const e = plain ? s + DAY : dayStart(cal, day + k + 1);
      for (const [a, b] of dayIntervals(cal, day + k, s, e)) if (visit(a, b)) return;
    }
    day += 7;
    start = end;
  }
}

/**
 * The instant at which `seconds` of business time have elapsed after `start`: the earliest instant `t`
 * with `businessSecondsBetween(start, t) === seconds`. Counting from outside the hours begins at the
 * next opening; a count that runs out exactly at a closing returns the closing. Millisecond precision.
 * Throws when the hours have no open time at all (nothing would ever elapse).
 */
export function addBusinessSeconds(start: Date, seconds: number, hours: BusinessHours | null): Date {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`Business seconds must be a finite number ≥ 0, got ${seconds}`);
  const from = start.getTime();
  let remaining = Math.round(seconds * SECOND);
  if (hours === null || remaining === 0) return new Date(from + remaining);
  const cal = compile(hours);
  if (cal.weekMs === 0) throw new Error('Business hours have no open time, so no business time ever elapses');
  let result = from;
  scan(
    cal,
    from,
    Infinity,
    (weekStart) => {
      if (weekStart < from || remaining <= cal.weekMs) return false;
      remaining -= cal.weekMs;
      return true;
    },
    (a, b) => {
      const s = Math.max(a, from);
      if (b <= s) return false;
      if (remaining <= b - s) {
        result = s + remaining;
        return true;
      }
      remaining -= b - s;
      return false;
    },
  );
  return new Date(result);
}

/** Business time between two instants in seconds (fractional when they carry milliseconds); 0 if `to <= from`. */
export function businessSecondsBetween(from: Date, to: Date, hours: BusinessHours | null): number {
  const [a0, b0] = [from.getTime(), to.getTime()];
  if (b0 <= a0) return 0;
  if (hours === null) return (b0 - a0) / SECOND;
  const cal = compile(hours);
  let total = 0;
  scan(
    cal,
    a0,
    b0,
    (weekStart, weekEnd) => {
      if (weekStart < a0 || weekEnd > b0) return false;
      total += cal.weekMs;
      return true;
    },
    (a, b) => {
      total += Math.max(0, Math.min(b, b0) - Math.max(a, a0));
      return false;
    },
  );
  return total / SECOND;
}

/** Whether `at` falls inside the business hours (intervals are half-open: open at the opening, closed at the closing). */
export function isWithinBusinessHours(at: Date, hours: BusinessHours | null): boolean {
  if (hours === null) return true;
  const cal = compile(hours);
  const t = at.getTime();
  // After a fall-back across midnight the wall clock may still show yesterday; the next day is checked too.
  const first = wallDay(cal, t);
  for (const day of [first, first + 1]) {
    const start = dayStart(cal, day);
    if (t < start) break;
    if (dayIntervals(cal, day, start, dayStart(cal, day + 1)).some(([a, b]) => a <= t && t < b)) return true;
  }
  return false;
}
