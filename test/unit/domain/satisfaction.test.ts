import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  cleanComment,
  mayAskAgain,
  parseRating,
  RATING_COMMENT_MAX,
  ratingChangeable,
  satisfactionSummary,
  surveyable,
  surveyDueAt,
  surveyLink,
  surveySettingsOf,
  surveyToken,
  verifySurveyToken,
} from '../../../src/domain/satisfaction.js';

const sign = (v: string) => createHmac('sha256', 'unit-test-key-of-at-least-32-chars!!').update(v).digest('hex');
const otherSign = (v: string) => createHmac('sha256', 'another-key-of-at-least-32-chars!!!!').update(v).digest('hex');
const DAY = 86_400_000;
const T0 = new Date('2026-05-04T10:00:00Z');
const ticketId = '65f1c0de00000000000001a2';
const grant = { ticketId, solvedAt: T0.getTime(), expiresAt: new Date(T0.getTime() + 30 * DAY) };

describe('survey tokens', () => {
  it('verifies its own token until it expires, naming the ticket and the solve', () => {
    const token = surveyToken(sign, grant);
    expect(verifySurveyToken(sign, token, T0)).toEqual({ ok: true, ticketId, solvedAt: T0 });
    expect(verifySurveyToken(sign, token, new Date(T0.getTime() + 30 * DAY - 1000))).toMatchObject({ ok: true });
    expect(verifySurveyToken(sign, token, new Date(T0.getTime() + 30 * DAY))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a tampered token: another ticket, a later expiry, another solve, another key, garbage', () => {
    const token = surveyToken(sign, grant);
    const [id, solved, expires, signature] = token.split('.') as [string, string, string, string];
    const otherTicket = `${id.slice(0, -1)}${id.endsWith('3') ? '4' : '3'}.${solved}.${expires}.${signature}`;
    const longer = `${id}.${solved}.${(parseInt(expires, 36) + 86400).toString(36)}.${signature}`;
    const otherSolve = `${id}.${(T0.getTime() + 1).toString(36)}.${expires}.${signature}`;
    for (const bad of [otherTicket, longer, otherSolve, 'nonsense', '', `${token}x`]) expect(verifySurveyToken(sign, bad, T0)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifySurveyToken(otherSign, token, T0)).toEqual({ ok: false, reason: 'invalid' });
    // A signer that returns nothing (misconfigured) accepts nothing.
    expect(verifySurveyToken(() => '', token, T0)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('makes one link per rating under the public URL', () => {
    const token = surveyToken(sign, grant);
    expect(surveyLink('https://desk.example.test/', token, 'okay')).toBe(`https://desk.example.test/satisfaction/${token}?rating=okay`);
  });
});

describe('who is asked, and when', () => {
  it('asks a customer at most once per inbox per N days (0: every time)', () => {
    expect(mayAskAgain(null, 30, T0)).toBe(true);
    expect(mayAskAgain(new Date(T0.getTime() - 29 * DAY), 30, T0)).toBe(false);
    expect(mayAskAgain(new Date(T0.getTime() - 30 * DAY), 30, T0)).toBe(true);
    expect(mayAskAgain(new Date(T0.getTime() - 1000), 0, T0)).toBe(true);
  });

  it('surveys solved tickets only, never merged ones, unanswered agent-started ones or bouncing addresses', () => {
    const base = { status: 'solved', mergedIntoId: null, agentStarted: false, customerWrote: true, recipientBouncing: false };
    expect(surveyable(base)).toBe(true);
    expect(surveyable({ ...base, status: 'spam' })).toBe(false);
    expect(surveyable({ ...base, status: 'open' })).toBe(false);
    // Closed after the solve (auto-close before a long delay): still that solve's survey.
    expect(surveyable({ ...base, status: 'closed' })).toBe(true);
    expect(surveyable({ ...base, mergedIntoId: 'x' })).toBe(false);
    expect(surveyable({ ...base, agentStarted: true, customerWrote: false })).toBe(false);
    expect(surveyable({ ...base, agentStarted: true, customerWrote: true })).toBe(true);
    expect(surveyable({ ...base, recipientBouncing: true })).toBe(false);
  });

  it('fills in the defaults of an older inbox (off, at the solve, 30 days) and delays the delayed mode', () => {
    expect(surveySettingsOf({})).toEqual({ enabled: false, mode: 'solved', delayHours: 24, askEveryDays: 30 });
    const delayed = surveySettingsOf({ satisfaction: { enabled: true, mode: 'delayed', delayHours: 3 } });
    expect(surveyDueAt(delayed, T0)).toEqual(new Date(T0.getTime() + 3 * 3600_000));
    expect(surveyDueAt(surveySettingsOf({ satisfaction: { enabled: true } }), T0)).toEqual(T0);
  });
});

describe('ratings', () => {
  it('may be changed for 7 days after the first one', () => {
    expect(ratingChangeable(null, T0)).toBe(true);
    expect(ratingChangeable(T0, new Date(T0.getTime() + 7 * DAY - 1))).toBe(true);
    expect(ratingChangeable(T0, new Date(T0.getTime() + 7 * DAY))).toBe(false);
  });

  it('takes the three ratings only, and a bounded trimmed comment', () => {
    expect(['good', 'okay', 'bad', 'great', undefined, ['good']].map(parseRating)).toEqual(['good', 'okay', 'bad', null, null, null]);
    expect(cleanComment('  thanks \r\n a lot  ')).toBe('thanks \n a lot');
    expect(cleanComment('   ')).toBeNull();
    expect(cleanComment('x'.repeat(5000))).toHaveLength(RATING_COMMENT_MAX);
  });

  it('scores the share of good ratings', () => {
    expect(satisfactionSummary({ good: 2, okay: 1, bad: 1 })).toEqual({ good: 2, okay: 1, bad: 1, total: 4, score: 0.5 });
    expect(satisfactionSummary({ good: 0, okay: 0, bad: 0 }).score).toBeNull();
  });
});
