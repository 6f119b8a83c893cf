import { describe, expect, it } from 'vitest';
import { addDays, contactRate, countsAsReader, helpfulShare, isDay, statsPeriod, utcDay } from '../../../src/domain/kb-stats.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('what counts as a reader', () => {
  it('counts a browser’s GET', () => {
    expect(countsAsReader({ method: 'GET', userAgent: FIREFOX, purpose: null })).toBe(true);
    expect(countsAsReader({ method: 'GET', userAgent: IPHONE, purpose: null })).toBe(true);
  });

  it('leaves out HEAD, robots, link previews, scripts, no User-Agent and prefetches', () => {
    expect(countsAsReader({ method: 'HEAD', userAgent: FIREFOX, purpose: null })).toBe(false);
    for (const ua of [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
      'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
      'facebookexternalhit/1.1',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36',
      'curl/8.5.0',
      'python-requests/2.31',
      'Go-http-client/1.1',
      '',
    ]) expect(countsAsReader({ method: 'GET', userAgent: ua, purpose: null }), ua).toBe(false);
    expect(countsAsReader({ method: 'GET', userAgent: null, purpose: null })).toBe(false);
    expect(countsAsReader({ method: 'GET', userAgent: FIREFOX, purpose: 'prefetch' })).toBe(false);
    expect(countsAsReader({ method: 'GET', userAgent: FIREFOX, purpose: 'prefetch;prerender' })).toBe(false);
  });
});

describe('days and periods', () => {
  it('files an instant under its UTC day and checks calendar days', () => {
    expect(utcDay(new Date('2026-03-01T23:30:00-02:00'))).toBe('2026-03-02');
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-3-1')).toBe(false);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('defaults to the last 30 days up to today, and refuses bad, reversed or too long periods', () => {
    const now = new Date('2026-03-31T08:00:00Z');
    expect(statsPeriod({}, now)).toEqual({ ok: true, period: { from: '2026-03-02', to: '2026-03-31' } });
    expect(statsPeriod({ to: '2026-01-10' }, now)).toEqual({ ok: true, period: { from: '2025-12-12', to: '2026-01-10' } });
    expect(statsPeriod({ from: '2026-03-05', to: '2026-03-05' }, now)).toEqual({ ok: true, period: { from: '2026-03-05', to: '2026-03-05' } });
    expect(statsPeriod({ from: 'yesterday' }, now)).toMatchObject({ ok: false, field: 'from', key: 'issue.kbStatsDay' });
    expect(statsPeriod({ to: '2026-02-30' }, now)).toMatchObject({ ok: false, field: 'to' });
    expect(statsPeriod({ from: '2026-03-06', to: '2026-03-05' }, now)).toMatchObject({ ok: false, field: 'from', key: 'issue.kbStatsOrder' });
    // 731 days, both ends included, at most.
    expect(statsPeriod({ from: '2024-02-29', to: '2026-03-01' }, now)).toMatchObject({ ok: false, field: 'from', key: 'issue.kbStatsSpan', params: { days: 731 } });
    expect(statsPeriod({ from: '2024-03-01', to: '2026-03-01' }, now)).toMatchObject({ ok: true });
  });
});

describe('shares', () => {
  it('reads the helpful share and the contact rate, null without votes or views', () => {
    expect(helpfulShare({ yes: 3, no: 1 })).toBe(0.75);
    expect(helpfulShare({ yes: 0, no: 0 })).toBeNull();
    expect(contactRate({ views: 20, contact: 5 })).toBe(0.25);
    expect(contactRate({ views: 1, contact: 3 })).toBe(1);
    expect(contactRate({ views: 0, contact: 2 })).toBeNull();
  });
});
