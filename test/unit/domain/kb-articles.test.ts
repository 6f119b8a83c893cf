import { describe, expect, it } from 'vitest';
import { agentScope, canEditKb, canManageKbCategories, excerptOf, inScope, isSlug, kbSearchTerms, normalizeTags, PUBLIC_SCOPE, slugify, uniqueSlug } from '../../../src/domain/kb-articles.js';
import { parseSearchQuery, subjectConditions } from '../../../src/domain/search-query.js';

describe('slugs', () => {
  it('folds accents and punctuation into hyphenated words', () => {
    expect(slugify('Réinitialisation du mot de passe !')).toBe('reinitialisation-du-mot-de-passe');
    expect(slugify('  VPN: "Can’t connect" (Windows 11) ')).toBe('vpn-can-t-connect-windows-11');
    expect(slugify('???')).toBe('article');
    expect(isSlug(slugify('日本語のヘルプ'))).toBe(true);
  });

  it('cuts long titles at a word and never past 80 characters', () => {
    const slug = slugify('word '.repeat(40));
    expect(slug.length).toBeLessThanOrEqual(80);
    expect(slug.endsWith('-')).toBe(false);
    expect(slugify('x'.repeat(120))).toHaveLength(40);
  });

  it('takes the first free -n suffix', () => {
    expect(uniqueSlug('reset', new Set())).toBe('reset');
    expect(uniqueSlug('reset', new Set(['reset', 'reset-2']))).toBe('reset-3');
  });

  it('accepts only the slugs slugify makes', () => {
    expect(isSlug('reset-password-2')).toBe(true);
    for (const bad of ['', 'Reset', 'a--b', '-a', 'a/b', '../x', 'a b']) expect(isSlug(bad), bad).toBe(false);
  });
});

describe('who edits and who reads', () => {
  it('lets admins and managers edit, agents only with the permission', () => {
    expect(canEditKb({ role: 'admin' })).toBe(true);
    expect(canEditKb({ role: 'manager' })).toBe(true);
    expect(canEditKb({ role: 'agent' })).toBe(false);
    expect(canEditKb({ role: 'agent', kbEditor: true })).toBe(true);
    expect(canManageKbCategories({ role: 'agent', kbEditor: true })).toBe(false);
  });

  it('shows the public published public articles only; agents internal ones too; editors every status', () => {
    const article = (status: 'draft' | 'published' | 'archived', visibility: 'public' | 'internal') => ({ status, visibility });
    expect(inScope(article('published', 'public'), PUBLIC_SCOPE)).toBe(true);
    expect(inScope(article('published', 'internal'), PUBLIC_SCOPE)).toBe(false);
    expect(inScope(article('draft', 'public'), PUBLIC_SCOPE)).toBe(false);
    expect(inScope(article('published', 'internal'), agentScope({ role: 'agent' }))).toBe(true);
    expect(inScope(article('draft', 'public'), agentScope({ role: 'agent' }))).toBe(false);
    expect(inScope(article('archived', 'internal'), agentScope({ role: 'agent', kbEditor: true }))).toBe(true);
  });
});

describe('search terms', () => {
  const terms = kbSearchTerms({ title: 'Réinitialisation du mot de passe', body: 'Cliquez sur [le lien](https://example.com/reset-token) reçu.', tags: ['Compte'] });

  it('holds the title twice (plain and s:), tags and body words, but no link targets', () => {
    expect(terms).toContain('reinitialis');
    expect(terms).toContain('s:reinitialis');
    expect(terms).toContain('compt');
    expect(terms).toContain('lien');
    expect(terms.some((t) => t.includes('example') || t.includes('token'))).toBe(false);
  });

  it('meets an inflected French search typed without accents, through the ticket search parser', () => {
    const query = parseSearchQuery('reinitialiser');
    const [condition] = subjectConditions(query.words);
    const held = (c: typeof condition) => (c!.prefix !== undefined ? terms.some((t) => t.startsWith(c!.prefix!)) : c!.anyOf.some((t) => terms.includes(t)));
    expect(held(condition)).toBe(true);
  });

  it('normalizes tags and cuts excerpts at a word', () => {
    expect(normalizeTags([' VPN ', 'vpn', '', 'Wi-Fi'])).toEqual(['vpn', 'wi-fi']);
    const excerpt = excerptOf('word '.repeat(100));
    expect(excerpt.length).toBeLessThanOrEqual(241);
    expect(excerpt.endsWith('word…')).toBe(true);
  });
});
