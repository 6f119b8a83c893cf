import { describe, expect, it } from 'vitest';
import { holdsPhrase, MAX_SEARCH_CONDITIONS, parseSearchQuery, prefixRangeEnd, SearchQueryError } from '../../../src/domain/search-query.js';

const problemOf = (q: string) => {
  try {
    parseSearchQuery(q);
    return null;
  } catch (err) {
    return err instanceof SearchQueryError ? err.problem : 'other';
  }
};

describe('parseSearchQuery', () => {
  it('reads operators, phrases and exclusions', () => {
    const s = parseSearchQuery('from:Alice@Example.com to:support tag:VIP status:ouvert -status:closed -tag:spam team:Niveau "erreur 502" -"mot de passe" -facture panne');
    expect(s.people).toEqual([{ prefix: 'f:alice@example.com' }, { prefix: 't:support' }]);
    expect(s.tags).toEqual(['vip']);
    expect(s.excludedTags).toEqual(['spam']);
    expect(s.statuses).toEqual(['open']);
    expect(s.excludedStatuses).toEqual(['closed']);
    expect(s.teams).toEqual(['niveau']);
    expect(s.phrases).toEqual([['erreur', '502']]);
    expect(s.excludedPhrases).toEqual([['mot', 'de', 'passe']]);
    expect(s.excluded).toEqual(['factur']);
    expect(s.words).toEqual([{ anyOf: ['erreur'] }, { anyOf: ['502'] }, { prefix: 'pann' }]);
  });

  it('takes French status names, with or without accents', () => {
    for (const [name, status] of [['résolu', 'solved'], ['Fermé', 'closed'], ['attente', 'pending'], ['nouveau', 'new'], ['pending', 'pending']] as const) {
      expect(parseSearchQuery(`status:${name}`).statuses, name).toEqual([status]);
    }
  });

  it('keeps a colon that is no operator as text', () => {
    expect(parseSearchQuery('rdv 10:30 ').words).toEqual([{ anyOf: ['rdv'] }, { anyOf: ['10'] }, { anyOf: ['30'] }]);
  });

  it('refuses what cannot run, with a reason', () => {
    expect(problemOf('   !!! ')).toBe('noWord');
    expect(problemOf('the of le ')).toBe('commonWordsOnly');
    expect(problemOf('status:maybe')).toBe('unknownStatus');
    expect(problemOf('-from:alice')).toBe('negatedOperator');
    expect(problemOf('to:"  "')).toBe('emptyOperator');
    expect(problemOf(Array.from({ length: MAX_SEARCH_CONDITIONS + 1 }, (_, i) => `word${i}`).join(' '))).toBe('tooManyWords');
    expect(problemOf('tag:urgent')).toBeNull();
  });

  it('bounds a prefix range so every longer term starting with it is inside', () => {
    const end = prefixRangeEnd('inv');
    expect('invoice' < end && 'inv' < end && 'invz\u{10fffe}' < end).toBe(true);
    expect('inw' < end).toBe(false);
  });
});

describe('holdsPhrase', () => {
  it('matches the words in order, whatever the case, accents and punctuation between', () => {
    expect(holdsPhrase('Le serveur renvoie : ERREUR-502 depuis hier', ['erreur', '502'])).toBe(true);
    expect(holdsPhrase('erreur 503, puis 502', ['erreur', '502'])).toBe(false);
    expect(holdsPhrase('Mot de passé oublié', ['mot', 'de', 'passe'])).toBe(true);
    expect(holdsPhrase('the password expired', ['pass'])).toBe(false);
    expect(holdsPhrase('先週注文した商品がまだ届きません。', ['商品がまだ'])).toBe(true);
  });
});
