/**
 * Ticket list latency through the real express app (pages and JSON API) on the built-in database,
 * with 1k tickets and then with 100k tickets and 1M messages, in one run: p50/p95 of each request at
 * both sizes and their ratio, full-text searches included (bench/web-search.ts, on the text of
 * bench/search-corpus.ts). Then every filter combination the list page offers and every search is
 * explained at the large size (index used, documents examined). Run: `npm run bench -- web` (`-- web --quick` for
 * 10k tickets). BENCH_RUNS (default 300) sets the requests per figure, BENCH_WARMUP (default 30) the
 * warm-up requests before them; BENCH_COMBINATIONS=0 skips explaining the filter combinations. The database is the built-in
 * server on its durable engine with Node's default heap; `--memory-engine` runs the in-memory engine
 * instead (with a 16 GB heap, as it needs one at this size). At the end the database process is
 * killed and restarted on the same data, timed until it answers a ticket list again.
 * BENCH_DATA_DIR=dir keeps the durable database there and, on a later run, reuses it when it already
 * holds the large size (only the large size is then timed): for trying a change to a query or the
 * planner without seeding again. Its times are relative to the run that seeded it.
 */
import { createStores } from '../src/store/stores.js';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { performance } from 'node:perf_hooks';
import { Types, type Connection } from 'mongoose';
import pino from 'pino';
import { slaNextDueAt } from '../src/domain/sla-due.js';
import { SEARCH_INDEX_VERSION } from '../src/domain/ticket-search.js';
import { ticketAccessKeys } from '../src/domain/teams.js';
import type { TicketStatus } from '../src/domain/ticket-status.js';
import { listTickets } from '../src/services/tickets/list-tickets.js';
import { createBlobStore } from '../src/store/blob-store.js';
import { connectMongo } from '../src/store/database.js';
import { createModels, ensureIndexes, type Models } from '../src/store/models/index.js';
import { hashPassword, verifyPassword } from '../src/store/passwords.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { createApp } from '../src/web/create-app.js';
import { spawnEntry } from '../test/helpers/process.js';
import { percentile, printTable, timeSequential } from './stats.js';
import { logIn } from './web-login.js';
import { buildCorpus, conversationLanguage, englishWordAt, liveSearchTerms, messageText, rngFor, subjectIn } from './search-corpus.js';
import { explainSearches, queryString, searchScenarios } from './web-search.js';
import { compose } from '../test/helpers/use-case-deps.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const MEMORY_ENGINE = process.argv.includes('--memory-engine');
const SIZES = [1_000, QUICK ? 10_000 : 100_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 30);
const INBOXES = 8;
const AGENTS = 20;
const NOW = Date.now();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PASSWORD = 'bench agent password';
const KEEP_DIR = process.env.BENCH_DATA_DIR;
/* Fixed ids for the world, so that a kept database is found again by the next run. */
const fixedId = (kind: number, k: number) => new Types.ObjectId((kind * 256 + k).toString(16).padStart(24, '0'));

