import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../../src/domain/business-hours.js';
import {
  DEFAULT_SLA_POLICY,
  nextSlaEvent,
  pauseSla,
  resumeSla,
  slaBadge,
  slaClocks,
  slaDueTimes,
  slaPauseForStatusChange,
  validateSlaPolicy,
  type SlaClockInput,
  type SlaEvent,
  type SlaEventInput,
  type SlaPolicy,
} from '../../../src/domain/sla.js';

const H = 3600;
const at = (iso: string) => new Date(iso);
const plus = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);
const iso = (d: Date | null) => d?.toISOString() ?? null;

const berlinHours: BusinessHours = {
  timeZone: 'Europe/Berlin',
  weekly: ([1, 2, 3, 4, 5] as const).map((day) => ({ day, open: '09:00', close: '17:00' })),
  holidays: ['2026-12-24', '2026-12-25', '2026-12-26'],
};
const t0 = at('2026-11-21T10:00:00.000Z');
/** 24/7 policy with second-sized targets so the arithmetic is easy to follow. */
const fast: SlaPolicy = {
  ...DEFAULT_SLA_POLICY,
  targets: { ...DEFAULT_SLA_POLICY.targets, urgent: { firstResponseSeconds: 100, nextResponseSeconds: 200, resolutionSeconds: 1000 } },
  ladder: [
    { level: 1, name: 'team lead', userIds: ['u-lead'], afterSeconds: 60 },
    { level: 2, name: 'manager', userIds: ['u-manager'], afterSeconds: 120 },
  ],
};
const clock = (over: Partial<SlaClockInput> = {}): SlaClockInput => ({
  policy: fast,
  priority: 'urgent',
  level: null,
  status: 'open',
  createdAt: t0,
  firstRespondedAt: null,
  awaitingSince: null,
  pausedBusinessSeconds: 0,
  pausedAt: null,
  now: t0,
  ...over,
});
const events = (over: Partial<SlaEventInput> = {}): SlaEventInput => ({ ...clock(over), escalationLevel: 0, remindedFor: [], breachedFor: [], ...over });
const brief = (e: SlaEvent | null) => e && { kind: e.kind, clock: e.clock, at: e.at.toISOString(), key: e.key, ...(e.level === undefined ? {} : { level: e.level }) };

describe('DEFAULT_SLA_POLICY', () => {
  it('is valid, 24/7, reminds at 75% and has no ladder', () => {
    expect(validateSlaPolicy(DEFAULT_SLA_POLICY)).toEqual({ ok: true, value: DEFAULT_SLA_POLICY });
    expect(DEFAULT_SLA_POLICY.targets.urgent).toEqual({ firstResponseSeconds: H, nextResponseSeconds: 2 * H, resolutionSeconds: 8 * H });
    expect(DEFAULT_SLA_POLICY.targets.low).toEqual({ firstResponseSeconds: 24 * H, nextResponseSeconds: 48 * H, resolutionSeconds: 120 * H });
    expect(DEFAULT_SLA_POLICY).toMatchObject({ businessHours: null, reminderAtFraction: 0.75, ladder: [] });
  });
});

