import { describe, expect, it } from 'vitest';
import { checkEraseConfirmToken, ERASE_CONFIRM_TTL_MS, eraseConfirmToken, erasedAddress, erasureDetail, erasureNeedles, isErasedAddress, needsScrub, scrubDeep, scrubText } from '../../../src/domain/erasure.js';

const id = { toHexString: () => '0123456789abcdef01234567' };

describe('erasure placeholders and scrubbing', () => {
  it('gives a person one undeliverable placeholder address', () => {
    expect(erasedAddress(id)).toBe('erased-0123456789abcdef01234567@invalid');
    expect(isErasedAddress(erasedAddress(id))).toBe(true);
    expect(isErasedAddress('ann@example.test')).toBe(false);
  });

  it('looks for addresses and names, longest first, leaving out names too short to be safe', () => {
    expect(erasureNeedles(['Ann@Example.test'], ['Ann Smith', 'Al', '[erased]', 'Ann'])).toEqual(['ann@example.test', 'ann smith', 'ann']);
  });

  it('replaces every needle in any case, the full name before its first name', () => {
    const needles = erasureNeedles(['ann@example.test'], ['Ann Smith', 'Ann']);
    expect(scrubText('Called ANN SMITH (Ann@Example.TEST); ann agreed.', needles)).toBe('Called [erased] ([erased]); [erased] agreed.');
    expect(scrubText('Nothing here', needles)).toBe('Nothing here');
    // Needles are text, not patterns.
    expect(scrubText('a.b+c@x.test wrote', ['a.b+c@x.test'])).toBe('[erased] wrote');
    expect(scrubText('axb+c@x.test', ['a.b+c@x.test'])).toBe('axb+c@x.test');
  });

  it('scrubs strings at any depth, drops the free text keys, keeps ids, dates and numbers', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const data = { to: ['ann@example.test', 'bob@example.test'], by: { name: 'Ann Smith', n: 3 }, comment: 'my words', at, id };
    const out = scrubDeep(data, ['ann@example.test', 'ann smith'], new Set(['comment']));
    expect(out).toEqual({ to: ['[erased]', 'bob@example.test'], by: { name: '[erased]', n: 3 }, comment: null, at, id });
    expect(needsScrub(data, ['ann@example.test'])).toBe(true);
    expect(needsScrub({ to: ['bob@example.test'], comment: null }, ['ann@example.test'], new Set(['comment']))).toBe(false);
  });

  it('writes counts only for the access log', () => {
    expect(erasureDetail({ tickets: 2, messages: 5, attachments: 1, outbox: 2, ratings: 0, quarantine: 0, contacts: 1 })).toBe('tickets=2 messages=5 attachments=1 outbox=2 ratings=0 quarantine=0 contacts=1');
  });
});

describe('the second confirmation token', () => {
  const now = new Date('2026-03-01T10:00:00Z');
  const token = eraseConfirmToken('session-secret', 'c1', 'u1', now);

  it('holds for this admin and person until it expires', () => {
    expect(checkEraseConfirmToken('session-secret', token, 'c1', 'u1', now)).toBe('ok');
    expect(checkEraseConfirmToken('session-secret', token, 'c1', 'u1', new Date(now.getTime() + ERASE_CONFIRM_TTL_MS + 1))).toBe('expired');
  });

  it('is worth nothing for another person, admin or session, or altered', () => {
    expect(checkEraseConfirmToken('session-secret', token, 'c2', 'u1', now)).toBe('invalid');
    expect(checkEraseConfirmToken('session-secret', token, 'c1', 'u2', now)).toBe('invalid');
    expect(checkEraseConfirmToken('other-session', token, 'c1', 'u1', now)).toBe('invalid');
    const [expires, mac] = token.split('.');
    expect(checkEraseConfirmToken('session-secret', `${Number(expires) + 1}.${mac}`, 'c1', 'u1', now)).toBe('invalid');
    expect(checkEraseConfirmToken('session-secret', 'garbage', 'c1', 'u1', now)).toBe('invalid');
    expect(checkEraseConfirmToken('session-secret', `${'9'.repeat(15)}.${'x'.repeat(43)}`, 'c1', 'u1', now)).toBe('invalid');
  });
});
