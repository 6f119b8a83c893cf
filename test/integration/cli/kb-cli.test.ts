import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Actor } from '../../../src/services/access.js';
import { createKbArticle } from '../../../src/services/kb/create-kb-article.js';
import { createKbCategory } from '../../../src/services/kb/create-kb-category.js';
import { updateKbArticle } from '../../../src/services/kb/update-kb-article.js';
import { connectMongo } from '../../../src/store/database.js';
import { createModels, ensureIndexes, type Models } from '../../../src/store/models/index.js';
import { createStores } from '../../../src/store/stores.js';
import { testLogger, uniqueDbName } from '../../helpers/db.js';
import { runCli, type CliResult } from '../../helpers/process.js';
import { withDbName } from '../../helpers/uri.js';

const SECRET_KEY = 'kb-cli-test-secret-key-'.padEnd(40, 'z');
const editor: Actor = { userId: new Types.ObjectId(), role: 'manager', inboxIds: [] };
let dir: string;
const dbs: Array<{ uri: string; connection: Connection; models: Models }> = [];

async function openDb(prefix: string) {
  const uri = withDbName(inject('mongoUri'), uniqueDbName(prefix));
  const connection = await connectMongo(uri, { serverSelectionTimeoutMs: 5000 }, testLogger);
  const models = createModels(connection);
  await ensureIndexes(models);
  const db = { uri, connection, models };
  dbs.push(db);
  return db;
}

/** Runs the CLI the way `npm run kb --` does, against a database. */
function cli(uri: string, args: string[]): Promise<CliResult> {
  return runCli('src/cli/kb.ts', args, { env: { MONGODB_URI: uri, SECRET_KEY } });
}

/** The articles as a reader compares them (no ids, dates or authors). */
async function articlesOf(models: Models) {
  const categories = new Map((await models.KbCategory.find().lean()).map((c) => [String(c._id), `${c.language}/${c.slug}`]));
  const rows = await models.KbArticle.find().sort({ language: 1, slug: 1 }).lean();
  return rows.map((a) => ({
    title: a.title, slug: a.slug, language: a.language, body: a.body, html: a.html, tags: a.tags, visibility: a.visibility, status: a.status,
    category: a.categoryId ? categories.get(String(a.categoryId)) : null, searchTerms: [...a.searchTerms].sort(),
  }));
}

