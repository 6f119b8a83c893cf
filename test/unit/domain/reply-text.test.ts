import { describe, expect, it } from 'vitest';
import { excerptOf, replyText } from '../../../src/domain/reply-text.js';

describe('replyText', () => {
  it('cuts a Gmail-style quote at its "On … wrote:" line, also when wrapped over two lines', () => {
    expect(replyText({ text: 'Done, I called them.\n\nOn Mon, 3 Mar 2026 at 10:00, Threadline <support@example.test> wrote:\n> Ticket #12 was assigned to you' })).toBe('Done, I called them.');
    expect(replyText({ text: 'Done.\r\n\r\nOn Mon, 3 Mar 2026 at 10:00, Threadline Notifications <support+n123@example.test>\r\nwrote:\r\n> quoted' })).toBe('Done.');
  });

  it('cuts a French quote at "Le … a écrit :"', () => {
    expect(replyText({ text: 'Je m’en occupe.\n\nLe lun. 3 mars 2026 à 10:00, Threadline <support@example.test> a écrit :\n> Demande n° 12' })).toBe('Je m’en occupe.');
  });

  it('cuts at an Outlook original-message block, its header block, or its line of underscores', () => {
    expect(replyText({ text: 'Looking.\n-----Original Message-----\nFrom: Threadline\nSent: Monday' })).toBe('Looking.');
    expect(replyText({ text: 'Vu.\n\nDe : Threadline <support@example.test>\nEnvoyé : lundi 3 mars 2026 10:00\nÀ : Ada' })).toBe('Vu.');
    expect(replyText({ text: 'OK\n________________________________\nFrom: Threadline' })).toBe('OK');
  });

  it('drops quoted lines but keeps an answer written between them, and stops at the signature', () => {
    expect(replyText({ text: '> Can you call the customer?\nYes, tomorrow.\n> And the invoice?\nSent it.\n-- \nAda Lovelace\nSupport' })).toBe('Yes, tomorrow.\nSent it.');
  });

  it('keeps a line that merely starts with "On" or "From" in the middle of the text', () => {
    expect(replyText({ text: 'On my side the VPN works.\nFrom: what I see, it is their router.' })).toBe('On my side the VPN works.\nFrom: what I see, it is their router.');
  });

  it('reads an HTML-only mail, without its blockquote', () => {
    expect(replyText({ text: null, html: '<div>I&#39;ll take it &amp; call back.</div><blockquote>Ticket #12 &gt; assigned</blockquote>' })).toBe("I'll take it & call back.");
  });

  it('is empty when the mail holds nothing but the quote', () => {
    expect(replyText({ text: '> only the quote\n' })).toBe('');
    expect(replyText({ text: null, html: null })).toBe('');
  });
});

describe('excerptOf', () => {
  it('collapses whitespace and cuts at the limit with an ellipsis', () => {
    expect(excerptOf('  Hello\n\n  world ')).toBe('Hello world');
    const long = excerptOf('word '.repeat(100));
    expect(long.length).toBeLessThanOrEqual(200);
    expect(long.endsWith('…')).toBe(true);
    expect(excerptOf(null)).toBe('');
  });
});
