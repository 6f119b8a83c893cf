import { describe, expect, it } from 'vitest';
import { foldText, MAX_TERM_LENGTH, searchQueryTerms, searchWords, ticketSearchTerms } from '../../../src/domain/ticket-search.js';

const terms = ticketSearchTerms({ subject: 'Re: Invoice #4411 not received — José’s order', requester: { email: 'alice.smith@example.com', name: 'Alice Smith-Jones' } });
/** Whether every word of a search is among the ticket's terms: what the database checks. */
const finds = (q: string) => searchQueryTerms(q).every((w) => terms.includes(w));

describe('searchWords', () => {
  it('folds case and accents and splits on anything but letters and digits', () => {
    expect(foldText('JOSÉ Ångström')).toBe('jose angstrom');
    expect(searchWords('Re: [#123] Café-Bar, naïve  ÜBER')).toEqual(['re', '123', 'cafe', 'bar', 'naive', 'uber']);
    expect(searchWords('注文 が 届かない')).toEqual(['注文', 'が', '届かない']);
    expect(searchWords('--- !!! ---')).toEqual([]);
  });

  it('cuts long words to the same length when storing and when searching', () => {
    const long = 'x'.repeat(MAX_TERM_LENGTH + 10);
    expect(searchWords(long)).toEqual(['x'.repeat(MAX_TERM_LENGTH)]);
    const t = ticketSearchTerms({ subject: long, requester: { email: 'a@b.c' } });
    expect(searchQueryTerms(long).every((w) => t.includes(w))).toBe(true);
  });
});

describe('ticketSearchTerms', () => {
  it('matches subject words whole, case- and accent-insensitively', () => {
    expect(finds('invoice')).toBe(true);
    expect(finds('INVOICE 4411')).toBe(true);
    expect(finds('jose')).toBe(true);
    expect(finds('received invoice')).toBe(true);
    expect(finds('invo')).toBe(false);
    expect(finds('invoices')).toBe(false);
  });

  it('matches the start of any word of the requester name or email', () => {
    for (const q of ['al', 'ali', 'Alice', 'smi', 'jones', 'alice.sm', 'alice.smith@exa', 'alice.smith@example.com', 'example', 'Alice Smith']) {
      expect(finds(q), q).toBe(true);
    }
    for (const q of ['lice', 'mith', 'a', 'alicex', 'xample']) expect(finds(q), q).toBe(false);
  });

  it('needs every word of the search to match', () => {
    expect(finds('alice invoice')).toBe(true);
    expect(finds('alice refund')).toBe(false);
  });

  it('keeps one-letter name words whole, stores each term once, and copes with a missing name', () => {
    const t = ticketSearchTerms({ subject: 'Help help HELP', requester: { email: 'j@x.io', name: 'J. R. Ewing' } });
    expect(t.filter((w) => w === 'help')).toHaveLength(1);
    expect(t).toEqual(expect.arrayContaining(['j', 'r', 'ew', 'ewing', 'x', 'io']));
    expect(new Set(t).size).toBe(t.length);
    expect(ticketSearchTerms({ subject: '', requester: { email: 'bob@example.org', name: null } })).toEqual(expect.arrayContaining(['bob', 'bo', 'example', 'org']));
  });
});

describe('searchQueryTerms', () => {
  it('dedupes and puts the longest word first, so the rarest-looking word drives the index', () => {
    expect(searchQueryTerms('to Invoice to  a refund')).toEqual(['invoice', 'refund', 'to', 'a']);
    expect(searchQueryTerms('   ')).toEqual([]);
  });
});
