/**
 * The help center through the real app on the built-in database (durable engine, in its own process,
 * as bench/web.ts runs it): 5,000 articles in English and French (bench/search-corpus.ts's Zipf
 * vocabulary, titles a support team writes, 10% internal or draft), then p50/p95 of the public search
 * (page and API) and of article pages, each against `/healthz` measured in the same run. Targets
 * (issue 19): search p95 < 50 ms, article page p95 < 20 ms. Article pages rotate over every public
 * article, read as a browser would (so every view is counted, as in production).
 * Run: `npm run bench -- kb` (`-- kb --quick`: 500 articles, fewer requests). BENCH_RUNS (default
 * 300) sets the requests per figure, BENCH_WARMUP (default 30) the warm-up; BENCH_KB_ARTICLES the size.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Types } from 'mongoose';
import pino from 'pino';
import { slugify, uniqueSlug, type KbLanguage } from '../src/domain/kb-articles.js';
import { articleContent } from '../src/services/kb/article-content.js';
import { connectMongo } from '../src/store/database.js';
import { createModels, ensureIndexes } from '../src/store/models/index.js';
import { createBlobStore } from '../src/store/blob-store.js';
import { hashPassword, verifyPassword } from '../src/store/passwords.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { createStores } from '../src/store/stores.js';
import { createApp } from '../src/web/create-app.js';
import { spawnEntry } from '../test/helpers/process.js';
import { compose } from '../test/helpers/use-case-deps.js';
import { buildCorpus, englishWordAt, messageText, rngFor } from './search-corpus.js';
import { printTable, timeSequential } from './stats.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const ARTICLES = Number(process.env.BENCH_KB_ARTICLES ?? (QUICK ? 500 : 5_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 60 : 300));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 10 : 30));
const TARGETS = { search: 50, article: 20 };
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CORPUS = buildCorpus();

const TITLES: Record<KbLanguage, { templates: string[]; topics: string[]; contexts: string[] }> = {
  en: {
    templates: ['How to reset your {t}', 'Why is my {t} rejected?', 'Change the {t} settings', 'Troubleshooting {t} errors', 'Set up {t}', 'Understanding your {t}', 'Cancel or pause a {t}', 'What to do when the {t} fails'],
    topics: ['password', 'invoice', 'refund', 'login', 'shipping address', 'delivery', 'order', 'subscription', 'export', 'upload', 'printer', 'account', 'payment method', 'discount code', 'warranty', 'API key', 'report', 'calendar sync', 'mobile app', 'two-factor authentication'],
    contexts: ['', 'on the web app', 'on iOS', 'on Android', 'for teams', 'for admins', 'in the EU', 'after a migration', 'with SSO', 'on a shared device', 'for resellers', 'in the desktop app'],
  },
  fr: {
    templates: ['Réinitialiser votre {t}', 'Pourquoi ma {t} est-elle refusée ?', 'Modifier les réglages de {t}', 'Résoudre les erreurs de {t}', 'Configurer la {t}', 'Comprendre votre {t}', 'Annuler ou suspendre un {t}', 'Que faire quand la {t} échoue'],
    topics: ['mot de passe', 'facture', 'remboursement', 'connexion', 'adresse de livraison', 'livraison', 'commande', 'abonnement', 'exportation', 'imprimante', 'compte', 'carte bancaire', 'code promo', 'garantie', 'clé API', 'synchronisation', 'application mobile', 'double authentification'],
    contexts: ['', 'sur le web', 'sur iOS', 'sur Android', 'pour les équipes', 'pour les administrateurs', 'en Europe', 'après une migration', 'avec le SSO', 'sur un appareil partagé', 'pour les revendeurs'],
  },
};
const HEADINGS: Record<KbLanguage, string[]> = { en: ['Before you start', 'Steps', 'If it still does not work', 'Good to know'], fr: ['Avant de commencer', 'Étapes', 'Si cela ne fonctionne toujours pas', 'Bon à savoir'] };

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** Article i: language, title, Markdown body (headings, paragraphs, a list), category, visibility and status, from a generator seeded by i. */
function articleAt(i: number, categories: Record<KbLanguage, Types.ObjectId[]>, taken: Map<KbLanguage, Set<string>>) {
  const r = rngFor(i + 31_000_001);
  const language: KbLanguage = r() < 0.6 ? 'en' : 'fr';
  const t = TITLES[language];
  const context = pick(r, t.contexts);
  let title = `${pick(r, t.templates).replace('{t}', pick(r, t.topics))}${context ? ` ${context}` : ''}`;
  if (taken.get(language)!.has(slugify(title))) title = `${title} (${language === 'en' ? 'part' : 'partie'} ${i})`;
  // As the app does: a slug taken in the language gets the first free `-2`, `-3`…
  const slug = uniqueSlug(slugify(title), taken.get(language)!);
  taken.get(language)!.add(slug);
  const sections = HEADINGS[language].slice(0, 2 + Math.floor(r() * 3));
  const body = sections
    .map((h, k) => (k === 1 ? `## ${h}\n\n${Array.from({ length: 3 + Math.floor(r() * 4) }, (_, n) => `${n + 1}. ${messageText(r, CORPUS, language).split('.')[0]}.`).join('\n')}` : `## ${h}\n\n${messageText(r, CORPUS, language)}`))
    .join('\n\n');
  const tags = [pick(r, t.topics)];
  const v = r();
  return {
    _id: new Types.ObjectId(), title, slug, language, body, tags, categoryId: r() < 0.9 ? pick(r, categories[language]) : null,
    visibility: v < 0.05 ? ('internal' as const) : ('public' as const), status: v >= 0.05 && v < 0.1 ? ('draft' as const) : ('published' as const),
    ...articleContent({ title, body, tags }), authorId: null, updatedById: null, revision: 1, publishedAt: new Date(), counters: { helpfulYes: 0, helpfulNo: 0 },
    createdAt: new Date(Date.now() - r() * 365 * 86_400_000), updatedAt: new Date(Date.now() - r() * 180 * 86_400_000),
  };
}

