import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY, validateSlaPolicy, type SlaPolicy } from '../../../src/domain/sla.js';
import { cronFromPicker, pickerFromCron } from '../../../src/web/pages/digest-form.js';
import { formatDuration, formToPolicy, parseDuration, policyToForm } from '../../../src/web/pages/sla-form.js';

describe('SLA form durations', () => {
  it('writes seconds the way people type them, and reads them back', () => {
    for (const [seconds, text] of [[1800, '30m'], [3600, '1h'], [5400, '1h30m'], [86_400, '1d'], [90_061, '1d1h1m1s'], [45, '45s']] as const) {
      expect(formatDuration(seconds)).toBe(text);
      expect(parseDuration(text)).toBe(seconds);
    }
    expect(formatDuration(null)).toBe('');
    expect(parseDuration('')).toBeNull();
    expect(parseDuration(' 90 ')).toBe(5400);
    expect(parseDuration('2 H 15 min')).toBe(8100);
    expect(parseDuration('soon')).toBeNaN();
    expect(parseDuration('1.5h')).toBeNaN();
  });
});

describe('SLA form', () => {
  const policy: SlaPolicy = {
    ...DEFAULT_SLA_POLICY,
    targets: { ...DEFAULT_SLA_POLICY.targets, low: { firstResponseSeconds: null, nextResponseSeconds: 5400, resolutionSeconds: 432_000 } },
    reminderAtFraction: 0.9,
    businessHours: {
      timeZone: 'America/New_York',
      weekly: [
        { day: 1, open: '08:00', close: '12:00' },
        { day: 1, open: '13:00', close: '17:30' },
        { day: 6, open: '10:00', close: '24:00' },
      ],
      holidays: ['2026-07-04'],
    },
    ladder: [
      { level: 1, name: 'Lead', userIds: ['a'.repeat(24)], afterSeconds: 0 },
      { level: 2, name: 'Head of support', userIds: ['b'.repeat(24), 'c'.repeat(24)], afterSeconds: 7200 },
    ],
  };

  it('turns a policy into form fields and back without losing anything', () => {
    const { input, errors } = formToPolicy(policyToForm(policy));
    expect(errors).toEqual([]);
    const checked = validateSlaPolicy(input);
    expect(checked).toEqual({ ok: true, value: policy });
  });

  it('keeps 24/7 when business hours are off, and the default policy unchanged', () => {
    const { input } = formToPolicy(policyToForm(DEFAULT_SLA_POLICY));
    expect(validateSlaPolicy(input)).toEqual({ ok: true, value: DEFAULT_SLA_POLICY });
  });

  it('keeps the typed calendar when business hours are off and shows it again, unticked', () => {
    const { bh_on: _on, ...off } = policyToForm(policy);
    const { input, errors } = formToPolicy(off);
    expect(errors).toEqual([]);
    expect(input).toMatchObject({ businessHours: null, keptBusinessHours: policy.businessHours });
    const checked = validateSlaPolicy(input);
    expect(checked.ok && policyToForm(checked.value)).toEqual(off);
  });

  it('switches business hours off even when the typed calendar does not read or validate, keeping nothing', () => {
    const { bh_on: _on, ...off } = policyToForm(policy);
    for (const body of [{ ...off, bh_day_3: '9-5' }, { ...off, bh_tz: 'Mars/Olympus' }, { ...off, bh_holidays: '2026-02-30' }]) {
      const { input, errors } = formToPolicy(body);
      expect(errors).toEqual([]);
      expect(input).toMatchObject({ businessHours: null, keptBusinessHours: null });
    }
  });

  it('drops cleared ladder rows and numbers the rest from 1', () => {
    const body = { ...policyToForm(policy), l0_name: '', l0_after: '', l0_users: [] };
    const { input } = formToPolicy(body);
    expect(input.ladder).toEqual([{ level: 1, name: 'Head of support', userIds: ['b'.repeat(24), 'c'.repeat(24)], afterSeconds: 7200 }]);
  });

  it('maps the use case\'s issue paths back to the inputs they came from', () => {
    const body = { ...policyToForm(policy), l0_name: '', l0_after: '', l0_users: [] };
    const { fieldOf } = formToPolicy(body);
    // Ladder entry 0 is form row 1 now; weekly entry 2 is Saturday.
    expect(fieldOf({ path: 'ladder.0.name', message: 'x' }).field).toBe('l1_name');
    expect(fieldOf({ path: 'businessHours.weekly.2.close', message: 'x' }).field).toBe('bh_day_6');
    expect(fieldOf({ path: 'targets.low.nextResponseSeconds', message: 'x' }).field).toBe('t_low_next');
    expect(fieldOf({ path: 'businessHours.holidays.0', message: 'x' }).field).toBe('bh_holidays');
    expect(fieldOf({ path: 'ladder', message: 'names a user that does not exist' }).field).toBe('ladder');
  });

  it('reports unreadable durations, hours and percentages against their inputs', () => {
    const { errors } = formToPolicy({ ...policyToForm(policy), t_high_next: 'later', bh_day_3: '9-5', reminder: '100' });
    expect(errors.map((e) => e.field)).toEqual(['t_high_next', 'reminder', 'bh_day_3']);
  });
});

describe('digest schedule picker', () => {
  it('writes weekdays and a time as cron, with ranges for runs of days', () => {
    expect(cronFromPicker({ days: [1, 2, 3, 4, 5], time: '08:00' })).toBe('0 8 * * 1-5');
    expect(cronFromPicker({ days: [5, 1, 3], time: '7:30' })).toBe('30 7 * * 1,3,5');
    expect(cronFromPicker({ days: [0, 1, 2, 3, 4, 5, 6], time: '23:59' })).toBe('59 23 * * *');
    expect(cronFromPicker({ days: [0, 1, 2, 4], time: '06:05' })).toBe('5 6 * * 0-2,4');
    expect(cronFromPicker({ days: [], time: '08:00' })).toBeNull();
    expect(cronFromPicker({ days: [1], time: '24:00' })).toBeNull();
  });

  it('reads simple cron back into the picker, and leaves anything else as cron', () => {
    expect(pickerFromCron('0 8 * * 1-5')).toEqual({ days: [1, 2, 3, 4, 5], time: '08:00' });
    expect(pickerFromCron('30 7 * * 1,3,7')).toEqual({ days: [0, 1, 3], time: '07:30' });
    expect(pickerFromCron('0 9 * * *')).toEqual({ days: [0, 1, 2, 3, 4, 5, 6], time: '09:00' });
    expect(pickerFromCron('*/15 8 * * 1-5')).toBeNull();
    expect(pickerFromCron('0 8 1 * *')).toBeNull();
    expect(pickerFromCron('0 8 * * 5-1')).toBeNull();
  });
});
