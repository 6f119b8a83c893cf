/**
 * The reports (issue 20) on the built-in database (durable engine, in its own process, as bench/web.ts
 * runs it): 100,000 tickets spread over 365 days with the metrics the ticket store writes (first
 * response, resolution, reopens, SLA attainment), their trail (status changes, solves, reopens,
 * replies, notes, breaches) and satisfaction ratings, ids and `updatedAt` dated when each was written,
 * tickets numbered in the order they came in.
 * The report rows are built (timed: what the first start after an upgrade does), then p50/p95 of a
 * 90-day report (`buildReport`, everything it reads) with no filter, with an inbox, and with a team and
 * a priority, each against a plain indexed count of the same period measured in the same run. Target
 * (issue 20): p95 < 500 ms for the 90-day report at 100k tickets. Where a report's time goes (the
 * changes since the last catch-up, the rows read and added up, the comments); the longest single
 * database command of a report and the longest wait of another client's ping sent every few ms while
 * reports run (the built-in server runs one command at a time). Last, after 10, 100 and 1,000 tickets
 * changed: a report, then the catch-up that writes their rows, beside one small write's time. Between
 * the two, the managers' digest of every inbox over a day and a week (`buildDigest`, everything it reads).
 * Run: `npm run bench -- reports` (`-- reports --quick`: 10,000 tickets, fewer runs). BENCH_RUNS
 * (default 40) sets the reports per figure, BENCH_WARMUP (default 5) the warm-up; BENCH_REPORT_TICKETS the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { type Connection, Types } from 'mongoose';
import { parseReportFilter } from '../src/domain/report-filter.js';
import type { SlaAttainment, TicketMetrics } from '../src/domain/ticket-metrics.js';
import { ticketAccessKeys } from '../src/domain/teams.js';
import type { TicketStatus } from '../src/domain/ticket-status.js';
import type { Actor } from '../src/services/access.js';
import { buildDigest } from '../src/services/digest/build-digest.js';
import { buildReport } from '../src/services/reports/build-report.js';
import { createModels, ensureIndexes, type Models } from '../src/store/models/index.js';
import { createStores } from '../src/store/stores.js';
import { spawnEntry } from '../test/helpers/process.js';
import { rngFor } from './search-corpus.js';
import { printTable, timeSequential } from './stats.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const TICKETS = Number(process.env.BENCH_REPORT_TICKETS ?? (QUICK ? 10_000 : 100_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 15 : 40));
const WARMUP = Number(process.env.BENCH_WARMUP ?? (QUICK ? 3 : 5));
const TARGET_MS = 500;
const INBOXES = 8;
const AGENTS = 20;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/* A fixed now, so that runs are comparable (the report is asked at this moment, not the wall clock). */
const NOW = Date.UTC(2026, 10, 30, 12);
const id = (kind: number, k: number) => new Types.ObjectId((kind * 256 + k).toString(16).padStart(24, '0'));
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
/** An id made at `ms` (as the app's ids are: when the ticket or the trail entry is written), unique by the generator's draw. */
const idMadeAt = (ms: number, r: () => number) =>
  new Types.ObjectId(Math.floor(ms / 1000).toString(16).padStart(8, '0') + Array.from({ length: 4 }, () => Math.floor(r() * 0x10000).toString(16).padStart(4, '0')).join(''));
/** An exponential wait with this mean (ms). */
const wait = (r: () => number, mean: number) => -Math.log(1 - r()) * mean;

interface World {
  inboxIds: Types.ObjectId[];
  agentIds: Types.ObjectId[];
  teamIds: Types.ObjectId[];
  categoryIds: Types.ObjectId[];
}