const time = (run: () => Promise<unknown>) => timeSequential(run, WARMUP, RUNS);

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-kb-'));
  const devdb = spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', '--data-dir', dataDir]);
  try {
    await measure(devdb);
  } finally {
    devdb.child.kill('SIGTERM');
    await devdb.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(devdb: ReturnType<typeof spawnEntry>) {
  while (!/^mongodb:\/\//m.test(devdb.output())) await new Promise((r) => setTimeout(r, 5));
  const uri = devdb.output().split('\n')[0]!.trim();
  console.log('database: built-in server, durable engine (LMDB), in its own process');
  const conn = await connectMongo(uri, { serverSelectionTimeoutMs: 5000, dbName: 'bench_kb' }, pino({ level: 'error' }));
  const models = createModels(conn);
  await ensureIndexes(models);
  await models.Inbox.create({ name: 'Support', displayName: 'Acme Support', address: 'help@acme.example', imap: { host: 'imap.example', port: 993 }, smtp: { host: 'smtp.example', port: 465 } });

  const t0 = performance.now();
  const categories = { en: [] as Types.ObjectId[], fr: [] as Types.ObjectId[] };
  for (const language of ['en', 'fr'] as const) {
    for (const [k, name] of TITLES[language].topics.slice(0, 10).entries()) {
      const _id = new Types.ObjectId();
      categories[language].push(_id);
      await models.KbCategory.create({ _id, name: name[0]!.toUpperCase() + name.slice(1), language, slug: slugify(name), position: k, description: null });
    }
  }
  const taken = new Map<KbLanguage, Set<string>>([['en', new Set()], ['fr', new Set()]]);
  const docs = Array.from({ length: ARTICLES }, (_, i) => articleAt(i, categories, taken));
  for (let k = 0; k < docs.length; k += 250) await conn.db!.collection('kb_articles').insertMany(docs.slice(k, k + 250), { ordered: false });
  const terms = docs.reduce((n, d) => n + d.searchTerms.length, 0) / docs.length;
  console.log(`${ARTICLES} articles (${docs.filter((d) => d.language === 'en').length} en, ${docs.filter((d) => d.language === 'fr').length} fr; ${terms.toFixed(0)} search terms each on average) rendered and seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const stores = createStores(models);
  const now = () => new Date();
  const unlimited = { capacity: 1e9, perSecond: 1e9 };
  const secrets = createSecretBox('bench-secret-key-of-at-least-32-chars!!');
  const blobs = createBlobStore(conn.db!);
  const passwords = { hash: hashPassword, verify: verifyPassword };
  const logger = pino({ level: 'error' });
  const app = createApp({
    logger,
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'bench' }, workers: [] }),
    api: { stores, passwords, secrets, blobs, now, helpSearchLimit: unlimited },
    pages: { stores, passwords, now, publicUrl: null, blobs, secrets, helpLimits: { search: unlimited, vote: unlimited }, actions: { ...stores, now, scheduler: {} as never, compose, sign: (() => '') as never, refreshSla: async () => {} } },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (p: string | (() => string), expect = 200) => async () => {
    const res = await fetch(base + (typeof p === 'string' ? p : p()), { headers: { 'user-agent': BROWSER, 'accept-language': 'en' } });
    if (res.status !== expect) throw new Error(`${typeof p === 'string' ? p : 'an article page'} answered ${res.status}`);
    return res.text();
  };
  const readable = docs.filter((d) => d.status === 'published' && d.visibility === 'public');
  let next = 0;
  const nextArticle = () => {
    const d = readable[(next = (next + 7919) % readable.length)]!;
    return `/help/${d.language}/${d.slug}`;
  };
  const rare = englishWordAt(CORPUS, 12_000);
  const found = async (p: string) => ((await (await fetch(`${base}${p}`)).json()) as { items: unknown[] }).items.length;
  const scenarios: Array<{ name: string; kind: 'baseline' | 'search' | 'article' | 'page'; run: () => Promise<unknown>; rows?: () => Promise<number> }> = [
    { name: '/healthz (baseline)', kind: 'baseline', run: get('/healthz') },
    { name: 'page /help/en (home)', kind: 'page', run: get('/help/en') },
    { name: 'page /help/fr/c/… (category)', kind: 'page', run: get(`/help/fr/c/${slugify(TITLES.fr.topics[0]!)}`) },
    { name: 'article page (rotating over all)', kind: 'article', run: get(nextArticle) },
    { name: 'article page (the same one)', kind: 'article', run: get(`/help/${readable[0]!.language}/${readable[0]!.slug}`) },
    ...(
      [
        ['password', 'en'],
        ['reset password', 'en'],
        ['invo', 'en'],
        [rare, 'en'],
        ['reinitialiser', 'fr'],
        ['facture refusée', 'fr'],
        ['mot de passe', 'fr'],
        // French words in the English articles: almost no match, the worst case (every English article is looked at).
        ['mot de passe', 'en'],
      ] as const
    ).flatMap(([q, lang]) => {
      const qs = `q=${encodeURIComponent(q)}&lang=${lang}`;
      return [
        { name: `search page ?q=${q} (${lang})`, kind: 'search' as const, run: get(`/help/search?${qs}`), rows: () => found(`/api/v1/help/search?${qs}`) },
        { name: `search API ?q=${q} (${lang})`, kind: 'search' as const, run: get(`/api/v1/help/search?${qs}`), rows: () => found(`/api/v1/help/search?${qs}`) },
      ];
    }),
    // The API may search both languages at once.
    { name: 'search API ?q=password (both)', kind: 'search', run: get('/api/v1/help/search?q=password'), rows: () => found('/api/v1/help/search?q=password') },
  ];
  const results = new Map<string, { p50: number; p95: number; rows: string }>();
  for (const s of scenarios) results.set(s.name, { ...(await time(s.run)), rows: s.rows ? String(await s.rows()) : '' });
  const baseline = results.get('/healthz (baseline)')!;
  console.log(`\nhelp center latency, ${RUNS} sequential requests per figure after ${WARMUP} warm-up, ${ARTICLES} articles`);
  let missed = 0;
  printTable(
    ['request', 'results', 'p50 ms', 'p95 ms', 'p50 ÷ /healthz', 'p95 ÷ /healthz', 'target p95'],
    scenarios.map((s) => {
      const r = results.get(s.name)!;
      const target = s.kind === 'search' ? TARGETS.search : s.kind === 'article' ? TARGETS.article : null;
      if (target !== null && r.p95 >= target) missed++;
      return [s.name, r.rows, r.p50.toFixed(2), r.p95.toFixed(2), (r.p50 / baseline.p50).toFixed(1), (r.p95 / baseline.p95).toFixed(1), target === null ? '' : `< ${target} ms ${r.p95 < target ? 'met' : 'MISSED'}`];
    }),
  );
  const searches = scenarios.filter((s) => s.kind === 'search').map((s) => results.get(s.name)!.p95);
  const articles = scenarios.filter((s) => s.kind === 'article').map((s) => results.get(s.name)!.p95);
  console.log(`\nslowest search p95 ${Math.max(...searches).toFixed(2)} ms (target < ${TARGETS.search}); slowest article page p95 ${Math.max(...articles).toFixed(2)} ms (target < ${TARGETS.article})${missed ? `; ${missed} figure(s) missed` : '; every target met'}`);
  // The counts of the article pages read, written by the buffered counter (a second at most later).
  await new Promise((r) => setTimeout(r, 1500));
  const [views] = await models.KbArticleStat.aggregate<{ n: number }>([{ $group: { _id: null, n: { $sum: '$views' } } }]);
  console.log(`views counted meanwhile: ${views?.n ?? 0} in ${await models.KbArticleStat.countDocuments()} article-day documents`);
  server.closeAllConnections();
  server.close();
  await conn.close();
  if (process.env.BENCH_STRICT === '1' && missed) process.exitCode = 1;
}

await main();