const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karin', 'Lukas', 'Maria', 'Martin', 'Nina', 'Oskar', 'Paula', 'Quentin', 'Rosa', 'Stefan', 'Tara', 'Uwe', 'Vera', 'Wim', 'Xenia', 'Yusuf', 'Zoe', 'Amir', 'Bea', 'Chen', 'Dana', 'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Jana', 'Kofi', 'Lea', 'Mateo', 'Noor', 'Olga', 'Pedro', 'Rui', 'Sara', 'Tom', 'Ulla', 'Vik', 'Wanda', 'Yara'];
const LAST = ['Smith', 'Müller', 'Garcia', 'Nguyen', 'Kowalski', 'Rossi', 'Dubois', 'Jensen', 'Silva', 'Novak', 'Tanaka', 'Okafor', 'Larsen', 'Horvat', 'Ivanova', 'Kim', 'Schmidt', 'Lopez', 'Fischer', 'Moreau', 'Costa', 'Berg', 'Weber', 'Meyer', 'Wagner'];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net', 'corp.example', 'webmail.example.de'];
const TOPICS = ['invoice', 'refund', 'login', 'password', 'shipping', 'delivery', 'order', 'subscription', 'export', 'upload', 'printer', 'account', 'payment', 'discount', 'warranty', 'api', 'report', 'sync', 'calendar', 'mobile app'];
const SUBJECTS = ['Problem with my {t}', '{t} not working since yesterday', 'Question about {t}', 'Urgent: {t} failed', 'Re: {t} again', 'Can you help with the {t}?', '{t} is wrong on my account', 'Feedback on the new {t}'];
/* Message text: a Zipf vocabulary of 20k words per language, English, French and CJK (bench/search-corpus.ts). */
const CORPUS = buildCorpus();
/** A word of the English tail (rank 12,000 of 20,000), in about 1% of English conversations. */
const RARE_WORD = englishWordAt(CORPUS, 12_000);
/** Tag and the share of tickets carrying it. */
const TAGS: Array<[string, number]> = [['billing', 0.2], ['bug', 0.12], ['feature-request', 0.08], ['vip', 0.05], ['refund', 0.06], ['onboarding', 0.04], ['integration', 0.03], ['escalated', 0.02], ['legal', 0.005]];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

interface World {
  inboxIds: Types.ObjectId[];
  agentIds: Types.ObjectId[];
  /** Two L1 teams (inboxes 0–3 and 4–7), an L2 and an L3 team working every inbox. */
  teamIds: Types.ObjectId[];
}

/** Most tickets stay with their inbox's L1 team; 15% are escalated to L2, 5% to L3 (its own generator, so the other fields stay as before). */
function teamOf(i: number, inboxIndex: number, w: World): Types.ObjectId {
  const t = rngFor(i + 1_000_003)();
  return t < 0.05 ? w.teamIds[3]! : t < 0.2 ? w.teamIds[2]! : w.teamIds[inboxIndex < 4 ? 0 : 1]!;
}