/** Ticket i, its trail and its rating: the life a ticket of a busy desk has, from a generator seeded by i. */
function ticketLife(i: number, w: World) {
  const r = rngFor(i + 5_000_011);
  // Numbered in the order they came in (as the ticket counter numbers them), at random moments of the year.
  const created = NOW - 365 * DAY + ((i + r()) / TICKETS) * 365 * DAY;
  // Ids from their own generator, so that the tickets' lives are those of the runs before ids were dated.
  const rid = rngFor(i + 9_000_017);
  const _id = idMadeAt(created, rid);
  const inboxIndex = Math.floor(r() ** 1.3 * INBOXES);
  const inboxId = w.inboxIds[inboxIndex]!;
  const t = r();
  const teamId = t < 0.05 ? w.teamIds[3]! : t < 0.2 ? w.teamIds[2]! : w.teamIds[inboxIndex < 4 ? 0 : 1]!;
  const assigneeId = r() < 0.9 ? pick(r, w.agentIds) : null;
  const agent = assigneeId ? { kind: 'user', id: assigneeId } : { kind: 'user', id: pick(r, w.agentIds) };
  const events: Array<Record<string, unknown>> = [];
  const ev = (type: string, at: number, actor: Record<string, unknown>, data: Record<string, unknown> = {}) => {
    if (at < NOW) events.push({ _id: idMadeAt(at, rid), ticketId: _id, type, at: new Date(at), actor, data });
  };
  const metrics: TicketMetrics = { reopenCount: 0 };
  const fr = created + wait(r, 6 * HOUR);
  let status: TicketStatus = 'new';
  if (fr < NOW && r() < 0.97) {
    const frBreached = fr - created > 8 * HOUR && r() < 0.8;
    Object.assign(metrics, { firstResponseAt: new Date(fr), firstResponseSeconds: Math.round((fr - created) / 1000), firstResponseBusinessSeconds: Math.round((fr - created) / 3000), sla: { firstResponse: (frBreached ? 'breached' : 'met') as SlaAttainment } });
    ev('status_changed', fr - 60_000, agent, { from: 'new', to: 'open' });
    ev('reply_queued', fr, agent);
    ev('status_changed', fr + 1000, agent, { from: 'open', to: 'pending' });
    if (frBreached) ev('sla_breached', created + 8 * HOUR, { kind: 'system' }, { clock: 'firstResponse' });
    status = 'pending';
    // A few more exchanges, then solved (most tickets), reopened now and then, solved again.
    let at = fr;
    const rounds = 1 + Math.floor(r() * 3);
    for (let k = 0; k < rounds; k++) {
      at += wait(r, 20 * HOUR);
      ev('note_added', at, agent);
      at += wait(r, 2 * HOUR);
      ev('reply_queued', at, agent);
    }
    let reopens = 0;
    while (at < NOW && r() < (reopens === 0 ? 0.9 : 0.5)) {
      at += wait(r, 12 * HOUR);
      if (at >= NOW) break;
      const solvedBy = r() < 0.1 ? { kind: 'system' } : agent;
      ev('status_changed', at, solvedBy, { from: 'pending', to: 'solved' });
      const seconds = Math.round((at - created) / 1000);
      const resBreached = seconds > 3 * 86_400 && r() < 0.7;
      if (resBreached) ev('sla_breached', created + 3 * DAY, { kind: 'system' }, { clock: 'resolution' });
      Object.assign(metrics, { lastSolvedAt: new Date(at), resolutionSeconds: seconds, resolutionBusinessSeconds: Math.round(seconds / 3), sla: { ...metrics.sla, resolution: resBreached ? 'breached' : 'met', nextResponse: r() < 0.5 ? null : r() < 0.85 ? 'met' : 'breached' } });
      status = 'solved';
      if (r() < 0.12) {
        at += wait(r, 2 * DAY);
        if (at >= NOW) break;
        reopens++;
        if (r() < 0.7) ev('reopened', at, { kind: 'contact' }, { from: 'solved' });
        else ev('status_changed', at, agent, { from: 'solved', to: 'open' });
        metrics.reopenCount = reopens;
        status = 'open';
        at += wait(r, 4 * HOUR);
        ev('reply_queued', at, agent);
        continue;
      }
      // Closed a few days after the solve.
      if (at + 4 * DAY < NOW) {
        ev('status_changed', at + 4 * DAY, { kind: 'system' }, { from: 'solved', to: 'closed' });
        status = 'closed';
      }
      break;
    }
  }
  const lastSolvedAt = metrics.lastSolvedAt?.getTime() ?? null;
  const rated = lastSolvedAt !== null && r() < 0.25 ? lastSolvedAt + wait(r, DAY) : null;
  const rating = rated !== null && rated < NOW ? (r() < 0.75 ? 'good' : r() < 0.6 ? 'okay' : 'bad') : null;
  const tags = [['billing', 0.2], ['bug', 0.12], ['vip', 0.05], ['refund', 0.06]].filter(([, share]) => r() < (share as number)).map(([tag]) => tag as string);
  const subject = `Ticket ${i + 1}`;
  const ticket = {
    _id, number: i + 1, inboxId, teamId, access: ticketAccessKeys(inboxId, teamId), subject, baseSubject: subject.toLowerCase(), status,
    priority: pick(r, ['low', 'normal', 'normal', 'normal', 'high', 'urgent']), categoryId: r() < 0.7 ? pick(r, w.categoryIds) : null,
    requester: { contactId: null, email: `customer${i % 5000}@example.com`, name: null }, participants: [`customer${i % 5000}@example.com`], assigneeId, tags,
    messageCount: 2 + events.filter((e) => e.type === 'reply_queued').length * 2, lastActivityAt: new Date(Math.min(NOW, Math.max(created, ...events.map((e) => (e.at as Date).getTime())))),
    solvedAt: status === 'solved' ? metrics.lastSolvedAt : null, closedAt: null, mergedIntoId: null, linkedTicketIds: [], flags: { autoSubmitted: false },
    sla: { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, firstRespondedAt: metrics.firstResponseAt ?? null, awaitingSince: null, pausedAt: null, pausedSeconds: 0, escalationLevel: 0, breachedAt: null, done: [], nextDueAt: null },
    metrics, ...(rating ? { satisfaction: { rating, at: new Date(rated!) } } : {}), createdAt: new Date(created),
  };
  const survey = rating ? { ticketId: _id, inboxId, teamId, assigneeId, email: ticket.requester.email, askedAt: metrics.lastSolvedAt, solvedAt: metrics.lastSolvedAt, rating, comment: r() < 0.3 ? 'Thanks for the quick help' : null, ratedAt: new Date(rated!), changedAt: null } : null;
  return { ticket: { ...ticket, updatedAt: ticket.lastActivityAt }, events, survey };
}