describe('validateSlaPolicy', () => {
  const issuesOf = (input: unknown) => {
    const result = validateSlaPolicy(input);
    return result.ok ? [] : result.issues;
  };
  const withTargets = (priority: string, targets: unknown) => ({ targets: { ...DEFAULT_SLA_POLICY.targets, [priority]: targets } });

  it('fills defaults and copies the input', () => {
    const result = validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, businessHours: berlinHours });
    expect(result).toEqual({ ok: true, value: { targets: DEFAULT_SLA_POLICY.targets, businessHours: berlinHours, keptBusinessHours: null, levelTargets: {}, reminderAtFraction: 0.75, ladder: [] } });
    expect(result.ok && result.value.targets).not.toBe(DEFAULT_SLA_POLICY.targets);
  });

  it('keeps the calendar typed while business hours are off, checked like businessHours and copied', () => {
    const typed = { ...berlinHours, holidays: ['2026-12-26', '2026-12-24', '2026-12-26'] };
    const result = validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, businessHours: null, keptBusinessHours: typed });
    expect(result).toEqual({
      ok: true,
      value: { targets: DEFAULT_SLA_POLICY.targets, businessHours: null, keptBusinessHours: { ...berlinHours, holidays: ['2026-12-24', '2026-12-26'] }, levelTargets: {}, reminderAtFraction: 0.75, ladder: [] },
    });
    expect(result.ok && result.value.keptBusinessHours).not.toBe(typed);
    // Policies stored before the field existed read as keeping nothing.
    const old = validateSlaPolicy({ targets: DEFAULT_SLA_POLICY.targets, businessHours: berlinHours });
    expect(old.ok && old.value.keptBusinessHours).toBeNull();
  });

  it('counts due times in businessHours only, never in the kept calendar', () => {
    const kept: SlaPolicy = { ...DEFAULT_SLA_POLICY, keptBusinessHours: berlinHours };
    const input = { policy: kept, priority: 'normal' as const };
    expect(slaDueTimes(clock(input))).toEqual(slaDueTimes(clock({ ...input, policy: DEFAULT_SLA_POLICY })));
  });

  it('accepts null targets and a full ladder', () => {
    expect(validateSlaPolicy({ ...withTargets('low', { firstResponseSeconds: null, nextResponseSeconds: null, resolutionSeconds: 5 }), ladder: fast.ladder, reminderAtFraction: 0.5 }).ok).toBe(true);
  });

  it.each([
    ['not an object', null, '', 'must be an object'],
    ['missing targets', {}, 'targets', 'is required'],
    ['a missing priority', { targets: { low: DEFAULT_SLA_POLICY.targets.low, normal: DEFAULT_SLA_POLICY.targets.normal, urgent: DEFAULT_SLA_POLICY.targets.urgent } }, 'targets.high', 'is required'],
    ['an unknown priority', withTargets('critical', DEFAULT_SLA_POLICY.targets.low), 'targets.critical', 'is not a known field'],
    ['a zero target', withTargets('low', { firstResponseSeconds: 0, nextResponseSeconds: 1, resolutionSeconds: 1 }), 'targets.low.firstResponseSeconds', 'whole number'],
    ['a fractional target', withTargets('high', { firstResponseSeconds: 1, nextResponseSeconds: 1.5, resolutionSeconds: 1 }), 'targets.high.nextResponseSeconds', 'whole number'],
    ['a missing target', withTargets('normal', { firstResponseSeconds: 1, nextResponseSeconds: 1 }), 'targets.normal.resolutionSeconds', 'null for no target'],
    ['a fraction of 1', { ...DEFAULT_SLA_POLICY, reminderAtFraction: 1 }, 'reminderAtFraction', 'between 0 and 1'],
    ['a fraction of 0', { ...DEFAULT_SLA_POLICY, reminderAtFraction: 0 }, 'reminderAtFraction', 'between 0 and 1'],
    ['a bad time zone', { ...DEFAULT_SLA_POLICY, businessHours: { ...berlinHours, timeZone: 'Mars/Olympus' } }, 'businessHours.timeZone', 'IANA'],
    ['a bad interval', { ...DEFAULT_SLA_POLICY, businessHours: { ...berlinHours, weekly: [{ day: 1, open: '18:00', close: '09:00' }] } }, 'businessHours.weekly.0.close', 'later than open'],
    ['all-closed hours', { ...DEFAULT_SLA_POLICY, businessHours: { ...berlinHours, weekly: [] } }, 'businessHours.weekly', 'at least one open interval'],
    ['hours that are not an object', { ...DEFAULT_SLA_POLICY, businessHours: 'office' }, 'businessHours', 'must be an object'],
    ['a bad kept time zone', { ...DEFAULT_SLA_POLICY, keptBusinessHours: { ...berlinHours, timeZone: 'Mars/Olympus' } }, 'keptBusinessHours.timeZone', 'IANA'],
    ['a bad kept holiday', { ...DEFAULT_SLA_POLICY, keptBusinessHours: { ...berlinHours, holidays: ['2026-02-30'] } }, 'keptBusinessHours.holidays.0', 'YYYY-MM-DD'],
    ['an unknown kept field', { ...DEFAULT_SLA_POLICY, keptBusinessHours: { ...berlinHours, note: 'x' } }, 'keptBusinessHours.note', 'is not a known field'],
    ['kept hours that are not an object', { ...DEFAULT_SLA_POLICY, keptBusinessHours: 'office' }, 'keptBusinessHours', 'must be an object'],
    ['a ladder gap', { ...DEFAULT_SLA_POLICY, ladder: [fast.ladder[0], { ...fast.ladder[1], level: 3 }] }, 'ladder.1.level', 'must be 2'],
    ['a nameless rung', { ...DEFAULT_SLA_POLICY, ladder: [{ ...fast.ladder[0], name: ' ' }] }, 'ladder.0.name', 'non-empty'],
    ['a bad user id', { ...DEFAULT_SLA_POLICY, ladder: [{ ...fast.ladder[0], userIds: ['u1', 7] }] }, 'ladder.0.userIds.1', 'non-empty string'],
    ['negative afterSeconds', { ...DEFAULT_SLA_POLICY, ladder: [{ ...fast.ladder[0], afterSeconds: -5 }] }, 'ladder.0.afterSeconds', '≥ 0'],
    ['an unknown rung field', { ...DEFAULT_SLA_POLICY, ladder: [{ ...fast.ladder[0], email: 'x' }] }, 'ladder.0.email', 'is not a known field'],
    ['a ladder that is not an array', { ...DEFAULT_SLA_POLICY, ladder: {} }, 'ladder', 'must be an array'],
    ['an unknown field', { ...DEFAULT_SLA_POLICY, pause: true }, 'pause', 'is not a known field'],
  ])('names the path for %s', (_name, input, path, message) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });
});

