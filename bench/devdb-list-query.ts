/*
 * The ticket list query against devdb: does the index keep it flat as the collection grows?
 * Run: npx tsx bench/devdb-list-query.ts
 */
import { MongoClient, type Collection } from 'mongodb';
import { startDevDb } from '../src/devdb/server.js';

const SIZES = [10_000, 100_000];
const RUNS = 200;
const WARMUP = 20;
const INBOXES = ['support', 'billing', 'sales', 'security', 'press'];
const STATUSES = ['open', 'pending', 'on_hold', 'solved', 'closed'];

function ticket(i: number): Record<string, unknown> {
  const created = Date.UTC(2024, 0, 1) + i * 60_000;
  return {
    inboxId: INBOXES[i % INBOXES.length],
    status: STATUSES[Math.floor(i / INBOXES.length) % STATUSES.length],
    priority: i % 4,
    number: i + 1,
    subject: `Ticket ${i + 1}: printer on fire`,
    requester: { email: `user${i % 997}@example.com`, name: `User ${i % 997}` },
    assigneeId: i % 3 === 0 ? null : `agent${i % 12}`,
    lastActivityAt: new Date(created + ((i * 7919) % 86_400) * 1000),
    createdAt: new Date(created),
    // Like a message's dedupe key or a ticket's origin: on some documents only, under a sparse unique index.
    ...(i % 2 === 0 ? { dedupeKey: `key-${i}` } : {}),
  };
}

async function timeQuery(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(RUNS * 0.5)] as number, p95: times[Math.floor(RUNS * 0.95)] as number };
}

async function load(coll: Collection, n: number): Promise<number> {
  const t = Date.now();
  for (let i = 0; i < n; i += 5000) {
    await coll.insertMany(Array.from({ length: Math.min(5000, n - i) }, (_, j) => ticket(i + j)), { ordered: false });
  }
  return Date.now() - t;
}

const server = await startDevDb({ host: '127.0.0.1', port: 0 });
const client = await MongoClient.connect(server.uri);
const rows: Array<Record<string, string | number>> = [];
const p50s: number[] = [];
try {
  for (const n of SIZES) {
    const coll = client.db('devdb_bench').collection(`tickets_${n}`);
    await coll.createIndex({ inboxId: 1, status: 1, lastActivityAt: -1, _id: -1 });
    await coll.createIndex({ dedupeKey: 1 }, { unique: true, sparse: true });
    const loadMs = await load(coll, n);
    const listQuery = () => coll.find({ inboxId: 'billing', status: 'open' }).sort({ lastActivityAt: -1, _id: -1 }).limit(50).toArray();
    const first = await listQuery();
    if (first.length !== 50) throw new Error(`expected 50 tickets, got ${first.length}`);
    const indexed = await timeQuery(listQuery);
    const multi = { inboxId: { $in: ['support', 'billing', 'sales'] }, status: { $in: ['open', 'pending'] } };
    const merged = await timeQuery(() => coll.find(multi).sort({ lastActivityAt: -1, _id: -1 }).limit(50).toArray());
    const scan = await timeQuery(() => coll.find({ 'requester.email': 'user5@example.com' }).sort({ lastActivityAt: -1 }).limit(50).toArray());
    const keys = [`key-${n >> 1}`, `key-${n >> 2}`, 'key-none'];
    if ((await coll.find({ dedupeKey: { $in: keys } }).toArray()).length !== 2) throw new Error('expected 2 documents by dedupe key');
    const sparse = await timeQuery(() => coll.find({ dedupeKey: { $in: keys } }).toArray());
    p50s.push(indexed.p50);
    rows.push({
      docs: n, 'load ms': loadMs, 'indexed p50 ms': indexed.p50.toFixed(2), 'indexed p95 ms': indexed.p95.toFixed(2),
      '$in×$in p50 ms': merged.p50.toFixed(2), 'sparse key p50 ms': sparse.p50.toFixed(2), 'full scan p50 ms': scan.p50.toFixed(2), 'full scan p95 ms': scan.p95.toFixed(2),
    });
  }
  console.log(`devdb list query: filter {inboxId, status}, sort {lastActivityAt: -1, _id: -1}, limit 50; ${RUNS} runs after ${WARMUP} warm-up`);
  console.log('index {inboxId: 1, status: 1, lastActivityAt: -1, _id: -1}; $in×$in = 3 inboxes × 2 statuses (merged index walks);');
  console.log('sparse key = dedupeKey $in 3 keys on a sparse unique index (half the documents have one; a full scan before the planner walked sparse indexes)');
  console.log('full scan = filter on unindexed requester.email, same sort and limit');
  console.table(rows);
  const ratio = (p50s[1] as number) / (p50s[0] as number);
  console.log(`p50(100k) / p50(10k) = ${ratio.toFixed(2)}   (data ratio 10; a full scan would scale ~10x)`);
} finally {
  await client.close();
  await server.close();
}