async function seed(models: Models, w: World): Promise<{ events: number; ratings: number }> {
  const db = models.Ticket.db.db!;
  await models.Inbox.insertMany(w.inboxIds.map((_id, k) => ({ _id, name: `Inbox ${k}`, address: `inbox${k}@help.example`, imap: { host: 'imap.example', port: 993 }, smtp: { host: 'smtp.example', port: 465 } })));
  await models.Team.insertMany([
    { _id: w.teamIds[0], name: 'L1 North', level: 'L1', memberIds: w.agentIds.slice(0, 8), inboxIds: w.inboxIds.slice(0, 4) },
    { _id: w.teamIds[1], name: 'L1 South', level: 'L1', memberIds: w.agentIds.slice(8, 14), inboxIds: w.inboxIds.slice(4) },
    { _id: w.teamIds[2], name: 'L2', level: 'L2', memberIds: w.agentIds.slice(14, 18), inboxIds: w.inboxIds },
    { _id: w.teamIds[3], name: 'L3', level: 'L3', memberIds: w.agentIds.slice(18), inboxIds: w.inboxIds },
  ]);
  await models.User.insertMany(w.agentIds.map((_id, k) => ({ _id, email: `agent${k}@help.example`, name: `Agent ${k}`, role: 'agent', passwordHash: 'x', inboxIds: w.inboxIds })));
  await models.Category.insertMany(w.categoryIds.map((_id, k) => ({ _id, name: `Category ${k}`, inboxId: null })));
  let events = 0;
  let ratings = 0;
  for (let start = 0; start < TICKETS; start += 2000) {
    const lives = Array.from({ length: Math.min(2000, TICKETS - start) }, (_, k) => ticketLife(start + k, w));
    const evs = lives.flatMap((l) => l.events);
    const surveys = lives.flatMap((l) => (l.survey ? [l.survey] : []));
    await db.collection('tickets').insertMany(lives.map((l) => l.ticket), { ordered: false });
    for (let k = 0; k < evs.length; k += 5000) await db.collection('ticket_events').insertMany(evs.slice(k, k + 5000), { ordered: false });
    if (surveys.length) await db.collection('satisfaction_ratings').insertMany(surveys, { ordered: false });
    events += evs.length;
    ratings += surveys.length;
  }
  return { events, ratings };
}