describe('slaDueTimes', () => {
  it('24/7: first response and resolution run from creation', () => {
    expect(slaDueTimes(clock({ policy: DEFAULT_SLA_POLICY, priority: 'normal' }))).toEqual({
      firstResponseDueAt: at('2026-11-21T18:00:00.000Z'),
      nextResponseDueAt: null,
      resolutionDueAt: at('2026-11-24T10:00:00.000Z'),
    });
  });

  it('counts business hours: Fri 16:00 CET + 4h → Mon 12:00 CET', () => {
    const policy = { ...DEFAULT_SLA_POLICY, businessHours: berlinHours };
    const due = slaDueTimes(clock({ policy, priority: 'high', createdAt: at('2026-11-20T15:00:00Z') }));
    expect(iso(due.firstResponseDueAt)).toBe('2026-11-23T11:00:00.000Z');
    // 24 business hours: 1h Fri, 8h Mon, Tue, 7h Wed → Wed 16:00 CET.
    expect(iso(due.resolutionDueAt)).toBe('2026-11-25T15:00:00.000Z');
  });

  it('drops the first-response clock once answered; next response needs a waiting customer message', () => {
    const answered = clock({ firstRespondedAt: plus(t0, 50) });
    expect(slaDueTimes(answered)).toEqual({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: plus(t0, 1000) });
    expect(slaDueTimes({ ...answered, awaitingSince: plus(t0, 500) }).nextResponseDueAt).toEqual(plus(t0, 700));
    // A waiting message before any first response is the first-response clock's business.
    expect(slaDueTimes(clock({ awaitingSince: t0 })).nextResponseDueAt).toBeNull();
  });

  it('shifts resolution by the business time spent paused', () => {
    expect(slaDueTimes(clock({ pausedBusinessSeconds: 250 })).resolutionDueAt).toEqual(plus(t0, 1250));
    expect(slaDueTimes(clock({ pausedBusinessSeconds: 250 })).firstResponseDueAt).toEqual(plus(t0, 100));
  });

  it.each(['pending', 'solved', 'closed'] as const)('runs no clock while %s', (status) => {
    const input = clock({ status, firstRespondedAt: plus(t0, 50), awaitingSince: plus(t0, 60), pausedAt: status === 'pending' ? plus(t0, 70) : null });
    expect(slaDueTimes(input)).toEqual({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
    expect(nextSlaEvent({ ...input, escalationLevel: 0, remindedFor: [], breachedFor: [] })).toBeNull();
  });

  it('skips null targets', () => {
    const policy: SlaPolicy = { ...fast, targets: { ...fast.targets, urgent: { firstResponseSeconds: null, nextResponseSeconds: 200, resolutionSeconds: null } } };
    expect(slaDueTimes(clock({ policy }))).toEqual({ firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null });
  });
});

describe('slaClocks reminders', () => {
  it('falls at the fraction of the target, rounded to whole seconds, in business time', () => {
    expect(slaClocks(clock()).map((c) => [c.clock, c.reminderAt?.getTime()])).toEqual([
      ['firstResponse', plus(t0, 75).getTime()],
      ['resolution', plus(t0, 750).getTime()],
    ]);
    const policy = { ...DEFAULT_SLA_POLICY, businessHours: berlinHours };
    const [first] = slaClocks(clock({ policy, priority: 'high', createdAt: at('2026-11-20T15:00:00Z') }));
    expect(iso(first?.reminderAt ?? null)).toBe('2026-11-23T10:00:00.000Z');
  });

  it('has no reminder when none fits before the breach', () => {
    const policy: SlaPolicy = { ...fast, targets: { ...fast.targets, urgent: { firstResponseSeconds: 1, nextResponseSeconds: null, resolutionSeconds: null } } };
    expect(slaClocks(clock({ policy }))).toEqual([{ clock: 'firstResponse', startedAt: t0, targetSeconds: 1, dueAt: plus(t0, 1), reminderAt: null }]);
  });
});

describe('nextSlaEvent', () => {
  it('walks reminder → breach → escalations → the next clock, with distinct stable keys', () => {
    let state = events();
    const seen: ReturnType<typeof brief>[] = [];
    for (let event = nextSlaEvent(state); event; event = nextSlaEvent(state)) {
      seen.push(brief(event));
      expect(brief(nextSlaEvent(state))).toEqual(brief(event));
      state = {
        ...state,
        now: event.at,
        remindedFor: event.kind === 'reminder' ? [...state.remindedFor, event.key] : state.remindedFor,
        breachedFor: event.kind === 'breach' ? [...state.breachedFor, event.key] : state.breachedFor,
        escalationLevel: event.level ?? state.escalationLevel,
      };
    }
    const due = '2026-11-21T10:01:40.000Z';
    const resolutionDue = '2026-11-21T10:16:40.000Z';
    expect(seen).toEqual([
      { kind: 'reminder', clock: 'firstResponse', at: '2026-11-21T10:01:15.000Z', key: `firstResponse:${due}:reminder` },
      { kind: 'breach', clock: 'firstResponse', at: due, key: `firstResponse:${due}:breach` },
      { kind: 'escalate', clock: 'firstResponse', at: '2026-11-21T10:02:40.000Z', key: `firstResponse:${due}:escalate:1`, level: 1 },
      { kind: 'escalate', clock: 'firstResponse', at: '2026-11-21T10:04:40.000Z', key: `firstResponse:${due}:escalate:2`, level: 2 },
      { kind: 'reminder', clock: 'resolution', at: '2026-11-21T10:12:30.000Z', key: `resolution:${resolutionDue}:reminder` },
      { kind: 'breach', clock: 'resolution', at: resolutionDue, key: `resolution:${resolutionDue}:breach` },
    ]);
    expect(new Set(seen.map((e) => e?.key)).size).toBe(seen.length);
  });

  it('after the first response, first-response timers are gone and next-response clocks appear for a waiting message', () => {
    const answered = { firstRespondedAt: plus(t0, 50), now: plus(t0, 60) };
    expect(brief(nextSlaEvent(events(answered)))).toMatchObject({ kind: 'reminder', clock: 'resolution', at: iso(plus(t0, 750)) });
    const waiting = events({ ...answered, awaitingSince: plus(t0, 500), now: plus(t0, 500) });
    expect(brief(nextSlaEvent(waiting))).toEqual({ kind: 'reminder', clock: 'nextResponse', at: iso(plus(t0, 650)), key: `nextResponse:${iso(plus(t0, 700))}:reminder` });
    expect(brief(nextSlaEvent({ ...waiting, remindedFor: [`nextResponse:${iso(plus(t0, 700))}:reminder`] }))).toMatchObject({ kind: 'breach', clock: 'nextResponse', at: iso(plus(t0, 700)) });
  });

  it('skips a reminder whose breach has passed, but still fires the missed breach', () => {
    expect(brief(nextSlaEvent(events({ now: plus(t0, 120) })))).toMatchObject({ kind: 'breach', clock: 'firstResponse', at: iso(plus(t0, 100)) });
    expect(brief(nextSlaEvent(events({ now: plus(t0, 80) })))).toMatchObject({ kind: 'reminder', clock: 'firstResponse', at: iso(plus(t0, 75)) });
  });

  it('gives a moved due time new keys, so the job layer schedules afresh', () => {
    const before = nextSlaEvent(events());
    const after = nextSlaEvent(events({ createdAt: plus(t0, 30) }));
    expect(before?.key).toBe('firstResponse:2026-11-21T10:01:40.000Z:reminder');
    expect(after?.key).toBe('firstResponse:2026-11-21T10:02:10.000Z:reminder');
    const wasSent = events({ createdAt: plus(t0, 30), remindedFor: [before!.key] });
    expect(nextSlaEvent(wasSent)?.key).toBe(after?.key);
  });

  it('orders ties reminder → breach → escalate, then by clock', () => {
    const immediate: SlaPolicy = { ...fast, ladder: [{ level: 1, name: 'lead', userIds: ['u'], afterSeconds: 0 }] };
    const breachKey = `firstResponse:${iso(plus(t0, 100))}:breach`;
    const esc = nextSlaEvent(events({ policy: immediate, breachedFor: [breachKey], now: plus(t0, 100) }));
    expect(brief(esc)).toMatchObject({ kind: 'escalate', at: iso(plus(t0, 100)), level: 1 });
    const same: SlaPolicy = { ...fast, targets: { ...fast.targets, urgent: { firstResponseSeconds: 100, nextResponseSeconds: null, resolutionSeconds: 100 } } };
    const reminded = [`firstResponse:${iso(plus(t0, 100))}:reminder`, `resolution:${iso(plus(t0, 100))}:reminder`];
    expect(brief(nextSlaEvent(events({ policy: same, remindedFor: reminded })))).toMatchObject({ kind: 'breach', clock: 'firstResponse' });
    expect(brief(nextSlaEvent(events({ policy: same, remindedFor: reminded, breachedFor: [breachKey] })))).toMatchObject({ kind: 'breach', clock: 'resolution' });
  });

  it('escalates in business time and stops when the ladder is exhausted', () => {
    const policy: SlaPolicy = { ...DEFAULT_SLA_POLICY, businessHours: berlinHours, ladder: [{ level: 1, name: 'lead', userIds: ['u'], afterSeconds: 2 * H }] };
    const base = { policy, priority: 'high' as const, createdAt: at('2026-11-20T15:00:00Z') };
    const breachKey = 'firstResponse:2026-11-23T11:00:00.000Z:breach';
    // Breach Mon 12:00 CET + 2 business hours → Mon 14:00 CET.
    expect(brief(nextSlaEvent(events({ ...base, breachedFor: [breachKey] })))).toMatchObject({ kind: 'escalate', at: '2026-11-23T13:00:00.000Z', level: 1 });
    expect(brief(nextSlaEvent(events({ ...base, breachedFor: [breachKey], escalationLevel: 1 })))).toMatchObject({ kind: 'reminder', clock: 'resolution' });
  });
});

describe('pause and resume', () => {
  const hours = berlinHours;
  it('accumulates the business time spent pending', () => {
    // Paused Fri 16:30 CET, resumed Mon 10:00 CET: 30 min Friday + 60 min Monday.
    const paused = pauseSla({ pausedBusinessSeconds: 100, pausedAt: null }, at('2026-11-20T15:30:00Z'));
    expect(paused).toEqual({ pausedBusinessSeconds: 100, pausedAt: at('2026-11-20T15:30:00Z') });
    expect(resumeSla(paused, at('2026-11-23T09:00:00Z'), hours)).toEqual({ pausedBusinessSeconds: 100 + 1.5 * H, pausedAt: null });
    expect(resumeSla(paused, at('2026-11-23T09:00:00Z'), null)).toEqual({ pausedBusinessSeconds: 100 + 65.5 * H, pausedAt: null });
  });

  it('keeps a running pause and ignores a resume without one', () => {
    const paused = { pausedBusinessSeconds: 0, pausedAt: at('2026-11-20T15:30:00Z') };
    expect(pauseSla(paused, at('2026-11-20T16:00:00Z'))).toEqual(paused);
    expect(resumeSla({ pausedBusinessSeconds: 42, pausedAt: null }, at('2026-11-23T09:00:00Z'), hours)).toEqual({ pausedBusinessSeconds: 42, pausedAt: null });
  });

  it('follows status changes into and out of pending', () => {
    const idle = { pausedBusinessSeconds: 0, pausedAt: null };
    const p = slaPauseForStatusChange(idle, 'open', 'pending', at('2026-11-18T10:00:00Z'), hours);
    expect(p.pausedAt).toEqual(at('2026-11-18T10:00:00Z'));
    expect(slaPauseForStatusChange(p, 'pending', 'pending', at('2026-11-18T11:00:00Z'), hours)).toEqual(p);
    expect(slaPauseForStatusChange(p, 'pending', 'open', at('2026-11-18T11:00:00Z'), hours)).toEqual({ pausedBusinessSeconds: H, pausedAt: null });
    expect(slaPauseForStatusChange(p, 'pending', 'solved', at('2026-11-18T10:00:05Z'), hours)).toEqual({ pausedBusinessSeconds: 5, pausedAt: null });
    expect(slaPauseForStatusChange(idle, 'new', 'open', at('2026-11-18T11:00:00Z'), hours)).toEqual(idle);
  });

  it('moves the resolution due time by exactly the paused business time', () => {
    const policy = { ...DEFAULT_SLA_POLICY, businessHours: hours };
    const createdAt = at('2026-11-18T08:00:00Z'); // Wed 09:00 CET; normal resolution 72 business hours = 9 days → Mon 30 Nov 17:00 CET.
    const resumed = resumeSla(pauseSla({ pausedBusinessSeconds: 0, pausedAt: null }, at('2026-11-20T15:30:00Z')), at('2026-11-23T09:00:00Z'), hours);
    const before = slaDueTimes(clock({ policy, priority: 'normal', createdAt })).resolutionDueAt;
    const after = slaDueTimes(clock({ policy, priority: 'normal', createdAt, pausedBusinessSeconds: resumed.pausedBusinessSeconds })).resolutionDueAt;
    expect(iso(before)).toBe('2026-11-30T16:00:00.000Z');
    expect(iso(after)).toBe('2026-12-01T09:30:00.000Z');
  });
});

describe('slaBadge', () => {
  const due = at('2026-11-21T12:00:00Z');
  const reminder = at('2026-11-21T11:00:00Z');
  it.each([
    [null, '2026-11-21T10:00:00Z', reminder, 'none'],
    [due, '2026-11-21T10:00:00Z', reminder, 'ok'],
    [due, '2026-11-21T10:59:59Z', reminder, 'ok'],
    [due, '2026-11-21T11:00:00Z', reminder, 'due-soon'],
    [due, '2026-11-21T11:59:59Z', reminder, 'due-soon'],
    [due, '2026-11-21T12:00:00Z', reminder, 'breached'],
    [due, '2026-11-22T12:00:00Z', null, 'breached'],
    [due, '2026-11-21T11:30:00Z', null, 'ok'],
  ] as const)('due %s at %s (reminder %s) → %s', (dueAt, now, reminderAt, expected) => {
    expect(slaBadge(dueAt, at(now), reminderAt)).toBe(expected);
  });
});
