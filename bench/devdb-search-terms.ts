/*
 * Ticket search terms in devdb: each ticket holds a multikey `searchTerms` array of ~2000 strings
 * indexed `{ searchTerms: 1 }`. Measures what every ticket update costs (a field that is not a
 * term; new terms added with $addToSet $each under the 3000-term cap) and a prefix search
 * ($elemMatch range), on the in-memory and on the LMDB engine.
 * Run: npx tsx bench/devdb-search-terms.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import { startDevDb } from '../src/devdb/server.js';

const TICKETS = 200;
const TERMS = 2000;
const RUNS = 100;
const WARMUP = 10;

function word(n: number): string {
  let s = '';
  for (let x = n + 1; x > 0; x = Math.floor(x / 26)) s += String.fromCharCode(97 + (x % 26));
  return s;
}

function terms(i: number): string[] {
  const out = new Set<string>();
  for (let j = 0; out.size < TERMS; j++) out.add(word((i * 7919 + j * 104_729) % 200_000));
  return [...out, `s:ticket${i}`, `f:user${i % 97}@example.com`];
}

async function time(run: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await run(WARMUP + i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(RUNS * 0.5)] as number, p95: times[Math.floor(RUNS * 0.95)] as number };
}

async function measure(engine: string, dataDir: string | undefined): Promise<Record<string, string | number>> {
  const server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
  const client = await MongoClient.connect(server.uri);
  try {
    const coll: Collection = client.db('devdb_bench').collection('tickets');
    await coll.createIndex({ searchTerms: 1 });
    await coll.createIndex({ inboxId: 1, status: 1, lastActivityAt: -1, _id: -1 });
    const t = Date.now();
    for (let i = 0; i < TICKETS; i += 50) {
      await coll.insertMany(Array.from({ length: 50 }, (_, j) => ({
        _id: (i + j) as never, inboxId: `inbox${(i + j) % 4}`, status: 'open', lastActivityAt: new Date(Date.UTC(2024, 0, 1) + (i + j) * 1000), searchTerms: terms(i + j),
      })));
    }
    const loadMs = Date.now() - t;
    const setStatus = await time((i) => coll.updateOne({ _id: (i % TICKETS) as never }, { $set: { status: i % 2 ? 'pending' : 'open', lastActivityAt: new Date(Date.UTC(2024, 1, 1) + i * 1000) } }));
    const addTerms = await time((i) => coll.updateOne(
      { _id: (i % TICKETS) as never, 'searchTerms.2999': { $exists: false } },
      { $addToSet: { searchTerms: { $each: Array.from({ length: 30 }, (_, j) => `new${i}x${j}`) } }, $set: { lastActivityAt: new Date(Date.UTC(2024, 2, 1) + i * 1000) } },
    ));
    const prefix = await time((i) => coll.find({ searchTerms: { $elemMatch: { $gte: `new${i % 50}x1`, $lt: `new${i % 50}x1\u{10FFFF}` } } }).toArray());
    const explain = await coll.find({ searchTerms: { $elemMatch: { $gte: 'new5x1', $lt: 'new5x1\u{10FFFF}' } } }).explain('executionStats');
    const stats = explain.executionStats as { totalDocsExamined: number; totalKeysExamined: number };
    return {
      engine, tickets: TICKETS, 'terms/ticket': TERMS, 'load ms': loadMs,
      '$set p50 ms': setStatus.p50.toFixed(2), '$set p95 ms': setStatus.p95.toFixed(2),
      '$addToSet 30 p50 ms': addTerms.p50.toFixed(2), '$addToSet 30 p95 ms': addTerms.p95.toFixed(2),
      'prefix p50 ms': prefix.p50.toFixed(2), 'prefix docs/keys examined': `${stats.totalDocsExamined}/${stats.totalKeysExamined}`,
    };
  } finally {
    await client.close();
    await server.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'devdb-bench-'));
try {
  const rows = [await measure('memory', undefined), await measure('lmdb', dir)];
  console.log(`devdb search terms: ${TICKETS} tickets × ${TERMS} terms, index {searchTerms: 1}; ${RUNS} runs after ${WARMUP} warm-up`);
  console.log('$set = status + lastActivityAt (no term changes); $addToSet 30 = 30 new terms with the 3000-term cap filter;');
  console.log('prefix = {searchTerms: {$elemMatch: {$gte: p, $lt: p + U+10FFFF}}}');
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
