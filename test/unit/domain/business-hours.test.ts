import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addBusinessSeconds,
  businessSecondsBetween,
  isWithinBusinessHours,
  validateBusinessHours,
  type BusinessHours,
  type Weekday,
} from '../../../src/domain/business-hours.js';
import { seededRandom } from '../../helpers/random.js';

const H = 3600;
const at = (iso: string) => new Date(iso);
const add = (iso: string, seconds: number, hours: BusinessHours | null) => addBusinessSeconds(at(iso), seconds, hours).toISOString();
const between = (from: string, to: string, hours: BusinessHours | null) => businessSecondsBetween(at(from), at(to), hours);
const within = (iso: string, hours: BusinessHours | null) => isWithinBusinessHours(at(iso), hours);

const WORKDAYS: Weekday[] = [1, 2, 3, 4, 5];
const schedule = (timeZone: string, intervals: Array<[string, string]>, days: Weekday[] = WORKDAYS, holidays: string[] = []): BusinessHours => ({
  timeZone,
  weekly: days.flatMap((day) => intervals.map(([open, close]) => ({ day, open, close }))),
  holidays,
});
const berlin = schedule('Europe/Berlin', [['09:00', '17:00']]);
const newYork = schedule('America/New_York', [['09:00', '17:00']]);
const lunch = schedule('Europe/Berlin', [['09:00', '12:00'], ['13:00', '17:00']]);
const christmas = schedule('Europe/Berlin', [['09:00', '17:00']], WORKDAYS, ['2026-12-24', '2026-12-25', '2026-12-26']);
const berlinNights = schedule('Europe/Berlin', [['01:00', '03:00']], [0]);
const newYorkNights = schedule('America/New_York', [['01:00', '03:00']], [0]);
const berlinGap = schedule('Europe/Berlin', [['02:30', '04:00']], [0]);
const allWeek = (timeZone: string) => schedule(timeZone, [['00:00', '24:00']], [0, 1, 2, 3, 4, 5, 6]);

