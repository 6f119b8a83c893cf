/**
 * The contact search (`/contacts?q=`) on the built-in database's durable engine: 50,000 contacts
 * created over two years, searched by a word many match, by one few match and by one none matches.
 * A substring match reads every contact it passes, so the search walks short windows of creation
 * time until 50 match; the figures are p50/p95 of a search, the longest single database command
 * (what another request may wait behind: the built-in server runs one command at a time), and the
 * ratio to an indexed look-up of one contact by address, measured in the same run. Then a manager's
 * search, which keeps only the people with a ticket in their inboxes (every tenth person here), and
 * one where none of the matches is theirs (it stops after FILTERED_SEARCH_READ_MAX matches).
 * Run: `npm run bench -- contacts` (`-- contacts --quick`: 10,000 contacts). BENCH_CONTACTS sets the size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startDevDb } from '../src/devdb/server.js';
import type { Actor } from '../src/services/access.js';
import { searchContacts } from '../src/services/contacts/search-contacts.js';
import { createContactStore } from '../src/store/contact-store.js';
import { createModels, ensureIndexes } from '../src/store/models/index.js';
import { createPersonDataStore } from '../src/store/person-data-store.js';
import { printTable, timeSequential } from './stats.js';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? (QUICK ? 10_000 : 50_000));
const RUNS = QUICK ? 10 : 30;
const DAY = 86_400_000;
const INBOX_A = new mongoose.Types.ObjectId('7000000000000000000000a1');
const INBOX_B = new mongoose.Types.ObjectId('7000000000000000000000b1');
const INBOX_EMPTY = new mongoose.Types.ObjectId('7000000000000000000000e1');

const dataDir = mkdtempSync(path.join(tmpdir(), 'tl-bench-contacts-'));
const server = await startDevDb({ host: '127.0.0.1', port: 0, dataDir });
try {
  const conn = await mongoose.createConnection(server.uri, { dbName: 'bench_contacts', monitorCommands: true }).asPromise();
  const longest = { ms: 0 };
  conn.getClient().on('commandSucceeded', (e) => {
    if (e.commandName === 'find') longest.ms = Math.max(longest.ms, e.duration);
  });
  const models = createModels(conn);
  await ensureIndexes(models);
  const now = Date.now();
  for (let start = 0; start < CONTACTS; start += 5000) {
    const batch = Array.from({ length: Math.min(5000, CONTACTS - start) }, (_, k) => {
      const i = start + k;
      const created = new Date(now - ((CONTACTS - i) / CONTACTS) * 730 * DAY);
      return { _id: mongoose.Types.ObjectId.createFromTime(Math.floor(created.getTime() / 1000)), email: `customer${i}@example${i % 97}.test`, name: `Customer ${i}`, bounce: { bouncing: false }, createdAt: created, updatedAt: created };
    });
    await conn.db!.collection('contacts').insertMany(batch);
    // Every tenth person wrote to inbox A, the others to inbox B: what a manager of A may see.
    await conn.db!.collection('tickets').insertMany(
      batch.map((c, k) => ({ number: start + k + 1, inboxId: (start + k) % 10 ? INBOX_B : INBOX_A, subject: 'Help', status: 'open', requester: { email: c.email }, participants: [c.email], createdAt: c.createdAt, lastActivityAt: c.createdAt })),
    );
  }
  const contacts = createContactStore(models);
  const baseline = await timeSequential(() => contacts.findLocaleByEmail(`customer${CONTACTS >> 1}@example${(CONTACTS >> 1) % 97}.test`), 5, RUNS);
  const rows: string[][] = [['look-up of one address (baseline)', '', baseline.p50.toFixed(1), baseline.p95.toFixed(1), '1.0', '']];
  for (const [what, q] of [['many match', 'customer1'], ['few match', `Customer ${CONTACTS - 7}`], ['none match', 'zzzz-no-such-contact']] as const) {
    longest.ms = 0;
    const found = (await contacts.search(q, 50)).length;
    const t = await timeSequential(() => contacts.search(q, 50), 2, RUNS);
    rows.push([`search, ${what} (${found} shown)`, q, t.p50.toFixed(1), t.p95.toFixed(1), (t.p50 / baseline.p50).toFixed(1), longest.ms.toFixed(1)]);
  }
  // A manager's search keeps only the people with a ticket in their inboxes, on each read (at most FILTERED_SEARCH_READ_MAX matches read).
  const deps = { contacts, personData: createPersonDataStore(models) };
  for (const [what, q, inboxId] of [['manager of A, many match, 1 in 10 theirs', 'customer1', INBOX_A], ['manager of an empty inbox, all match, none theirs', 'customer', INBOX_EMPTY]] as const) {
    const manager: Actor = { userId: new mongoose.Types.ObjectId(), role: 'manager', inboxIds: [inboxId] };
    longest.ms = 0;
    const found = (await searchContacts(deps, manager, q)).length;
    const t = await timeSequential(() => searchContacts(deps, manager, q), 2, RUNS);
    rows.push([`search, ${what} (${found} shown)`, q, t.p50.toFixed(1), t.p95.toFixed(1), (t.p50 / baseline.p50).toFixed(1), longest.ms.toFixed(1)]);
  }
  console.log(`contact search, ${CONTACTS} contacts, built-in database (durable engine), ${RUNS} searches per row`);
  printTable(['request', 'q', 'p50 ms', 'p95 ms', 'p50 ÷ baseline', 'longest command ms'], rows);
  await conn.close();
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
