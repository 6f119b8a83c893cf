/**
 * `compact` on the built-in database (durable engine, in its own process): how long it holds the
 * server for a store of a given size, and what another client sees meanwhile. The store is filled
 * with mail messages (2–6 KB of text each, the message collection's thread and Message-ID indexes)
 * up to BENCH_COMPACT_MB of data file, then the messages of every second ticket are deleted (as an
 * erasure or a retention run does), so free pages are spread over the whole file. Measured: the
 * `compact` command as the app sends it (its whole time, the data file before and after), against a
 * copy of the same data file with `fs.copyFile` plus fsync measured in the same run; during it, the
 * longest wait of a `ping` another connection sends every 2 ms (answered: it reads no data), and of
 * a small `find` by _id a third connection sends every 2 ms (held back until the compaction ends).
 * Run: `npm run bench -- compact` (`-- compact --quick`: 100 MB). BENCH_COMPACT_MB sets the size (default 1024).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose, { type Connection, Types } from 'mongoose';
import { fsyncPath } from '../src/devdb/compaction.js';
import { spawnEntry } from '../test/helpers/process.js';
import { buildCorpus, conversationLanguage, messageText, rngFor, type Corpus } from './search-corpus.js';
import { printTable } from './stats.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const TARGET_MB = Number(process.env.BENCH_COMPACT_MB ?? (QUICK ? 100 : 1024));
const MB = 1024 * 1024;
/** Messages per insert, and per ticket (a ticket's messages are written among every other ticket's, as mail comes in). */
const BATCH = 500;
const PER_TICKET = 4;
const PROBE_GAP_MS = 2;

const mb = (bytes: number) => bytes / MB;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INBOX = new Types.ObjectId('7000000000000000000000aa');
const ticketId = (t: number) => new Types.ObjectId((0x7100_0000 + t).toString(16).padStart(24, '0'));

/** Message i: 2–6 KB of text (a reply and the history it quotes), addresses, ids, as ingestion stores it. */
function message(i: number, corpus: Corpus) {
  const r = rngFor(i + 1_000_003);
  const t = Math.floor(i / PER_TICKET);
  const lang = conversationLanguage(rngFor(t + 7));
  const want = 2048 + Math.floor(r() * 4096);
  const parts: string[] = [];
  for (let n = 0; n < want; ) {
    const p = messageText(r, corpus, lang);
    parts.push(p);
    n += p.length + 2;
  }
  const created = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
  const messageId = `<${i.toString(36)}.${t}@mail.example>`;
  return {
    _id: new Types.ObjectId(), ticketId: ticketId(t), inboxId: INBOX, direction: i % PER_TICKET ? 'outbound' : 'inbound',
    messageId, inReplyTo: null, references: [], threadKeys: [messageId.toLowerCase()], subject: `Ticket ${t}`,
    from: { address: `customer${t % 5000}@example.com`, name: null }, to: [{ address: 'help@help.example', name: null }], cc: [], replyTo: [],
    date: created, text: parts.join('\n\n'), html: null, attachments: [], deliveredTo: [], ingestState: 'complete',
    flags: { autoSubmitted: false, bounce: false }, createdAt: created, updatedAt: created,
  };
}