describe('addBusinessSeconds — Mon–Fri 09:00–17:00 in Europe/Berlin (CET = UTC+1 in November)', () => {
  it.each([
    ['crosses the weekend: Fri 16:00 + 2h → Mon 10:00', '2026-11-20T15:00:00Z', 2 * H, '2026-11-23T09:00:00.000Z'],
    ['starts inside: Wed 10:00 + 3h → Wed 13:00', '2026-11-18T09:00:00Z', 3 * H, '2026-11-18T12:00:00.000Z'],
    ['starts before opening: Wed 07:30 + 1h → Wed 10:00', '2026-11-18T06:30:00Z', H, '2026-11-18T09:00:00.000Z'],
    ['starts at opening: Wed 09:00 + 8h ends at the closing, Wed 17:00', '2026-11-18T08:00:00Z', 8 * H, '2026-11-18T16:00:00.000Z'],
    ['starts at closing: Wed 17:00 + 1s → Thu 09:00:01', '2026-11-18T16:00:00Z', 1, '2026-11-19T08:00:01.000Z'],
    ['starts after closing: Wed 20:00 + 1h → Thu 10:00', '2026-11-18T19:00:00Z', H, '2026-11-19T09:00:00.000Z'],
    ['starts on Saturday: Sat 12:00 + 1h → Mon 10:00', '2026-11-21T11:00:00Z', H, '2026-11-23T09:00:00.000Z'],
    ['counts seconds: Wed 16:59:58 + 5s → Thu 09:00:03', '2026-11-18T15:59:58Z', 5, '2026-11-19T08:00:03.000Z'],
    ['a full week from Monday opening ends at Friday closing', '2026-11-16T08:00:00Z', 40 * H, '2026-11-20T16:00:00.000Z'],
    ['a week and a second from Monday opening → next Monday 09:00:01', '2026-11-16T08:00:00Z', 40 * H + 1, '2026-11-23T08:00:01.000Z'],
    ['keeps milliseconds of the start', '2026-11-18T09:00:00.250Z', 10, '2026-11-18T09:00:10.250Z'],
  ])('%s', (_name, start, seconds, expected) => {
    expect(add(start, seconds, berlin)).toBe(expected);
  });

  it('returns the start itself for zero seconds, even outside the hours', () => {
    expect(add('2026-11-21T11:00:00Z', 0, berlin)).toBe('2026-11-21T11:00:00.000Z');
  });

  it('skips holidays: Wed 23 Dec 16:00 + 2h → Mon 28 Dec 10:00 (24–26 Dec closed)', () => {
    expect(add('2026-12-23T15:00:00Z', 2 * H, christmas)).toBe('2026-12-28T09:00:00.000Z');
    expect(add('2026-12-23T15:00:00Z', 2 * H, berlin)).toBe('2026-12-24T09:00:00.000Z');
    expect(between('2026-12-21T00:00:00Z', '2027-01-01T00:00:00Z', christmas)).toBe(7 * 8 * H);
  });

  it('handles a lunch break (two intervals a day)', () => {
    expect(add('2026-11-18T10:00:00Z', 2 * H, lunch)).toBe('2026-11-18T13:00:00.000Z');
    expect(add('2026-11-18T11:30:00Z', 30 * 60, lunch)).toBe('2026-11-18T12:30:00.000Z');
    expect(add('2026-11-18T10:00:00Z', H, lunch)).toBe('2026-11-18T11:00:00.000Z');
    expect(add('2026-11-18T15:00:00Z', 2 * H, lunch)).toBe('2026-11-19T09:00:00.000Z');
    expect(between('2026-11-18T00:00:00Z', '2026-11-19T00:00:00Z', lunch)).toBe(7 * H);
  });

  it("treats '24:00' as the end of the day, running on into an interval opening at 00:00", () => {
    const lateShift: BusinessHours = {
      timeZone: 'Europe/Berlin',
      weekly: [{ day: 5, open: '18:00', close: '24:00' }, { day: 6, open: '00:00', close: '02:00' }],
      holidays: [],
    };
    expect(add('2026-11-20T22:00:00Z', 2 * H, lateShift)).toBe('2026-11-21T00:00:00.000Z');
    expect(add('2026-11-20T22:00:00Z', H, lateShift)).toBe('2026-11-20T23:00:00.000Z');
    expect(add('2026-11-20T22:00:00Z', 3 * H + 1, lateShift)).toBe('2026-11-27T17:00:01.000Z');
    expect(within('2026-11-20T22:59:59Z', lateShift)).toBe(true);
    expect(within('2026-11-20T23:00:00Z', lateShift)).toBe(true);
    expect(within('2026-11-21T01:00:00Z', lateShift)).toBe(false);
  });

  it('computes a 30-day target across months, DST and holidays exactly', () => {
    // 720 business hours = 90 eight-hour days = 18 full weeks from Monday 5 Jan 09:00 CET → Friday 8 May 17:00 CEST.
    expect(add('2026-01-05T08:00:00Z', 30 * 24 * H, berlin)).toBe('2026-05-08T15:00:00.000Z');
    // Good Friday, Easter Monday and 1 May push it three working days on, to Wednesday 13 May.
    const easter = { ...berlin, holidays: ['2026-04-03', '2026-04-06', '2026-05-01'] };
    expect(add('2026-01-05T08:00:00Z', 30 * 24 * H, easter)).toBe('2026-05-13T15:00:00.000Z');
    expect(add('2026-01-05T08:00:00Z', 30 * 24 * H, null)).toBe('2026-02-04T08:00:00.000Z');
    expect(between('2026-01-05T08:00:00Z', '2026-05-08T15:00:00Z', berlin)).toBe(30 * 24 * H);
  });

  it('rejects a negative or non-finite amount and a schedule without open time', () => {
    expect(() => addBusinessSeconds(at('2026-11-18T09:00:00Z'), -1, berlin)).toThrow(RangeError);
    expect(() => addBusinessSeconds(at('2026-11-18T09:00:00Z'), Number.NaN, null)).toThrow(RangeError);
    const closed: BusinessHours = { timeZone: 'Europe/Berlin', weekly: [], holidays: [] };
    expect(() => addBusinessSeconds(at('2026-11-18T09:00:00Z'), 1, closed)).toThrow(/no open time/);
    expect(businessSecondsBetween(at('2026-11-18T09:00:00Z'), at('2026-12-18T09:00:00Z'), closed)).toBe(0);
    expect(isWithinBusinessHours(at('2026-11-18T09:00:00Z'), closed)).toBe(false);
  });
});

