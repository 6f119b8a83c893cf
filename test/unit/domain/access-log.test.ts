import { describe, expect, it } from 'vitest';
import { ACCESS_ACTIONS, accessLogCursor, accessLogCutoff, isAccessAction, parseAccessLogFilter } from '../../../src/domain/access-log.js';
import { appErrorOf } from '../../helpers/app-error.js';

const d = (iso: string) => new Date(iso);
const paris = { timeZone: 'Europe/Paris' };
const HEX = 'a'.repeat(24);

const issuesOf = (fn: () => unknown) => {
  const err = appErrorOf(fn);
  expect(err.code).toBe('VALIDATION_FAILED');
  expect(err.key).toBe('input.invalid');
  expect(err.params).toEqual({ what: 'Access log filter' });
  return (err.details?.issues as Array<{ path: string; key: string }>).map((i) => [i.path, i.key]);
};

describe('accessLogCutoff', () => {
  it('keeps the last N days, to the millisecond', () => {
    expect(accessLogCutoff(d('2026-03-11T14:30:00Z'), 365)).toEqual(d('2025-03-11T14:30:00Z'));
    expect(accessLogCutoff(d('2026-03-11T14:30:00Z'), 1)).toEqual(d('2026-03-10T14:30:00Z'));
  });

  it('purges nothing with a retention of 0 (keep forever)', () => {
    expect(accessLogCutoff(d('2026-03-11T14:30:00Z'), 0)).toBeNull();
  });
});

describe('the actions', () => {
  it('are the ones other parts record', () => {
    expect(ACCESS_ACTIONS).toEqual(['ticket_viewed', 'attachment_downloaded', 'contact_viewed', 'export_requested', 'export_downloaded', 'person_erased', 'retention_applied']);
    expect(isAccessAction('ticket_viewed')).toBe(true);
    expect(isAccessAction('ticket_deleted')).toBe(false);
    expect(isAccessAction('toString')).toBe(false);
  });
});

describe('parseAccessLogFilter', () => {
  it('is empty without parameters, and ignores empty and unknown ones', () => {
    const none = { userId: null, action: null, ticketNumber: null, from: null, to: null, before: null };
    expect(parseAccessLogFilter({}, paris)).toEqual(none);
    expect(parseAccessLogFilter({ user: '', action: '', ticket: ' ', page: 'x' }, paris)).toEqual(none);
  });

  it('reads every criterion, days in the reader’s zone with `to` taking in its whole day', () => {
    const filter = parseAccessLogFilter({ user: HEX.toUpperCase(), action: 'attachment_downloaded', ticket: '#42', from: '2026-03-01', to: '2026-03-11', cursor: `1773239400000.${HEX}` }, paris);
    expect(filter).toEqual({
      userId: HEX,
      action: 'attachment_downloaded',
      ticketNumber: 42,
      // Midnight in Paris (UTC+1 in March).
      from: d('2026-02-28T23:00:00Z'),
      to: d('2026-03-11T23:00:00Z'),
      before: { at: new Date(1773239400000), id: HEX },
    });
  });

  it('takes date-times, local to the zone without an offset', () => {
    expect(parseAccessLogFilter({ from: '2026-03-01T08:00', to: '2026-03-01T10:00Z' }, paris)).toMatchObject({ from: d('2026-03-01T07:00:00Z'), to: d('2026-03-01T10:00:00Z') });
  });

  it('names every wrong parameter', () => {
    expect(issuesOf(() => parseAccessLogFilter({ user: 'bob', action: 'deleted', ticket: 'abc', from: '2026-02-30', to: 'yesterday', cursor: 'x' }, paris))).toEqual([
      ['user', 'errors:issue.notAnId'],
      ['action', 'errors:issue.accessLogAction'],
      ['ticket', 'errors:issue.accessLogTicket'],
      ['from', 'errors:issue.report.date'],
      ['to', 'errors:issue.report.date'],
      ['cursor', 'errors:issue.cursor'],
    ]);
    expect(issuesOf(() => parseAccessLogFilter({ from: '2026-03-02', to: '2026-03-01' }, paris))).toEqual([['from', 'errors:issue.fromBeforeTo']]);
    expect(issuesOf(() => parseAccessLogFilter({ ticket: '0' }, paris))).toEqual([['ticket', 'errors:issue.accessLogTicket']]);
  });

  it('refuses repeated and oversized values before parsing them', () => {
    expect(issuesOf(() => parseAccessLogFilter({ action: ['ticket_viewed', 'person_erased'], user: { $ne: null } }, paris))).toEqual([
      ['user', 'errors:issue.report.once'],
      ['action', 'errors:issue.report.once'],
    ]);
    expect(issuesOf(() => parseAccessLogFilter({ ticket: '1'.repeat(5000) }, paris))).toEqual([['ticket', 'errors:issue.tooLong']]);
  });

  it('round-trips its own cursor', () => {
    const at = d('2026-03-11T14:30:00.123Z');
    expect(parseAccessLogFilter({ cursor: accessLogCursor({ at, id: HEX }) }, paris).before).toEqual({ at, id: HEX });
  });
});
