import { describe, expect, it } from 'vitest';
import { quoteAttribution } from '../../../src/mail/quote-attribution.js';

const date = new Date('2026-03-02T13:05:00Z');

describe('quoteAttribution', () => {
  it('introduces the quote in English, the date in the given zone', () => {
    expect(quoteAttribution({ locale: 'en', timeZone: 'Europe/Paris', date, from: 'Ann <ann@customer.test>' })).toBe('On Mar 2, 2026, 2:05 PM, Ann <ann@customer.test> wrote:');
  });

  it('introduces it in French with the non-breaking space before the colon, UTC without a zone', () => {
    expect(quoteAttribution({ locale: 'fr', date, from: 'Anne <anne@client.test>' })).toBe('Le 2 mars 2026, 13:05, Anne <anne@client.test> a écrit\u00a0:');
  });
});