describe('null hours (24/7)', () => {
  it('adds plain time', () => {
    expect(add('2026-03-28T12:00:00Z', 5, null)).toBe('2026-03-28T12:00:05.000Z');
    expect(add('2026-03-28T12:00:00Z', 36 * H, null)).toBe('2026-03-30T00:00:00.000Z');
    expect(between('2026-03-28T12:00:00Z', '2026-03-30T00:00:00Z', null)).toBe(36 * H);
    expect(within('2026-03-29T01:30:00Z', null)).toBe(true);
  });

  it('equals a schedule open all day every day, in any zone, across DST', () => {
    for (const zone of ['Europe/Berlin', 'America/New_York']) {
      expect(add('2026-03-07T12:00:00Z', 3 * 24 * H, allWeek(zone))).toBe('2026-03-10T12:00:00.000Z');
      expect(add('2026-10-24T12:00:00Z', 30 * 24 * H, allWeek(zone))).toBe('2026-11-23T12:00:00.000Z');
      expect(between('2026-03-27T23:00:00Z', '2026-03-29T22:00:00Z', allWeek(zone))).toBe(47 * H);
    }
  });
});

describe('DST transitions', () => {
  it('Europe/Berlin spring forward (29 Mar 2026, 02:00 CET → 03:00 CEST)', () => {
    expect(add('2026-03-27T15:00:00Z', 2 * H, berlin)).toBe('2026-03-30T08:00:00.000Z');
    expect(between('2026-03-27T15:00:00Z', '2026-03-30T08:00:00Z', berlin)).toBe(2 * H);
    // Sunday 01:00–03:00 is one hour long that night.
    expect(between('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', berlinNights)).toBe(H);
    expect(add('2026-03-28T12:00:00Z', H, berlinNights)).toBe('2026-03-29T01:00:00.000Z');
    expect(add('2026-03-28T12:00:00Z', 90 * 60, berlinNights)).toBe('2026-04-04T23:30:00.000Z');
    expect(within('2026-03-29T00:59:59Z', berlinNights)).toBe(true);
    expect(within('2026-03-29T01:00:00Z', berlinNights)).toBe(false);
  });

  it('Europe/Berlin fall back (25 Oct 2026, 03:00 CEST → 02:00 CET)', () => {
    expect(add('2026-10-23T14:00:00Z', 2 * H, berlin)).toBe('2026-10-26T09:00:00.000Z');
    // Sunday 01:00–03:00 is three hours long that night; 02:00 CET (second pass) is 01:00Z.
    expect(between('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', berlinNights)).toBe(3 * H);
    expect(add('2026-10-24T12:00:00Z', 2 * H, berlinNights)).toBe('2026-10-25T01:00:00.000Z');
    expect(add('2026-10-24T12:00:00Z', 3 * H, berlinNights)).toBe('2026-10-25T02:00:00.000Z');
    expect(within('2026-10-25T01:30:00Z', berlinNights)).toBe(true);
    expect(within('2026-10-25T02:00:00Z', berlinNights)).toBe(false);
  });

  it('a skipped opening time takes effect at the jump; a repeated one means its first occurrence', () => {
    // 02:30 does not exist on 29 Mar: Sunday 02:30–04:00 runs 03:00–04:00 CEST (01:00Z–02:00Z).
    expect(between('2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', berlinGap)).toBe(H);
    expect(within('2026-03-29T00:59:59Z', berlinGap)).toBe(false);
    expect(within('2026-03-29T01:00:00Z', berlinGap)).toBe(true);
    expect(add('2026-03-28T12:00:00Z', 1, berlinGap)).toBe('2026-03-29T01:00:01.000Z');
    // 02:30 happens twice on 25 Oct: the interval runs from 02:30 CEST (00:30Z) to 04:00 CET (03:00Z).
    expect(between('2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', berlinGap)).toBe(2.5 * H);
    expect(add('2026-10-24T12:00:00Z', 1, berlinGap)).toBe('2026-10-25T00:30:01.000Z');
  });

  it('America/New_York spring forward (8 Mar 2026, 02:00 EST → 03:00 EDT)', () => {
    expect(add('2026-03-06T21:00:00Z', 2 * H, newYork)).toBe('2026-03-09T14:00:00.000Z');
    expect(between('2026-03-07T12:00:00Z', '2026-03-08T12:00:00Z', newYorkNights)).toBe(H);
    expect(add('2026-03-07T12:00:00Z', 30 * 60, newYorkNights)).toBe('2026-03-08T06:30:00.000Z');
    expect(add('2026-03-07T12:00:00Z', H, newYorkNights)).toBe('2026-03-08T07:00:00.000Z');
    expect(add('2026-03-07T12:00:00Z', 2 * H, newYorkNights)).toBe('2026-03-15T06:00:00.000Z');
  });

  it('America/New_York fall back (1 Nov 2026, 02:00 EDT → 01:00 EST)', () => {
    expect(add('2026-10-30T20:00:00Z', 2 * H, newYork)).toBe('2026-11-02T15:00:00.000Z');
    // 01:00 EDT = 05:00Z to 03:00 EST = 08:00Z.
    expect(between('2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z', newYorkNights)).toBe(3 * H);
    expect(add('2026-10-31T12:00:00Z', 150 * 60, newYorkNights)).toBe('2026-11-01T07:30:00.000Z');
    expect(within('2026-11-01T06:30:00Z', newYorkNights)).toBe(true);
    expect(within('2026-11-01T04:59:59Z', newYorkNights)).toBe(false);
  });
});