let source: Awaited<ReturnType<typeof openDb>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tl-kb-cli-'));
  source = await openDb('kb_cli_src');
  const deps = { ...createStores(source.models), now: () => new Date() };
  const compte = await createKbCategory(deps, editor, { name: 'Compte', language: 'fr', description: 'Mots de passe et accès', position: 1 });
  await createKbCategory(deps, editor, { name: 'Billing', language: 'en' });
  const reset = await createKbArticle(deps, editor, {
    title: 'Réinitialisation du mot de passe', body: 'Ouvrez **Compte**.\n\n---\n\n1. « Mot de passe oublié ? »\n2. Suivez le lien: "ici"', language: 'fr', status: 'published', categoryId: compte.id, tags: ['compte', 'Mot de passe'],
  });
  // A renamed article keeps its first slug: the files carry it.
  await updateKbArticle(deps, editor, reset.id, { title: 'Réinitialiser son mot de passe: "pas à pas"' });
  await createKbArticle(deps, editor, { title: 'Internal: refund steps', body: '## Steps\n\n- Check the order', language: 'en', visibility: 'internal', status: 'published' });
  await createKbArticle(deps, editor, { title: 'Draft about invoices', body: 'Not ready.', language: 'en' });
});
afterAll(async () => {
  for (const db of dbs) {
    await db.connection.dropDatabase();
    await db.connection.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run kb', () => {
  let target: Awaited<ReturnType<typeof openDb>>;

  it('exports every article as Markdown with front matter, and the categories in an index', async () => {
    const res = await cli(source.uri, ['export', dir]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('exported 3 articles and 2 categories');
    const file = readFileSync(path.join(dir, 'fr', 'reinitialisation-du-mot-de-passe.md'), 'utf8');
    expect(file).toBe(
      '---\ntitle: "Réinitialiser son mot de passe: \\"pas à pas\\""\nslug: reinitialisation-du-mot-de-passe\nlanguage: fr\ncategory: compte\ntags: ["compte","mot de passe"]\nvisibility: public\nstatus: published\n---\n\n' +
        'Ouvrez **Compte**.\n\n---\n\n1. « Mot de passe oublié ? »\n2. Suivez le lien: "ici"\n',
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'categories.json'), 'utf8'))).toEqual([
      { language: 'en', slug: 'billing', name: 'Billing', description: null, position: 0 },
      { language: 'fr', slug: 'compte', name: 'Compte', description: 'Mots de passe et accès', position: 1 },
    ]);
  });

  it('imports into an empty database the same articles, and a second import changes nothing', async () => {
    target = await openDb('kb_cli_dst');
    const first = await cli(target.uri, ['import', dir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('articles 3 created, 0 changed, 0 unchanged; categories 2 created');
    expect(await articlesOf(target.models)).toEqual(await articlesOf(source.models));
    const revisions = await target.models.KbRevision.countDocuments();
    expect(revisions).toBe(3);
    const second = await cli(target.uri, ['import', dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('articles 0 created, 0 changed, 3 unchanged; categories 0 created, 0 changed, 2 unchanged');
    expect(await target.models.KbRevision.countDocuments()).toBe(revisions);
  });

  it('saves a changed file as a new revision of the article with the same language and slug', async () => {
    const file = path.join(dir, 'en', 'draft-about-invoices.md');
    writeFileSync(file, readFileSync(file, 'utf8').replace('Not ready.', 'Open **Billing**, then *Invoices*.').replace('status: draft', 'status: published'));
    const res = await cli(target.uri, ['import', dir]);
    expect(res.stdout).toContain('articles 0 created, 1 changed, 2 unchanged');
    const article = (await target.models.KbArticle.findOne({ language: 'en', slug: 'draft-about-invoices' }).lean())!;
    expect(article).toMatchObject({ revision: 2, status: 'published', html: '<p>Open <strong>Billing</strong>, then <em>Invoices</em>.</p>' });
    expect(await target.models.KbRevision.countDocuments({ articleId: article._id })).toBe(2);
  });

  it('refuses a folder with bad front matter, naming each file and field, and imports nothing', async () => {
    const bad = mkdtempSync(path.join(tmpdir(), 'tl-kb-cli-bad-'));
    try {
      mkdirSync(path.join(bad, 'en'));
      mkdirSync(path.join(bad, 'fr'));
      writeFileSync(path.join(bad, 'en', 'good-one.md'), '---\ntitle: Good one\nslug: good-one\nlanguage: en\n---\n\nFine.\n');
      writeFileSync(path.join(bad, 'en', 'live.md'), '---\ntitle: Live\nslug: live\nlanguage: en\nstatus: live\n---\n\nText.\n');
      writeFileSync(path.join(bad, 'fr', 'sans-titre.md'), '---\nslug: sans-titre\nlanguage: fr\n---\n\nTexte.\n');
      writeFileSync(path.join(bad, 'fr', 'autre.md'), '---\ntitle: Autre\nslug: autre\nlanguage: fr\ncategory: inconnue\n---\n\nTexte.\n');
      const before = await target.models.KbArticle.countDocuments();
      const res = await cli(target.uri, ['import', bad]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('error VALIDATION_FAILED: Nothing was imported: 3 problems');
      expect(res.stderr).toContain('en/live.md: status: ');
      expect(res.stderr).toContain('fr/sans-titre.md: title: is required');
      expect(res.stderr).toContain('fr/autre.md: category: no category "inconnue" in fr');
      expect(res.stderr).not.toContain('good-one');
      expect(await target.models.KbArticle.countDocuments()).toBe(before);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('prints its usage and refuses unknown commands', async () => {
    const res = await cli(target.uri, ['sync', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('error VALIDATION_FAILED: give export DIR or import DIR');
  });
});
