import { describe, expect, it } from 'vitest';
import {
  cjkTerms,
  foldText,
  MAX_MESSAGE_TERMS,
  MAX_TERM_LENGTH,
  messageSearchTerms,
  searchWords,
  textTerms,
  ticketSearchTerms,
  wordTerms,
} from '../../../src/domain/ticket-search.js';
import { parseSearchQuery, subjectConditions, type TermCondition } from '../../../src/domain/search-query.js';

const ticket = ticketSearchTerms({ subject: 'Re: Invoices #4411 not received — José’s order', requester: { email: 'alice.smith@example.com', name: 'Alice Smith-Jones' } });
const body = messageSearchTerms({
  text: 'Bonjour, les factures créées hier renvoient une erreur 502, la commande n’est pas reçue. 注文が届かない',
  from: { address: 'Alice.Smith@Example.com' },
  recipients: [{ address: 'support@acme.test' }],
});
const terms = new Set([...ticket, ...body]);

/** Whether a ticket holding `held` matches a condition: what the database checks. */
const holds = (held: Set<string>, c: TermCondition) => (c.prefix !== undefined ? [...held].some((t) => t.startsWith(c.prefix)) : c.anyOf.some((t) => held.has(t)));
/** Whether the ticket above matches a search's words and operators. */
const finds = (q: string, held = terms) => {
  const s = parseSearchQuery(q);
  return [...s.words, ...s.people].every((c) => holds(held, c)) && !s.excluded.some((t) => held.has(t));
};

describe('searchWords and foldText', () => {
  it('folds case and accents and splits on anything but letters and digits', () => {
    expect(foldText('JOSÉ Ångström')).toBe('jose angstrom');
    expect(searchWords('Re: [#123] Café-Bar, naïve  ÜBER')).toEqual(['re', '123', 'cafe', 'bar', 'naive', 'uber']);
    expect(searchWords('--- !!! ---')).toEqual([]);
  });

  it('cuts long words to the same length when storing and when searching', () => {
    const long = 'x'.repeat(MAX_TERM_LENGTH + 10);
    expect(textTerms(long, 10).every((t) => t.length <= MAX_TERM_LENGTH)).toBe(true);
    expect(finds(`${long} `, new Set(textTerms(long, 10)))).toBe(true);
  });
});

describe('stemming, English and French whatever the language', () => {
  it('finds a word by its other forms', () => {
    expect(wordTerms('invoices')).toContain('invoic');
    expect(finds('invoice ')).toBe(true);
    expect(finds('facture ')).toBe(true);
    expect(finds('commandes ')).toBe(true);
    expect(finds('renvoient ')).toBe(true);
    expect(finds('remboursement ')).toBe(false);
  });

  it('ignores accents on either side', () => {
    expect(finds('creees ')).toBe(true);
    expect(finds('créée ')).toBe(true);
    expect(finds('recu ')).toBe(true);
    expect(finds('RÉÇU ')).toBe(true);
  });

  it('finds numbers whole, and words in bodies as well as subjects', () => {
    expect(finds('502 ')).toBe(true);
    expect(finds('erreur 502 ')).toBe(true);
    expect(finds('503 ')).toBe(false);
  });
});

describe('CJK text by character bigrams', () => {
  it('stores bigrams, and a lone character as itself', () => {
    expect(cjkTerms('注文が')).toEqual(['注文', '文が']);
    expect(cjkTerms('注')).toEqual(['注']);
  });

  it('finds a run of characters anywhere in a longer one, not characters apart', () => {
    expect(finds('注文')).toBe(true);
    expect(finds('届かない')).toBe(true);
    expect(finds('文が届')).toBe(true);
    expect(finds('注届')).toBe(false);
  });
});

describe('prefix matching of the last word typed', () => {
  it('matches the start of a word only for the last word, not after a space', () => {
    expect(finds('invoi')).toBe(true);
    expect(finds('invoi ')).toBe(false);
    expect(finds('invoi facture')).toBe(false);
    expect(finds('facture invoi')).toBe(true);
    expect(finds('factu')).toBe(true);
  });
});

describe('requester and operators', () => {
  it('matches the start of any word of the requester name or email anywhere in the search', () => {
    for (const q of ['ali ', 'Alice ', 'smi ', 'jones ', 'alice.sm ', 'example ', 'Alice Smith ']) expect(finds(q), q).toBe(true);
    for (const q of ['lice ', 'mith ', 'alicex ']) expect(finds(q), q).toBe(false);
  });

  it('from: and to: match the start of an address, its domain or its local part', () => {
    expect(finds('from:alice')).toBe(true);
    expect(finds('from:example.com')).toBe(true);
    expect(finds('from:alice.smith@example.com')).toBe(true);
    expect(finds('from:bob')).toBe(false);
    expect(finds('to:support@acme')).toBe(true);
    expect(finds('to:acme.test')).toBe(true);
    expect(finds('to:alice')).toBe(false);
  });

  it('-word leaves out tickets holding it', () => {
    expect(finds('facture -erreur')).toBe(false);
    expect(finds('facture -remboursement')).toBe(true);
  });
});

describe('what is stored', () => {
  it('stores subject terms also as s: terms, each term once', () => {
    expect(ticket).toEqual(expect.arrayContaining(['invoic', 's:invoic', '4411', 's:4411', 'jose', 's:jose']));
    expect(new Set(ticket).size).toBe(ticket.length);
    expect(body.some((t) => t.startsWith('s:'))).toBe(false);
    const subjectOnly = new Set(ticket);
    expect(subjectConditions(parseSearchQuery('invoice 4411').words).every((c) => holds(subjectOnly, c))).toBe(true);
    expect(subjectConditions(parseSearchQuery('facture').words).every((c) => holds(subjectOnly, c))).toBe(false);
  });

  it('drops stop words and bounds what one message adds', () => {
    expect(textTerms('the le la of des', 100)).toEqual([]);
    const many = Array.from({ length: 5000 }, (_, i) => `mot${i}x`).join(' ');
    expect(messageSearchTerms({ text: many }).length).toBeLessThanOrEqual(MAX_MESSAGE_TERMS + 63);
  });
});