describe('isWithinBusinessHours', () => {
  it.each([
    ['2026-11-18T08:00:00Z', true, 'at the opening'],
    ['2026-11-18T07:59:59Z', false, 'a second before the opening'],
    ['2026-11-18T15:59:59Z', true, 'a second before the closing'],
    ['2026-11-18T16:00:00Z', false, 'at the closing'],
    ['2026-11-21T10:00:00Z', false, 'on Saturday'],
  ])('%s → %s (%s)', (iso, expected) => {
    expect(within(iso, berlin)).toBe(expected);
  });

  it('is false on holidays and in the lunch break', () => {
    expect(within('2026-12-24T10:00:00Z', christmas)).toBe(false);
    expect(within('2026-12-24T10:00:00Z', berlin)).toBe(true);
    expect(within('2026-11-18T11:30:00Z', lunch)).toBe(false);
    expect(within('2026-11-18T12:00:00Z', lunch)).toBe(true);
  });
});

/** An independent oracle: is the wall clock at `t` inside the schedule? (Schedules here have no boundary inside a repeated hour.) */
function oracleWithin(t: number, hours: BusinessHours): boolean {
  const local = DateTime.fromMillis(t, { zone: hours.timeZone });
  if (hours.holidays.includes(local.toISODate() ?? '')) return false;
  const minutes = local.hour * 60 + local.minute;
  const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return hours.weekly.some((w) => w.day === local.weekday % 7 && toMin(w.open) <= minutes && minutes < toMin(w.close));
}

describe('properties', () => {
  const schedules: Array<[string, BusinessHours]> = [
    ['berlin', berlin],
    ['lunch + holidays', { ...lunch, holidays: ['2026-03-30', '2026-10-26', '2026-12-24', '2026-12-25'] }],
    ['new york', newYork],
    ['berlin nights', berlinNights],
    ['new york nights', newYorkNights],
    ['late shift', schedule('America/New_York', [['00:00', '02:00'], ['20:00', '24:00']], [0, 2, 4, 6])],
  ];
  const yearStart = Date.parse('2026-01-01T00:00:00Z');
  const yearMs = 365 * 86_400_000;

  it.each(schedules)('businessSecondsBetween inverts addBusinessSeconds on 500 random cases (%s)', (_name, hours) => {
    const random = seededRandom(0x5eed + _name.length);
    for (let i = 0; i < 500; i++) {
      const from = new Date(yearStart + Math.floor(random() * yearMs / 1000) * 1000);
      const seconds = Math.floor(random() * (random() < 0.5 ? 10 * H : 400 * H));
      const due = addBusinessSeconds(from, seconds, hours);
      expect(businessSecondsBetween(from, due, hours)).toBe(seconds);
      if (seconds > 0) expect(businessSecondsBetween(from, new Date(due.getTime() - 1000), hours)).toBe(seconds - 1);

      const to = new Date(from.getTime() + Math.floor(random() * 60 * 86_400) * 1000);
      const spent = businessSecondsBetween(from, to, hours);
      const back = addBusinessSeconds(from, spent, hours);
      expect(back.getTime()).toBeLessThanOrEqual(to.getTime());
      expect(businessSecondsBetween(back, to, hours)).toBe(0);
      if (isWithinBusinessHours(to, hours)) expect(back.toISOString()).toBe(to.toISOString());
      const mid = new Date(from.getTime() + Math.floor((to.getTime() - from.getTime()) / 2000) * 1000);
      expect(businessSecondsBetween(from, mid, hours) + businessSecondsBetween(mid, to, hours)).toBe(spent);
    }
  });

  it.each([
    ['berlin nights, spring', berlinNights, '2026-03-27T00:00:00Z'],
    ['berlin nights, fall', berlinNights, '2026-10-23T00:00:00Z'],
    ['new york nights, spring', newYorkNights, '2026-03-06T00:00:00Z'],
    ['new york nights, fall', newYorkNights, '2026-10-30T00:00:00Z'],
    ['berlin weekdays, spring', berlin, '2026-03-26T00:00:00Z'],
    ['lunch, christmas', { ...lunch, holidays: ['2026-12-24'] }, '2026-12-22T00:00:00Z'],
  ] as Array<[string, BusinessHours, string]>)('agrees minute by minute with a wall-clock oracle (%s)', (_name, hours, startIso) => {
    const start = Date.parse(startIso);
    let open = 0;
    for (let t = start; t < start + 4 * 86_400_000; t += 60_000) {
      const inside = oracleWithin(t, hours);
      if (t % (5 * 60_000) === 0) expect({ t: new Date(t).toISOString(), inside: isWithinBusinessHours(new Date(t), hours) }).toEqual({ t: new Date(t).toISOString(), inside });
      if (inside) open += 60;
      if (t % (60 * 60_000) === 0) expect(businessSecondsBetween(new Date(start), new Date(t + 60_000), hours)).toBe(open);
    }
  });
});

