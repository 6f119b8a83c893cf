import { describe, expect, it } from 'vitest';
import { contentIdOfCidUrl, inlineImageUrl, verifyInlineImageToken } from '../../../src/domain/inline-image-links.js';
import { createSigner } from '../../../src/store/secret-box.js';

const sign = createSigner('k'.repeat(40));
const NOW = new Date('2026-03-01T12:00:00Z');
const grant = { userId: 'a'.repeat(24), messageId: 'b'.repeat(24), contentId: 'logo@x.test', expiresAt: new Date(NOW.getTime() + 60_000) };

/** Splits a URL from inlineImageUrl into what the route receives. */
function request(url: string) {
  const parsed = new URL(url, 'http://h');
  const [, , messageId, token] = parsed.pathname.split('/');
  return { messageId: messageId!, token: token!, contentId: parsed.searchParams.get('cid')! };
}

describe('inline image links', () => {
  it('grant the user, message and Content-ID they were signed for until they expire', () => {
    const url = inlineImageUrl(sign, grant);
    expect(url).toMatch(/^\/mail-images\/b{24}\/a{24}\.[0-9a-z]+\.[0-9a-f]{32}\?cid=logo%40x\.test$/);
    expect(verifyInlineImageToken(sign, request(url), NOW)).toEqual({ userId: grant.userId });
    expect(verifyInlineImageToken(sign, request(url), new Date(NOW.getTime() + 60_000))).toBeNull();
  });

  it('refuse another message, another Content-ID, another key, or a signer that returns nothing', () => {
    const req = request(inlineImageUrl(sign, grant));
    expect(verifyInlineImageToken(sign, { ...req, messageId: 'c'.repeat(24) }, NOW)).toBeNull();
    expect(verifyInlineImageToken(sign, { ...req, contentId: 'other@x.test' }, NOW)).toBeNull();
    expect(verifyInlineImageToken(createSigner('z'.repeat(40)), req, NOW)).toBeNull();
    const empty = () => '';
    expect(verifyInlineImageToken(empty, request(inlineImageUrl(empty, grant)), NOW)).toBeNull();
    expect(verifyInlineImageToken(sign, { ...req, token: `${req.token}0` }, NOW)).toBeNull();
  });

  it('read the Content-ID of a cid: URL, %-decoded and without brackets (RFC 2392)', () => {
    expect(contentIdOfCidUrl('part1.06090408.01060107%40example.net')).toBe('part1.06090408.01060107@example.net');
    expect(contentIdOfCidUrl('<logo@x>')).toBe('logo@x');
    expect(contentIdOfCidUrl('%E0%A4%A')).toBeNull();
  });
});
