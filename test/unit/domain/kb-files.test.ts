import { describe, expect, it } from 'vitest';
import { formatArticleFile, KbFileError, parseArticleFile, parseCategories, type ArticleFile } from '../../../src/domain/kb-files.js';

const article: ArticleFile = {
  title: 'Paiement : "carte" refusée', slug: 'paiement-carte-refusee', language: 'fr', category: 'facturation', tags: ['paiement', 'carte bancaire'],
  visibility: 'internal', status: 'archived', body: '# Étapes\n\n---\n\nVérifiez la carte.',
};

const problem = (text: string) => {
  try {
    parseArticleFile(text);
  } catch (err) {
    if (err instanceof KbFileError) return `${err.field}: ${err.problem}`;
    throw err;
  }
  return null;
};

describe('article files', () => {
  it('reads back what it writes, a title with quotes and colons and a body with a --- rule included', () => {
    const text = formatArticleFile(article);
    expect(text.startsWith('---\ntitle: "Paiement : \\"carte\\" refusée"\nslug: paiement-carte-refusee\n')).toBe(true);
    expect(parseArticleFile(text)).toEqual(article);
    expect(parseArticleFile(text.replace(/\n/g, '\r\n'))).toEqual(article);
  });

  it('reads hand-written front matter: bare values, comma-separated tags, defaults, comments', () => {
    expect(parseArticleFile('---\n# written by hand\ntitle:  Reset a password \nslug: reset\nlanguage: en\ntags: login, account\n---\nText')).toEqual({
      title: 'Reset a password', slug: 'reset', language: 'en', category: null, tags: ['login', 'account'], visibility: 'public', status: 'draft', body: 'Text',
    });
  });

  it('names the field that is wrong', () => {
    expect(problem('title: x\n')).toMatch(/^front matter: the file must start with/);
    expect(problem('---\ntitle: x\nslug: x\nlanguage: en\n')).toBe('front matter: has no closing "---" line');
    expect(problem('---\nslug: x\nlanguage: en\n---\n')).toBe('title: is required');
    expect(problem('---\ntitle: x\nslug: x\nlanguage: en\nauthor: me\n---\n')).toMatch(/^author: is not a field/);
    expect(problem('---\ntitle: x\ntitle: y\nslug: x\nlanguage: en\n---\n')).toBe('title: is given twice');
    expect(problem('---\ntitle: "unclosed\nslug: x\nlanguage: en\n---\n')).toMatch(/^title: has a quoted value/);
    expect(problem('---\ntitle: x\nslug: x\nlanguage: en\ntags: [1, 2]\n---\n')).toBe('tags: must be a list of strings');
    expect(problem('---\njust words\n---\n')).toBe('front matter: "just words" is not a "key: value" line');
  });
});

describe('the categories index', () => {
  it('reads entries with defaults and names a bad one by position', () => {
    expect(parseCategories('[{"language":"en","slug":"billing","name":"Billing"}]')).toEqual([{ language: 'en', slug: 'billing', name: 'Billing', description: null, position: 0 }]);
    expect(() => parseCategories('[{"language":"en","slug":"a","name":"A"},{"language":"en","name":"B"}]')).toThrow('[1].slug: is required (a string)');
    expect(() => parseCategories('{')).toThrow(/^categories: is not JSON/);
    expect(() => parseCategories('[{"language":"en","slug":"a","name":"A","position":-1}]')).toThrow('[0].position: must be a whole number from 0');
  });
});
