import { describe, expect, it } from 'vitest';
import { buildCorpus, conversationLanguage, liveSearchTerms, messageText, rngFor, type TermSource } from '../../../bench/search-corpus.js';
import { MAX_TICKET_TERMS, messageSearchTerms, ticketSearchTerms } from '../../../src/domain/ticket-search.js';

const corpus = buildCorpus();

/* The terms as the domain functions give them, one message after the other under the cap. */
function expectedTerms(ticket: { subject: string; requester: { email: string; name: string } }, messages: TermSource[]): string[] {
  const terms = new Set(ticketSearchTerms(ticket));
  for (const m of messages) {
    if (terms.size >= MAX_TICKET_TERMS) break;
    const input = m.direction === 'inbound' ? { text: m.text, from: m.from, recipients: [...m.to, ...m.cc] } : { text: m.text };
    for (const t of messageSearchTerms(input)) terms.add(t);
  }
  return [...terms];
}

describe('bench search corpus', () => {
  it('writes the same text for the same seed', () => {
    expect(messageText(rngFor(42), corpus, 'fr')).toBe(messageText(rngFor(42), corpus, 'fr'));
    expect(messageText(rngFor(42), corpus, 'en')).not.toBe(messageText(rngFor(43), corpus, 'en'));
  });

  it('writes messages of 20 to 300 words, conversations mostly in English, then French, then CJK', () => {
    const r = rngFor(7);
    const lengths = Array.from({ length: 300 }, () => messageText(r, corpus, 'en').split(/\s+/).length);
    expect(Math.min(...lengths)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(330);
    const counts = { en: 0, fr: 0, cjk: 0 };
    for (let i = 0; i < 4000; i++) counts[conversationLanguage(r)]++;
    expect(counts.en / 4000).toBeCloseTo(0.7, 1);
    expect(counts.fr / 4000).toBeCloseTo(0.25, 1);
    expect(counts.cjk).toBeGreaterThan(100);
    expect(messageText(rngFor(3), corpus, 'cjk')).toMatch(/\p{Script=Han}{4}/u);
  });

  it('stores what the live writes store: the ticket terms, then each message under the cap', () => {
    for (let i = 0; i < 30; i++) {
      const r = rngFor(i);
      const lang = conversationLanguage(r);
      const requester = { email: `ana.lopez${i}@shop.example.net`, name: 'Ana López' };
      const messages: TermSource[] = Array.from({ length: 1 + (i % 12) }, (_, j) => ({
        direction: j % 2 === 0 ? 'inbound' : 'outbound',
        text: messageText(r, corpus, lang),
        from: { address: j % 2 === 0 ? requester.email : 'inbox0@help.example' },
        to: [{ address: j % 2 === 0 ? 'inbox0@help.example' : requester.email }],
        cc: [],
      }));
      const ticket = { subject: 'Problème avec ma facture', requester };
      expect(liveSearchTerms(ticket, messages)).toEqual(expectedTerms(ticket, messages));
    }
  });

  it('stops taking message terms once a ticket holds MAX_TICKET_TERMS', () => {
    const r = rngFor(99);
    const long: TermSource[] = Array.from({ length: 200 }, () => ({ direction: 'outbound', text: messageText(r, corpus, 'en'), from: { address: 'a@help.example' }, to: [], cc: [] }));
    const terms = liveSearchTerms({ subject: 'Invoice', requester: { email: 'x@example.com', name: 'X' } }, long);
    expect(terms.length).toBeGreaterThanOrEqual(MAX_TICKET_TERMS);
    expect(terms).toContain('s:invoic');
  });
});
