import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_SCOPE } from '../../../../src/domain/kb-articles.js';
import type { Actor } from '../../../../src/services/access.js';
import { archiveKbArticle } from '../../../../src/services/kb/archive-kb-article.js';
import { createKbArticle } from '../../../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../../../src/services/kb/create-kb-category.js';
import { deleteKbCategory } from '../../../../src/services/kb/delete-kb-category.js';
import { getKbArticle } from '../../../../src/services/kb/get-kb-article.js';
import { listKbArticles } from '../../../../src/services/kb/list-kb-articles.js';
import { listKbRevisions } from '../../../../src/services/kb/list-kb-revisions.js';
import { loadHelpArticle, loadHelpHome } from '../../../../src/services/kb/load-help-pages.js';
import { restoreKbRevision } from '../../../../src/services/kb/restore-kb-revision.js';
import { searchArticles } from '../../../../src/services/kb/kb-search.js';
import { searchHelp } from '../../../../src/services/kb/search-help.js';
import { updateKbArticle } from '../../../../src/services/kb/update-kb-article.js';
import { voteHelpArticle } from '../../../../src/services/kb/vote-help-article.js';
import { appErrorFrom } from '../../../helpers/app-error.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let deps: Awaited<ReturnType<typeof openTestDb>>['stores'] & { now: () => Date };
let clock = new Date('2026-03-02T10:00:00Z');
const manager: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [] };
const agent: Actor = { userId: new Types.ObjectId(), role: 'agent', inboxIds: [] };
const editorAgent: Actor = { ...agent, userId: new Types.ObjectId(), kbEditor: true };

const tick = () => (clock = new Date(clock.getTime() + 60_000));

beforeAll(async () => {
  db = await openTestDb('kb_articles');
  deps = { ...db.stores, now: () => clock };
});
afterAll(async () => db.drop());

describe('writing articles', () => {
  it('creates, publishes, revises and restores, numbering each text change as a revision', async () => {
    const created = await createKbArticle(deps, manager, { title: 'Réinitialisation du mot de passe', body: 'Ouvrez **Compte**, puis *Mot de passe*.', language: 'fr' });
    expect(created).toMatchObject({ slug: 'reinitialisation-du-mot-de-passe', status: 'draft', visibility: 'public', revision: 1, publishedAt: null });
    expect(created.html).toBe('<p>Ouvrez <strong>Compte</strong>, puis <em>Mot de passe</em>.</p>');
    tick();
    const published = await updateKbArticle(deps, manager, created.id, { status: 'published' });
    expect(published).toMatchObject({ status: 'published', revision: 1 });
    expect(published.publishedAt).toEqual(clock);
    tick();
    const revised = await updateKbArticle(deps, editorAgent, created.id, { body: 'Cliquez sur « Mot de passe oublié ».' });
    expect(revised.revision).toBe(2);
    const restored = await restoreKbRevision(deps, manager, created.id, '1');
    expect(restored).toMatchObject({ revision: 3, body: 'Ouvrez **Compte**, puis *Mot de passe*.', status: 'published' });
    const { items } = await listKbRevisions(deps, manager, created.id);
    expect(items.map((r) => [r.number, r.restoredFrom])).toEqual([[3, 1], [2, null], [1, null]]);
    expect(items[1]!.editorId).toBe(editorAgent.userId!.toHexString());
  });

  it('gives a second article of the same title a free address in its language only', async () => {
    const again = await createKbArticle(deps, manager, { title: 'Réinitialisation du mot de passe', body: 'Doublon.', language: 'fr' });
    expect(again.slug).toBe('reinitialisation-du-mot-de-passe-2');
    const english = await createKbArticle(deps, manager, { title: 'Réinitialisation du mot de passe', body: 'Same title, English.', language: 'en' });
    expect(english.slug).toBe('reinitialisation-du-mot-de-passe');
  });

  it('refuses agents without the permission, and hides drafts from them', async () => {
    expect((await appErrorFrom(createKbArticle(deps, agent, { title: 'Nope', body: 'x', language: 'en' }))).code).toBe('FORBIDDEN');
    const draft = await createKbArticle(deps, editorAgent, { title: 'Draft only', body: 'Secret plan', language: 'en' });
    expect((await appErrorFrom(getKbArticle(deps, agent, draft.id))).code).toBe('NOT_FOUND');
    expect((await appErrorFrom(updateKbArticle(deps, agent, draft.id, { title: 'x' }))).code).toBe('FORBIDDEN');
    expect((await getKbArticle(deps, editorAgent, draft.id)).title).toBe('Draft only');
  });

  it('files articles only under a category of their own language', async () => {
    const fr = await createKbCategory(deps, manager, { name: 'Compte', language: 'fr' });
    expect((await appErrorFrom(createKbCategory(deps, manager, { name: 'compte', language: 'fr' }))).code).toBe('CONFLICT');
    expect((await appErrorFrom(createKbCategory(deps, agent, { name: 'Other', language: 'fr' }))).code).toBe('FORBIDDEN');
    expect((await appErrorFrom(createKbArticle(deps, manager, { title: 'Billing', body: 'x', language: 'en', categoryId: fr.id }))).code).toBe('VALIDATION_FAILED');
    const filed = await createKbArticle(deps, manager, { title: 'Accès refusé', body: 'Vérifiez vos droits.', language: 'fr', categoryId: fr.id, status: 'published' });
    expect(filed.categoryId).toBe(fr.id);
    expect((await appErrorFrom(deleteKbCategory(deps, manager, fr.id))).code).toBe('CONFLICT');
  });
});