/**
 * After `changed` tickets changed (as agents' edits do): a 90-day report, which makes their rows itself
 * without writing them, then the catch-up that writes them (what the job does every minute; it also
 * reads again the changes of the figure before, still within its 30-second margin).
 */
async function afterChanges(models: Models, stores: ReturnType<typeof createStores>, changed: number, report: () => Promise<unknown>) {
  const numbers = Array.from({ length: changed }, (_, k) => 1 + ((changed * 7919 + k * 104_729) % TICKETS));
  await models.Ticket.updateMany({ number: { $in: numbers } }, { $set: { priority: changed % 2 ? 'high' : 'low' } });
  let t = performance.now();
  await report();
  const reportMs = performance.now() - t;
  t = performance.now();
  await stores.reportRows.catchUp();
  return { reportMs, catchUpMs: performance.now() - t };
}

/** p50 of a one-field update (every acknowledged write of the built-in server waits for the disk): the catch-up's unit of cost. */
async function smallWriteMs(models: Models): Promise<number> {
  const scratch = models.Ticket.db.collection('bench_scratch');
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t = performance.now();
    await scratch.updateOne({ _id: 'w' as never }, { $inc: { n: 1 } }, { upsert: true });
    times.push(performance.now() - t);
  }
  return times.sort((x, y) => x - y)[10]!;
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-reports-'));
  try {
    // BENCH_IN_PROCESS=1 runs the database in this process (to profile both sides with --cpu-prof).
    if (process.env.BENCH_IN_PROCESS === '1') {
      const { startDevDb } = await import('../src/devdb/server.js');
      const server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
      await measure(server.uri).finally(() => server.close());
      return;
    }
    const devdb = spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', '--data-dir', dataDir]);
    try {
      while (!/^mongodb:\/\//m.test(devdb.output())) await new Promise((r) => setTimeout(r, 5));
      await measure(devdb.output().split('\n')[0]!.trim());
    } finally {
      devdb.child.kill('SIGTERM');
      await devdb.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(uri: string) {
  console.log('database: built-in server, durable engine (LMDB), in its own process');
  // Commands monitored: the longest single command of a report.
  const open = (monitorCommands: boolean) => mongoose.createConnection(uri, { dbName: 'bench_reports', serverSelectionTimeoutMS: 120_000, autoIndex: false, monitorCommands }).asPromise();
  const conn = await open(true);
  const probeConn = await open(false);
  const longest = { ms: 0, command: '', count: 0, on: false };
  const seen = (e: { duration: number; commandName: string }) => {
    if (!longest.on) return;
    longest.count++;
    if (e.duration > longest.ms) Object.assign(longest, { ms: e.duration, command: e.commandName });
  };
  conn.getClient().on('commandSucceeded', seen);
  conn.getClient().on('commandFailed', seen);
  const models = createModels(conn);
  await ensureIndexes(models);
  const w: World = {
    inboxIds: Array.from({ length: INBOXES }, (_, k) => id(1, k)),
    agentIds: Array.from({ length: AGENTS }, (_, k) => id(2, k)),
    teamIds: Array.from({ length: 4 }, (_, k) => id(3, k)),
    categoryIds: Array.from({ length: 12 }, (_, k) => id(4, k)),
  };
  const t0 = performance.now();
  const seeded = await seed(models, w);
  console.log(`${TICKETS} tickets over 365 days, ${seeded.events} trail entries, ${seeded.ratings} ratings seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const stores = createStores(models);
  // The report rows built from scratch (what an upgrade does once, in the background), then kept up.
  const tb = performance.now();
  await stores.reportRows.catchUp();
  const built = (performance.now() - tb) / 1000;
  const blocks = await models.ReportRowBlock.find({}, { rows: 1 }).lean();
  console.log(`report rows built in ${built.toFixed(1)} s: ${blocks.length} blocks, ${(blocks.reduce((n, b) => n + ((b.rows as unknown as { position?: number; length?: number }).position ?? b.rows.length), 0) / 1e6).toFixed(1)} MB`);
  // Where a report's time goes: the changes since the last catch-up, the rows read and added up, the comments.
  const spent = new Map<string, number>();
  const timed = <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const t = performance.now();
    try {
      return await fn(...args);
    } finally {
      spent.set(name, (spent.get(name) ?? 0) + performance.now() - t);
    }
  };
  const reportRows = { ...stores.reportRows, freshRows: timed('changes', stores.reportRows.freshRows), catchUp: timed('catch-up', stores.reportRows.catchUp), visitRows: timed('rows read and added up', stores.reportRows.visitRows) };
  const deps = { ...stores, reportRows, satisfaction: { ...stores.satisfaction, list: timed('comments', stores.satisfaction.list) } };
  const admin: Actor = { userId: null, role: 'admin', inboxIds: [] };
  const now = new Date(NOW);
  const period = { from: new Date(NOW - 90 * DAY).toISOString(), to: new Date(NOW).toISOString() };
  const filterOf = (q: Record<string, string> = {}) => parseReportFilter({ ...period, ...q }, { timeZone: 'Europe/Paris', now });
  const scenarios: Array<{ name: string; run: () => Promise<unknown>; report: boolean; filter?: ReturnType<typeof filterOf> }> = [
    { name: 'count of tickets created in 90 days (baseline)', report: false, run: () => models.Ticket.countDocuments({ createdAt: { $gte: new Date(period.from), $lt: now } }) },
    { name: '90-day report, no filter', report: true, filter: filterOf() },
    { name: '90-day report, one inbox', report: true, filter: filterOf({ inbox: w.inboxIds[1]!.toHexString() }) },
    { name: '90-day report, team L2 + priority high', report: true, filter: filterOf({ team: w.teamIds[2]!.toHexString(), priority: 'high' }) },
  ].map((s) => ({ ...s, run: s.run ?? (() => timed('whole report', () => buildReport(deps, admin, s.filter!, now))()) }));

  const rows: string[][] = [];
  const holds: string[][] = [];
  const breakdown: string[][] = [];
  let baseline = { p50: NaN, p95: NaN };
  let missed = 0;
  for (const s of scenarios) {
    spent.clear();
    Object.assign(longest, { ms: 0, command: '', count: 0, on: true });
    const r = await timeSequential(s.run, WARMUP, RUNS);
    longest.on = false;
    if (s.report) holds.push([s.name, `${longest.ms.toFixed(1)} (${longest.command})`, (longest.count / (RUNS + WARMUP)).toFixed(0), (await probeWait(probeConn, s.run)).toFixed(1)]);
    if (!s.report) baseline = r;
    const sample = s.report ? ((await buildReport(deps, admin, s.filter!, now)) as Awaited<ReturnType<typeof buildReport>>) : null;
    if (s.report && r.p95 >= TARGET_MS) missed++;
    rows.push([s.name, sample ? `${sample.totals.new} new, ${sample.totals.solved} solved, ${sample.backlogTotal} active` : '', r.p50.toFixed(1), r.p95.toFixed(1), (r.p50 / baseline.p50).toFixed(1), (r.p95 / baseline.p95).toFixed(1), s.report ? `< ${TARGET_MS} ms ${r.p95 < TARGET_MS ? 'met' : 'MISSED'}` : '']);
    if (s.report) breakdown.push([s.name, ...[...spent].map(([name, ms]) => `${name} ${(ms / (RUNS + WARMUP + 1)).toFixed(1)}`)]);
  }
  console.log(`\nreport latency (buildReport, every query it runs), ${RUNS} sequential reports per figure after ${WARMUP} warm-up, ${TICKETS} tickets`);
  printTable(['request', 'figures', 'p50 ms', 'p95 ms', 'p50 ÷ count', 'p95 ÷ count', 'target p95'], rows);
  console.log('\nlongest single database command during the reports above, and the longest wait of a ping another client sent every 2 ms during 5 more reports:');
  printTable(['request', 'longest command ms', 'commands per report', 'longest ping wait ms'], holds);
  console.log('\nmean ms per report: the whole report, and of it the changes since the last catch-up, the rows read and added up, the comments:');
  for (const b of breakdown) console.log(`  ${b[0]}: ${b.slice(1).join(', ')}`);
  console.log(missed ? `\n${missed} report figure(s) missed the target` : '\nevery report met the target');
  console.log(`\none small write (acknowledged once on disk): p50 ${(await smallWriteMs(models)).toFixed(1)} ms`);
  // The managers' digest over the same store: a day and a week of every inbox, as an admin's digest covers them.
  const digestRows: string[][] = [];
  for (const days of [1, 7]) {
    const since = new Date(NOW - days * DAY);
    const digest = () => buildDigest(stores, { user: { name: 'Admin', email: 'admin@help.example', role: 'admin', inboxIds: [], digest: undefined, locale: 'en', timeZone: 'UTC' } as never, since, until: now, ticketUrlBase: null });
    Object.assign(longest, { ms: 0, command: '', count: 0, on: true });
    const r = await timeSequential(digest, 1, Math.min(RUNS, 10));
    longest.on = false;
    const sample = await digest();
    digestRows.push([`${days}-day digest, every inbox`, `${sample.counts.new} new, ${sample.counts.solved} solved`, r.p50.toFixed(1), r.p95.toFixed(1), (r.p50 / baseline.p50).toFixed(1), `${longest.ms.toFixed(1)} (${longest.command})`]);
  }
  console.log('\nthe digest (buildDigest, every query it runs):');
  printTable(['request', 'figures', 'p50 ms', 'p95 ms', 'p50 ÷ count', 'longest command ms'], digestRows);
  for (const changed of [10, 100, 1000]) {
    const r = await afterChanges(models, stores, changed, () => buildReport(deps, admin, filterOf(), now));
    console.log(`after ${changed} tickets changed: the 90-day report (no filter) ${r.reportMs.toFixed(1)} ms, then the catch-up that writes their rows ${r.catchUpMs.toFixed(1)} ms`);
  }
  await conn.close();
  await probeConn.close();
}

/** The longest a ping from another connection waits while `run` runs 5 times (the server runs one command at a time). */
async function probeWait(probeConn: Connection, run: () => Promise<unknown>): Promise<number> {
  let worst = 0;
  let done = false;
  const probe = (async () => {
    while (!done) {
      const t = performance.now();
      await probeConn.db!.command({ ping: 1 });
      worst = Math.max(worst, performance.now() - t);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  for (let i = 0; i < 5; i++) await run();
  done = true;
  await probe;
  return worst;
}

await main();