/** Ticket i and its messages; every field from a generator seeded by i, so runs are comparable. */
function ticketWithMessages(i: number, w: World): { ticket: Record<string, unknown>; messages: Array<Record<string, unknown>> } {
  const r = rngFor(i + 1);
  const created = NOW - r() * 730 * DAY;
  const lastActivityAt = new Date(Math.min(NOW, created + r() * 20 * DAY));
  const recent = NOW - lastActivityAt.getTime() < 30 * DAY;
  const s = r();
  const status: TicketStatus = recent ? (s < 0.12 ? 'new' : s < 0.45 ? 'open' : s < 0.6 ? 'pending' : s < 0.85 ? 'solved' : 'closed') : s < 0.02 ? 'open' : s < 0.4 ? 'solved' : 'closed';
  const c = Math.floor(r() * 20_000);
  const [first, last] = [FIRST[c % FIRST.length]!, LAST[Math.floor(c / FIRST.length) % LAST.length]!];
  const requester = { contactId: null, email: `${first}.${last}${c % 97}@${DOMAINS[c % DOMAINS.length]}`.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase(), name: `${first} ${last}` };
  // The text (language, subject, bodies) has its own generator, so the other fields stay as before.
  const tr = rngFor(i + 7_000_001);
  const lang = conversationLanguage(tr);
  const subject = subjectIn(tr, lang, pick(r, SUBJECTS).replace('{t}', pick(r, TOPICS)));
  const tags = TAGS.filter(([, share]) => r() < share).map(([t]) => t);
  const assigneeId = status === 'new' || r() < 0.25 ? null : pick(r, w.agentIds);
  const running = status === 'new' || status === 'open';
  // Due times from 12 h ago to 3 days ahead; a breach is recorded for most of the overdue ones.
  const due = (spread: number) => new Date(NOW + (r() * (spread + 12) - 12) * HOUR);
  const sla = {
    firstResponseDueAt: running && status === 'new' ? due(24) : null,
    nextResponseDueAt: running && status === 'open' && r() < 0.5 ? due(24) : null,
    resolutionDueAt: running ? due(72) : null,
    firstRespondedAt: status === 'new' ? null : new Date(created + HOUR),
    awaitingSince: null, pausedAt: status === 'pending' ? lastActivityAt : null, pausedSeconds: 0, escalationLevel: 0,
    breachedAt: null as Date | null, done: [] as string[],
  };
  const overdue = [sla.firstResponseDueAt, sla.nextResponseDueAt, sla.resolutionDueAt].filter((d): d is Date => d !== null && d.getTime() < NOW);
  if (overdue[0] && r() < 0.8) sla.breachedAt = overdue[0];
  const count = 1 + Math.floor(r() * 19);
  const _id = new Types.ObjectId();
  const inboxIndex = Math.floor(r() ** 1.3 * INBOXES);
  const inboxId = w.inboxIds[inboxIndex]!;
  const teamId = teamOf(i, inboxIndex, w);
  const ticket = {
    _id, number: i + 1, inboxId, teamId, access: ticketAccessKeys(inboxId, teamId), subject, baseSubject: subject.toLowerCase(), status, priority: pick(r, ['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
    requester, participants: [requester.email], assigneeId, tags, searchTerms: [] as string[], searchVersion: SEARCH_INDEX_VERSION, messageCount: count,
    lastActivityAt, solvedAt: status === 'solved' ? lastActivityAt : null, closedAt: status === 'closed' ? lastActivityAt : null, mergedIntoId: null,
    linkedTicketIds: [], flags: { autoSubmitted: false }, sla: { ...sla, nextDueAt: slaNextDueAt({ status, sla }) }, createdAt: new Date(created), updatedAt: lastActivityAt,
  };
  const messages = Array.from({ length: count }, (_, j) => {
    const inbound = j % 2 === 0;
    const direction = inbound ? ('inbound' as const) : ('outbound' as const);
    const at = new Date(created + ((lastActivityAt.getTime() - created) * j) / Math.max(1, count - 1));
    const messageId = `<t${i}.m${j}@${inbound ? 'customer' : 'help'}.example>`;
    const agent = { address: `inbox${w.inboxIds.indexOf(inboxId)}@help.example`, name: 'Help desk' };
    return {
      ticketId: _id, inboxId, direction, messageId, inReplyTo: j > 0 ? `<t${i}.m${j - 1}@${inbound ? 'help' : 'customer'}.example>` : null,
      references: [], threadKeys: [messageId], subject: j === 0 ? subject : `Re: ${subject}`, from: inbound ? { address: requester.email, name: requester.name } : agent,
      to: [inbound ? agent : { address: requester.email, name: requester.name }], cc: [], replyTo: [], date: at,
      text: messageText(tr, CORPUS, lang), html: null, attachments: [], raw: null,
      ...(inbound ? { dedupeKey: `bench:${i}:${j}` } : {}), deliveredTo: [], source: null, ingestState: 'complete', authorId: null, delivery: null,
      flags: { autoSubmitted: false, autoSubmittedReason: null, bounce: false }, createdAt: at, updatedAt: at,
    };
  });
  // What the live writes store: the ticket's own terms, then each message's (under the cap).
  ticket.searchTerms = liveSearchTerms(ticket, messages);
  return { ticket, messages };
}

/** Inserts tickets [from, to) and their messages in chunks through the driver. */
async function seed(conn: Connection, w: World, from: number, to: number): Promise<{ ms: number; messages: number; terms: number }> {
  const t0 = performance.now();
  let messages = 0;
  let terms = 0;
  const CHUNK = 2_000;
  for (let start = from; start < to; start += CHUNK) {
    const made = Array.from({ length: Math.min(CHUNK, to - start) }, (_, k) => ticketWithMessages(start + k, w));
    terms += made.reduce((n, m) => n + (m.ticket.searchTerms as string[]).length, 0);
    // Tickets carry ~1,000 terms each: a few hundred per insert keeps each command small.
    for (let k = 0; k < made.length; k += 500) await conn.db!.collection('tickets').insertMany(made.slice(k, k + 500).map((m) => m.ticket), { ordered: false });
    const msgs = made.flatMap((m) => m.messages);
    for (let k = 0; k < msgs.length; k += 10_000) await conn.db!.collection('messages').insertMany(msgs.slice(k, k + 10_000), { ordered: false });
    messages += msgs.length;
    if (!QUICK && (start - from) % 20_000 === 0 && start > from) process.stdout.write(`  seeded ${start} tickets, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  return { ms: performance.now() - t0, messages, terms };
}

const time = (run: () => Promise<unknown>) => timeSequential(run, WARMUP, RUNS);

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Anonymous (private heap) memory and file-backed resident pages (the engine's map: OS cache) of a process, MB. */
function memoryOf(pid: number): string {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? 0);
  const anon = kb('Anonymous') / 1024;
  return `anonymous ${anon.toFixed(0)} MB, file-backed resident ${(kb('Rss') / 1024 - anon).toFixed(0)} MB`;
}

function startDatabase(dataDir: string) {
  return MEMORY_ENGINE
    ? spawnEntry('src/devdb/cli.ts', { NODE_OPTIONS: '--max-old-space-size=16384' }, ['--port', '0'])
    : spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', '--data-dir', dataDir]);
}

async function uriOf(devdb: ReturnType<typeof startDatabase>): Promise<string> {
  while (!/^mongodb:\/\//m.test(devdb.output())) await new Promise((r) => setTimeout(r, 5));
  return devdb.output().split('\n')[0]!.trim();
}

/* Kills the database process as a crash would, starts it again and times it until a list query answers. */
async function timeRestart(devdb: ReturnType<typeof startDatabase>, dataDir: string): Promise<{ ms: number; next: ReturnType<typeof startDatabase> }> {
  devdb.child.kill('SIGKILL');
  await devdb.exited;
  const t0 = performance.now();
  const next = startDatabase(dataDir);
  const client = new MongoClient(await uriOf(next), { serverSelectionTimeoutMS: 30_000 });
  await client.db('bench_web').collection('tickets').find({ status: 'open' }).sort({ lastActivityAt: -1 }).limit(25).toArray();
  const ms = performance.now() - t0;
  await client.close();
  return { ms, next };
}

async function startWeb(models: Models, conn: Connection) {
  const stores = createStores(models);
  const blobs = createBlobStore(conn.db!);
  const secrets = createSecretBox('bench-secret-key-of-at-least-32-chars!!');
  const now = () => new Date();
  const passwords = { hash: hashPassword, verify: verifyPassword };
  const app = createApp({
    logger: pino({ level: 'error' }),
    health: async () => ({ status: 'ok', db: { status: 'up', kind: 'bench' }, workers: [] }),
    api: { stores, passwords, secrets, blobs, now },
    // The bench only reads lists, so the reply and update use cases are never reached.
    pages: { stores, passwords, now, publicUrl: null, blobs, secrets, actions: { ...stores, now, scheduler: {} as never, compose, sign: (() => '') as never, refreshSla: async () => {} } },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The link to the next keyset page of a list page. */
function nextPageOf(html: string): string {
  const next = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
  if (!next) throw new Error(`the list page has no next page link: ${html.slice(html.indexOf('<main'), html.indexOf('<main') + 3000)}`);
  return next.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
}

/** The inboxes, teams and agents the tickets belong to. */
async function seedWorld(models: Models, w: World, mine: Types.ObjectId[]): Promise<void> {
  await models.Inbox.insertMany(w.inboxIds.map((_id, k) => ({ _id, name: `Inbox ${k}`, address: `inbox${k}@help.example`, imap: { host: 'imap.example', port: 993 }, smtp: { host: 'smtp.example', port: 465 } })));
  // The agent is also in the L2 team, so their lists reach tickets by inbox or by team.
  await models.Team.insertMany([
    { _id: w.teamIds[0], name: 'Front desk A', level: 'L1', inboxIds: w.inboxIds.slice(0, 4), memberIds: w.agentIds.slice(1, 4) },
    { _id: w.teamIds[1], name: 'Front desk B', level: 'L1', inboxIds: w.inboxIds.slice(4), memberIds: w.agentIds.slice(4, 7) },
    { _id: w.teamIds[2], name: 'Technical', level: 'L2', inboxIds: w.inboxIds, memberIds: [w.agentIds[0], w.agentIds[7]] },
    { _id: w.teamIds[3], name: 'Experts', level: 'L3', inboxIds: w.inboxIds, memberIds: [w.agentIds[8]] },
  ]);
  const passwordHash = await hashPassword(PASSWORD);
  await models.User.insertMany(w.agentIds.map((_id, k) => ({ _id, email: `agent${k}@help.example`, name: `Agent ${k}`, role: 'agent', passwordHash, inboxIds: k === 0 ? mine : w.inboxIds })));
}

async function main() {
  const reuse = KEEP_DIR !== undefined && existsSync(path.join(KEEP_DIR, 'data.mdb'));
  if (KEEP_DIR) mkdirSync(KEEP_DIR, { recursive: true });
  const dataDir = KEEP_DIR ?? mkdtempSync(path.join(tmpdir(), 'tl-bench-web-'));
  let devdb = startDatabase(dataDir);
  const uri = await uriOf(devdb);
  console.log(MEMORY_ENGINE ? 'database: built-in server, in-memory engine, 16 GB heap' : 'database: built-in server, durable engine (LMDB), default heap');
  const conn = await connectMongo(uri, { serverSelectionTimeoutMs: 5000, dbName: 'bench_web' }, pino({ level: 'error' }));
  const models = createModels(conn);
  await ensureIndexes(models);
  const w: World = { inboxIds: Array.from({ length: INBOXES }, (_, k) => fixedId(1, k)), agentIds: Array.from({ length: AGENTS }, (_, k) => fixedId(2, k)), teamIds: Array.from({ length: 4 }, (_, k) => fixedId(3, k)) };
  const kept = reuse ? await models.Ticket.estimatedDocumentCount() : 0;
  if (reuse && kept !== SIZES[1]) throw new Error(`BENCH_DATA_DIR holds ${kept} tickets, not ${SIZES[1]}: remove it to seed again`);
  // The agent sees three inboxes (the busiest and two quiet ones); the other agents exist as assignees.
  const mine = [w.inboxIds[0]!, w.inboxIds[3]!, w.inboxIds[6]!];
  if (!reuse) await seedWorld(models, w, mine);
  const web = await startWeb(models, conn);
  const { cookie, token } = await logIn(web.base, 'agent0@help.example', PASSWORD);
  const page = (path: string) => async () => {
    const res = await fetch(web.base + path, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res.text();
  };
  const api = (path: string) => async () => {
    const res = await fetch(`${web.base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
    return res.json() as Promise<{ items: unknown[]; nextCursor: string | null }>;
  };
  const inbox = mine[0]!.toHexString();
  const person = 'mart';
  const scenarios: Array<[string, () => Promise<() => Promise<unknown>>]> = [
    ['page /tickets', async () => page('/tickets')],
    ['page ?status=open&inbox=…', async () => page(`/tickets?status=open&inbox=${inbox}`)],
    ['page 2nd keyset page', async () => page(nextPageOf(await page('/tickets')()))],
    ['page ?tag=billing&due=soon', async () => page('/tickets?tag=billing&due=soon')],
    ['api /tickets', async () => api('/tickets')],
    ['api 2nd keyset page', async () => api(`/tickets?cursor=${(await api('/tickets')()).nextCursor}`)],
    ['api ?tag=billing&status=open', async () => api('/tickets?tag=billing&status=open')],
    ['api ?due=soon', async () => api('/tickets?due=soon')],
    ['api ?teams=mine&status=active', async () => api('/tickets?teams=mine&status=active')],
    ['api ?level=L3&priority=high', async () => api('/tickets?level=L3&priority=high')],
    [`api ?q=${person} (requester)`, async () => api(`/tickets?q=${person}`)],
    ['api ?q=refund&status=open', async () => api('/tickets?q=refund&status=open')],
    ['api ?q=…&assignee=me&inbox=…', async () => api(`/tickets?q=invoice&assignee=me&inbox=${inbox}`)],
    // Full-text searches and the other orders (bench/web-search.ts), on the same agent.
    ...searchScenarios(inbox, RARE_WORD).map((sc): [string, () => Promise<() => Promise<unknown>>] => [
      sc.name,
      async () => (sc.page ? page(`/tickets?${queryString(sc)}`) : sc.secondPage ? api(`/tickets?${queryString(sc, (await api(`/tickets?${queryString(sc)}`)()).nextCursor)}`) : api(`/tickets?${queryString(sc)}`)),
    ]),
  ];

  const results: Array<Map<string, { p50: number; p95: number; rows: number }>> = [];
  let seeded = 0;
  for (const size of reuse ? [SIZES[1]!] : SIZES) {
    if (reuse) console.log(`${size} tickets kept in ${dataDir} (${await models.Message.estimatedDocumentCount()} messages in all); database process RSS ${rssMb(devdb.child.pid!).toFixed(0)} MB`);
    const s = reuse ? null : await seed(conn, w, seeded, size);
    seeded = size;
    if (s) console.log(`${size} tickets (${await models.Message.estimatedDocumentCount()} messages in all): seeded ${size - (results.length ? SIZES[0]! : 0)} tickets and ${s.messages} messages in ${(s.ms / 1000).toFixed(1)} s (${(s.terms / (size - (results.length ? SIZES[0]! : 0))).toFixed(0)} search terms a ticket on average); database process RSS ${rssMb(devdb.child.pid!).toFixed(0)} MB (${memoryOf(devdb.child.pid!)})`);
    const row = new Map<string, { p50: number; p95: number; rows: number }>();
    for (const [name, make] of scenarios) {
      const run = await make();
      const out = await run();
      const rows = typeof out === 'string' ? (out.match(/<td class="num"[\s>]/g) ?? []).length : (out as { items: unknown[] }).items.length;
      row.set(name, { ...(await time(run)), rows });
    }
    results.push(row);
  }

  const [small, large] = reuse ? [undefined, results[0]!] : [results[0], results[1]!];
  console.log(`\nticket list latency, ${RUNS} sequential requests per figure after ${WARMUP} warm-up; agent with 3 of ${INBOXES} inboxes; 25 rows per page`);
  printTable(
    ['request', 'rows', `p50 ${SIZES[0]! / 1000}k ms`, `p95 ${SIZES[0]! / 1000}k ms`, `p50 ${SIZES[1]! / 1000}k ms`, `p95 ${SIZES[1]! / 1000}k ms`, 'p50 ratio', 'p95 ratio', `p50 ÷ /tickets ${SIZES[1]! / 1000}k`, `p95 ÷ /tickets ${SIZES[1]! / 1000}k`],
    scenarios.map(([name]) => {
      const [a, b] = [small?.get(name) ?? { p50: NaN, p95: NaN }, large.get(name)!];
      // The baseline of a row: the plain list, the same way (page or API), at the same size.
      const base = large.get(name.startsWith('page') ? 'page /tickets' : 'api /tickets')!;
      return [name, String(b.rows), a.p50.toFixed(2), a.p95.toFixed(2), b.p50.toFixed(2), b.p95.toFixed(2), (b.p50 / a.p50).toFixed(2), (b.p95 / a.p95).toFixed(2), (b.p50 / base.p50).toFixed(2), (b.p95 / base.p95).toFixed(2)];
    }),
  );
  if (process.env.BENCH_COMBINATIONS !== '0') await explainCombinations(models, conn, mine, w.agentIds[0]!, w.teamIds);
  await explainSearches(models, conn, { userId: w.agentIds[0]!, role: 'agent', inboxIds: mine, teamIds: [w.teamIds[2]!] }, searchScenarios(inbox, RARE_WORD));
  console.log(`\nmemory: database process RSS ${rssMb(devdb.child.pid!).toFixed(0)} MB (${memoryOf(devdb.child.pid!)}), bench process RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  web.server.closeAllConnections();
  web.server.close();
  await conn.close();
  if (!MEMORY_ENGINE) {
    const restart = await timeRestart(devdb, dataDir);
    devdb = restart.next;
    console.log(`restart after SIGKILL at ${SIZES[1]! / 1000}k tickets: serving a ticket list again after ${(restart.ms / 1000).toFixed(2)} s; database process then ${memoryOf(devdb.child.pid!)}`);
  }
  devdb.child.kill('SIGTERM');
  await devdb.exited;
  if (!KEEP_DIR) rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Every filter combination the list page offers, through the use case at the large size: the plan the
 * database chose for its query (IXSCAN or COLLSCAN), documents examined, and the median time.
 */
async function explainCombinations(models: Models, conn: Connection, inboxIds: Types.ObjectId[], userId: Types.ObjectId, teamIds: Types.ObjectId[]) {
  // The agent of the latency figures: three inboxes and the L2 team.
  const actor = { userId, role: 'agent' as const, inboxIds, teamIds: [teamIds[2]!] };
  const options = {
    inbox: [undefined, inboxIds[0]!.toHexString()], status: [undefined, 'open'], assignee: [undefined, 'me', 'unassigned'], team: [undefined, teamIds[3]!.toHexString()],
    tag: [undefined, 'billing'], due: [undefined, 'soon'], q: [undefined, 'refund'],
  };
  let combos: Array<Record<string, string>> = [{}];
  for (const [key, values] of Object.entries(options)) combos = combos.flatMap((c) => values.map((v) => (v === undefined ? c : { ...c, [key]: v })));
  let issued: { filter: Record<string, unknown>; options: Record<string, unknown> } | null = null;
  conn.set('debug', (collection: string, method: string, filter: Record<string, unknown>, opts: Record<string, unknown>) => {
    if (collection === 'tickets' && method === 'find') issued = { filter, options: opts };
  });
  const rows: Array<{ combo: string; plan: string; examined: number; ms: number }> = [];
  for (const combo of combos) {
    const deps = { ...createStores(models), now: () => new Date() };
    const ms: number[] = [];
    for (let k = 0; k < 7; k++) {
      const t = performance.now();
      await listTickets(deps, actor, combo);
      ms.push(performance.now() - t);
    }
    const q = issued as unknown as { filter: Record<string, unknown>; options: Record<string, unknown> };
    const explained = await conn.db!.collection('tickets').find(q.filter, { sort: q.options.sort as never, limit: q.options.limit as number }).explain('executionStats');
    const plan = JSON.stringify(explained.queryPlanner.winningPlan);
    // The built-in server names its plan in one line, sort included; MongoDB's is read from the tree.
    const named = (explained.queryPlanner as { devdbPlan?: string }).devdbPlan ?? (/IXSCAN/.test(plan) ? `IXSCAN ${/"indexName":"([^"]+)"/.exec(plan)?.[1] ?? ''}` : 'COLLSCAN');
    rows.push({ combo: new URLSearchParams(combo).toString() || '(none)', plan: named, examined: explained.executionStats.totalDocsExamined, ms: percentile(ms, 50) });
  }
  conn.set('debug', false);
  const scans = rows.filter((r) => r.plan === 'COLLSCAN');
  console.log(`\n${rows.length} filter combinations of the list page (inbox × status × assignee × team × tag × due × q), first page of 25:`);
  console.log(`  ${rows.length - scans.length} served by an index, ${scans.length} by a collection scan${scans.length ? `: ${scans.map((s) => s.combo).join(', ')}` : ''}`);
  const worst = [...rows].sort((a, b) => b.ms - a.ms).slice(0, 8);
  console.log('  slowest (median of 7 calls of the use case, no HTTP):');
  printTable(['filters', 'plan', 'docs examined', 'p50 ms'], worst.map((r) => [r.combo, r.plan, String(r.examined), r.ms.toFixed(2)]));
  console.log(`  median over all combinations ${percentile(rows.map((r) => r.ms), 50).toFixed(2)} ms; most documents examined ${Math.max(...rows.map((r) => r.examined))}`);
}

await main();