describe('validateBusinessHours', () => {
  const valid = { timeZone: 'Europe/Berlin', weekly: [{ day: 2, open: '13:00', close: '17:00' }, { day: 1, open: '09:00', close: '24:00' }, { day: 2, open: '09:00', close: '12:00' }], holidays: ['2026-12-25', '2026-12-24'] };
  const issuesOf = (input: unknown) => {
    const result = validateBusinessHours(input);
    return result.ok ? [] : result.issues;
  };
  const withWeekly = (...weekly: unknown[]) => ({ ...valid, weekly });

  it('accepts a valid schedule and returns a sorted copy', () => {
    expect(validateBusinessHours(valid)).toEqual({
      ok: true,
      value: {
        timeZone: 'Europe/Berlin',
        weekly: [{ day: 1, open: '09:00', close: '24:00' }, { day: 2, open: '09:00', close: '12:00' }, { day: 2, open: '13:00', close: '17:00' }],
        holidays: ['2026-12-24', '2026-12-25'],
      },
    });
  });

  it.each([
    ['not an object', 'nope', '', 'must be an object'],
    ['an unknown zone', { ...valid, timeZone: 'Europe/Berln' }, 'timeZone', 'IANA'],
    ['a missing zone', { weekly: valid.weekly, holidays: [] }, 'timeZone', 'is required'],
    ['an unknown field', { ...valid, tz: 'x' }, 'tz', 'is not a known field'],
    ['a malformed opening', withWeekly({ day: 1, open: '9:00', close: '17:00' }), 'weekly.0.open', 'HH:MM'],
    ['an opening at 24:00', withWeekly({ day: 1, open: '24:00', close: '24:00' }), 'weekly.0.open', 'HH:MM'],
    ['a closing at 24:30', withWeekly({ day: 1, open: '09:00', close: '24:30' }), 'weekly.0.close', 'HH:MM'],
    ['minutes past 59', withWeekly({ day: 1, open: '09:60', close: '17:00' }), 'weekly.0.open', 'HH:MM'],
    ['closing before opening', withWeekly({ day: 1, open: '17:00', close: '09:00' }), 'weekly.0.close', 'later than open'],
    ['an empty interval', withWeekly({ day: 1, open: '09:00', close: '09:00' }), 'weekly.0.close', 'later than open'],
    ['day 7', withWeekly({ day: 7, open: '09:00', close: '17:00' }), 'weekly.0.day', '0 (Sunday)'],
    ['overlapping intervals', withWeekly({ day: 3, open: '09:00', close: '12:00' }, { day: 3, open: '14:00', close: '18:00' }, { day: 3, open: '11:00', close: '13:00' }), 'weekly.2', 'overlaps weekly.0'],
    ['no open time', withWeekly(), 'weekly', 'at least one open interval'],
    ['weekly not an array', { ...valid, weekly: {} }, 'weekly', 'must be an array'],
    ['an impossible holiday', { ...valid, holidays: ['2026-12-24', '2026-02-30'] }, 'holidays.1', 'YYYY-MM-DD'],
    ['a holiday that is not a date', { ...valid, holidays: [20261224] }, 'holidays.0', 'YYYY-MM-DD'],
  ])('names the path for %s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it('accepts touching intervals and 29 February of a leap year', () => {
    expect(validateBusinessHours({ ...withWeekly({ day: 3, open: '09:00', close: '12:00' }, { day: 3, open: '12:00', close: '18:00' }), holidays: ['2028-02-29'] }).ok).toBe(true);
    expect(issuesOf({ ...valid, holidays: ['2027-02-29'] })).toEqual([{ path: 'holidays.0', message: 'must be a date "YYYY-MM-DD"' }]);
  });
});
