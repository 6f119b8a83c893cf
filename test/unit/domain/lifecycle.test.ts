import { describe, expect, it } from 'vitest';
import {
  checkSnooze,
  lifecycleEventKey,
  lifecycleJobKey,
  lifecycleSettingsOf,
  nextLifecycleStep,
  snoozeTimeHasCome,
  type LifecycleSettings,
} from '../../../src/domain/lifecycle.js';
import { TICKET_STATUSES } from '../../../src/domain/ticket-status.js';

const DAY = 86_400_000;
const at = new Date('2026-11-21T12:00:00Z');
const defaults: LifecycleSettings = lifecycleSettingsOf({});

describe('lifecycle settings', () => {
  it('gives inboxes stored before the rules 4 days to auto-close and 3 to remind, and keeps 0 (never)', () => {
    expect(defaults).toEqual({ autoCloseAfterDays: 4, pendingReminderAfterDays: 3 });
    expect(lifecycleSettingsOf({ autoCloseAfterDays: 0, pendingReminderAfterDays: null })).toEqual({ autoCloseAfterDays: 0, pendingReminderAfterDays: 3 });
  });
});

describe('nextLifecycleStep', () => {
  it('closes a solved ticket the inbox\'s days after it was solved', () => {
    expect(nextLifecycleStep({ status: 'solved', solvedAt: at }, defaults)).toEqual({ rule: 'auto-close', since: at, days: 4, at: new Date(at.getTime() + 4 * DAY), key: `auto-close:${at.getTime()}` });
  });

  it('reminds about a pending ticket the inbox\'s days after it became pending, once per pending period', () => {
    const step = nextLifecycleStep({ status: 'pending', pendingSince: at }, defaults)!;
    expect(step).toMatchObject({ rule: 'pending-reminder', at: new Date(at.getTime() + 3 * DAY), days: 3 });
    expect(nextLifecycleStep({ status: 'pending', pendingSince: at, lifecycleDone: [step.key] }, defaults)).toBeNull();
    const later = new Date(at.getTime() + DAY);
    expect(nextLifecycleStep({ status: 'pending', pendingSince: later, lifecycleDone: [step.key] }, defaults)).toMatchObject({ since: later });
  });

  it('has no step for other statuses, a merged ticket, a rule switched off, or a ticket without its period\'s start', () => {
    for (const status of TICKET_STATUSES.filter((s) => s !== 'solved' && s !== 'pending')) expect(nextLifecycleStep({ status, solvedAt: at, pendingSince: at }, defaults)).toBeNull();
    expect(nextLifecycleStep({ status: 'solved', solvedAt: at, mergedIntoId: 'x' }, defaults)).toBeNull();
    expect(nextLifecycleStep({ status: 'solved', solvedAt: at }, { ...defaults, autoCloseAfterDays: 0 })).toBeNull();
    expect(nextLifecycleStep({ status: 'pending', pendingSince: at }, { ...defaults, pendingReminderAfterDays: 0 })).toBeNull();
    expect(nextLifecycleStep({ status: 'pending' }, defaults)).toBeNull();
  });

  it('keys a job by its due time (a changed delay is a new job) and what it does by its period (a retry records once)', () => {
    const step = nextLifecycleStep({ status: 'solved', solvedAt: at }, defaults)!;
    const longer = nextLifecycleStep({ status: 'solved', solvedAt: at }, { ...defaults, autoCloseAfterDays: 7 })!;
    expect(lifecycleJobKey('t1', step)).not.toBe(lifecycleJobKey('t1', longer));
    expect(lifecycleEventKey('t1', step)).toBe(lifecycleEventKey('t1', longer));
  });
});

describe('checkSnooze', () => {
  const issuesOf = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return (err as { code: string; details: { issues: Array<{ path: string; key: string }> } });
    }
    return null;
  };

  it('accepts a time ahead (up to a year), "until the customer replies", or both', () => {
    expect(() => checkSnooze({ until: new Date(at.getTime() + 60_000), untilReply: false }, at)).not.toThrow();
    expect(() => checkSnooze({ until: new Date(at.getTime() + 365 * DAY), untilReply: true }, at)).not.toThrow();
    expect(() => checkSnooze({ until: null, untilReply: true }, at)).not.toThrow();
  });

  it('refuses no time without "until the customer replies", a time not ahead, or too far ahead, naming until', () => {
    for (const [request, key] of [
      [{ until: null, untilReply: false }, 'errors:issue.snooze.required'],
      [{ until: at, untilReply: true }, 'errors:issue.snooze.future'],
      [{ until: new Date(at.getTime() + 366 * DAY), untilReply: false }, 'errors:issue.snooze.tooFar'],
    ] as const) {
      const err = issuesOf(() => checkSnooze(request, at));
      expect(err?.code).toBe('VALIDATION_FAILED');
      expect(err?.details.issues).toEqual([expect.objectContaining({ path: 'until', key })]);
    }
  });

  it('a snooze\'s time comes at `until`, never for one only until the customer replies', () => {
    expect(snoozeTimeHasCome({ until: at }, at)).toBe(true);
    expect(snoozeTimeHasCome({ until: new Date(at.getTime() + 1) }, at)).toBe(false);
    expect(snoozeTimeHasCome({ until: null }, at)).toBe(false);
  });
});