/** Inserts messages until the data file reaches `targetBytes`; the number of messages written. */
async function fill(conn: Connection, dataFile: string, targetBytes: number): Promise<number> {
  const messages = conn.db!.collection('messages');
  await messages.createIndexes([{ key: { ticketId: 1, createdAt: 1, _id: 1 } }, { key: { messageId: 1 } }]);
  const corpus = buildCorpus();
  let n = 0;
  const t0 = performance.now();
  let shown = 0;
  while (statSync(dataFile).size < targetBytes) {
    await messages.insertMany(Array.from({ length: BATCH }, (_, k) => message(n + k, corpus)), { ordered: false });
    n += BATCH;
    const size = statSync(dataFile).size;
    if (mb(size) >= shown + 256) {
      shown = Math.floor(mb(size) / 256) * 256;
      console.log(`  ${n} messages, data file ${mb(size).toFixed(0)} MB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  return n;
}

/** Deletes the messages of every second ticket, a few hundred tickets at a time. */
async function deleteHalf(conn: Connection, count: number): Promise<number> {
  const messages = conn.db!.collection('messages');
  const tickets = Math.ceil(count / PER_TICKET);
  let deleted = 0;
  for (let t = 1; t < tickets; t += 2 * 200) {
    const ids = Array.from({ length: 200 }, (_, k) => t + 2 * k).filter((x) => x < tickets).map(ticketId);
    deleted += (await messages.deleteMany({ ticketId: { $in: ids } })).deletedCount;
  }
  return deleted;
}

/** The time to copy `file` beside itself and flush the copy (the copy is removed). */
function copyMs(file: string): number {
  const copy = `${file}.bench-copy`;
  try {
    const t = performance.now();
    copyFileSync(file, copy);
    fsyncPath(copy);
    return performance.now() - t;
  } finally {
    rmSync(copy, { force: true });
  }
}

/** Sends `send` PROBE_GAP_MS after each answer until `stop()` is true: how many were sent, the longest wait and when it ended. */
function probe(send: () => Promise<unknown>, stop: () => boolean) {
  const stats = { worst: 0, sent: 0, worstEnd: 0 };
  const done = (async () => {
    while (!stop()) {
      const t = performance.now();
      stats.sent++;
      await send();
      const now = performance.now();
      if (now - t > stats.worst) Object.assign(stats, { worst: now - t, worstEnd: now });
      await sleep(PROBE_GAP_MS);
    }
  })();
  return { stats, done };
}

async function measure(uri: string, dataDir: string) {
  const dataFile = path.join(dataDir, 'data.mdb');
  const open = () => mongoose.createConnection(uri, { dbName: 'bench_compact', serverSelectionTimeoutMS: 120_000, autoIndex: false }).asPromise();
  const [conn, pinger, reader] = await Promise.all([open(), open(), open()]);
  try {
    console.log(`database: built-in server, durable engine (LMDB), in its own process; target data file ${TARGET_MB} MB`);
    const t0 = performance.now();
    const written = await fill(conn, dataFile, TARGET_MB * MB);
    const fillS = (performance.now() - t0) / 1000;
    const full = statSync(dataFile).size;
    console.log(`${written} messages written in ${fillS.toFixed(0)} s (${(mb(full) / fillS).toFixed(1)} MB/s of data file)`);
    const t1 = performance.now();
    const deleted = await deleteHalf(conn, written);
    console.log(`${deleted} messages (every second ticket's) deleted in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    const one = await conn.db!.collection('messages').findOne({}, { projection: { _id: 1 } });
    const before = statSync(dataFile).size;

    const baseMs = copyMs(dataFile);
    let compacting = true;
    const pings = probe(() => pinger.db!.command({ ping: 1 }), () => !compacting);
    const finds = probe(() => reader.db!.collection('messages').findOne({ _id: one!._id }), () => !compacting);
    // Let both probes run once before compact is sent, so their first answer is not a connection's start.
    await sleep(20);
    const t2 = performance.now();
    const reply = await conn.db!.command({ compact: 'messages', force: true });
    const compactMs = performance.now() - t2;
    compacting = false;
    await Promise.all([pings.done, finds.done]);
    const after = statSync(dataFile).size;
    const left = await conn.db!.collection('messages').countDocuments();
    const t3 = performance.now();
    const again = await conn.db!.command({ compact: 'messages', force: true });
    const againMs = performance.now() - t3;

    console.log(`\ncompact of a ${mb(before).toFixed(0)} MB data file (${left} messages left of ${written}), against copying the same file (fs.copyFile + fsync) in the same run:`);
    printTable(['operation', 'ms', 'MB/s of data file', '÷ copy', 'data file MB before → after'], [
      ['copy data.mdb + fsync (baseline)', baseMs.toFixed(0), (mb(before) / (baseMs / 1000)).toFixed(0), '1.0', `${mb(before).toFixed(0)}`],
      ['compact (force), as the app sends it', compactMs.toFixed(0), (mb(before) / (compactMs / 1000)).toFixed(0), (compactMs / baseMs).toFixed(2), `${mb(before).toFixed(0)} → ${mb(after).toFixed(0)} (bytesFreed ${mb(Number(reply.bytesFreed)).toFixed(0)})`],
      ['compact again, nothing to free', againMs.toFixed(1), '', '', `bytesFreed ${Number(again.bytesFreed)}`],
    ]);
    console.log(`\nwhat other connections saw during the compaction (one sent every ${PROBE_GAP_MS} ms after the last answer):`);
    const endedAt = (s: { worstEnd: number }) => (s.worstEnd - t2).toFixed(0);
    printTable(['request', 'sent', 'longest wait ms', '÷ compact', 'it ended at ms of the compact'], [
      ['ping (reads no data: answered)', String(pings.stats.sent), pings.stats.worst.toFixed(1), (pings.stats.worst / compactMs).toFixed(3), endedAt(pings.stats)],
      ['find one message by _id (held back)', String(finds.stats.sent), finds.stats.worst.toFixed(0), (finds.stats.worst / compactMs).toFixed(2), endedAt(finds.stats)],
    ]);
  } finally {
    await Promise.all([conn.close(), pinger.close(), reader.close()]);
  }
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-compact-'));
  const devdb = spawnEntry('src/devdb/cli.ts', {}, ['--port', '0', '--data-dir', dataDir]);
  try {
    while (!/^mongodb:\/\//m.test(devdb.output())) {
      if (devdb.child.exitCode !== null) throw new Error(`the built-in server stopped: ${devdb.output()}`);
      await sleep(5);
    }
    await measure(devdb.output().split('\n')[0]!.trim(), dataDir);
  } finally {
    devdb.child.kill('SIGTERM');
    await devdb.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