describe('searching', () => {
  it('finds "Réinitialisation du mot de passe" by the inflected, unaccented word "reinitialiser"', async () => {
    const found = await searchHelp(deps, { q: 'reinitialiser', lang: 'fr' });
    expect(found.items.map((a) => a.slug)).toEqual(['reinitialisation-du-mot-de-passe']);
    expect(found.items[0]!.url).toBe('/help/fr/reinitialisation-du-mot-de-passe');
    // The last word typed also matches as the start of a word.
    expect((await searchHelp(deps, { q: 'réinit', lang: 'fr' })).items).toHaveLength(1);
  });

  it('ranks title matches over body matches', async () => {
    const inBody = await createKbArticle(deps, manager, { title: 'Getting started', body: 'Your invoice arrives monthly.', language: 'en', status: 'published' });
    tick();
    const inTitle = await createKbArticle(deps, manager, { title: 'Invoices explained', body: 'Where to find them.', language: 'en', status: 'published' });
    tick();
    await updateKbArticle(deps, manager, inBody.id, { body: 'Your invoice arrives monthly, by mail.' });
    const found = await searchHelp(deps, { q: 'invoice', lang: 'en' });
    // The body match changed last, so a plain newest-first order would put it first.
    expect(found.items.map((a) => a.id)).toEqual([inTitle.id, inBody.id]);
    // A prefix of the last word ranks the same way; and with more matches than a page, the page
    // is the title matches.
    expect((await searchHelp(deps, { q: 'invo', lang: 'en' })).items.map((a) => a.id)).toEqual([inTitle.id, inBody.id]);
    expect((await searchArticles(deps, { scope: PUBLIC_SCOPE, language: 'en' }, 'invoice', 1)).items.map((a) => a._id.toHexString())).toEqual([inTitle.id]);
  });

  it('never shows drafts, archived or internal articles on the help center, while agents find internal ones', async () => {
    const internal = await createKbArticle(deps, manager, { title: 'Escalation runbook', body: 'Call the on-duty engineer.', language: 'en', status: 'published', visibility: 'internal' });
    await createKbArticle(deps, manager, { title: 'Runbook draft', body: 'Not yet.', language: 'en' });
    expect((await searchHelp(deps, { q: 'runbook' })).items).toEqual([]);
    expect((await appErrorFrom(loadHelpArticle(deps, 'en', 'escalation-runbook'))).code).toBe('NOT_FOUND');
    const agentList = await listKbArticles(deps, agent, { q: 'runbook' });
    expect(agentList.items.map((a) => a.id)).toEqual([internal.id]);
    const editorList = await listKbArticles(deps, manager, { q: 'runbook' });
    expect(editorList.items).toHaveLength(2);
    const archived = await createKbArticle(deps, manager, { title: 'Old printer setup', body: 'Obsolete.', language: 'en', status: 'published' });
    expect((await searchHelp(deps, { q: 'printer' })).items).toHaveLength(1);
    await archiveKbArticle(deps, manager, archived.id);
    expect((await searchHelp(deps, { q: 'printer' })).items).toEqual([]);
    expect((await appErrorFrom(getKbArticle(deps, agent, archived.id))).code).toBe('NOT_FOUND');
  });

  it('says why a search of nothing usable finds nothing', async () => {
    expect(await searchHelp(deps, { q: 'the and of' })).toEqual({ items: [], problem: 'commonWordsOnly' });
    expect(await searchHelp(deps, { q: '   ' })).toEqual({ items: [], problem: 'noWord' });
    expect((await appErrorFrom(searchHelp(deps, { q: 'x', lang: 'de' }))).code).toBe('VALIDATION_FAILED');
  });
});

describe('the help center', () => {
  it('lists categories with public articles and counts helpful votes of public articles only', async () => {
    const home = await loadHelpHome(deps, 'fr');
    expect(home.categories.map((c) => [c.name, c.count])).toEqual([['Compte', 1]]);
    expect(home.uncategorized.map((a) => a.slug)).toEqual(['reinitialisation-du-mot-de-passe']);
    const page = await loadHelpArticle(deps, 'fr', 'reinitialisation-du-mot-de-passe');
    await voteHelpArticle(deps, page.article.id, true);
    await voteHelpArticle(deps, page.article.id, false);
    await voteHelpArticle(deps, page.article.id, true);
    expect((await getKbArticle(deps, manager, page.article.id)).helpful).toEqual({ yes: 2, no: 1 });
    const draft = await createKbArticle(deps, manager, { title: 'Unpublished', body: 'x', language: 'en' });
    expect((await appErrorFrom(voteHelpArticle(deps, draft.id, true))).code).toBe('NOT_FOUND');
  });
});
