import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReportRows, REPORT_ROW_FORMAT } from '../../../src/domain/report-row-codec.js';
import type { ReportRow } from '../../../src/domain/report-row.js';
import type { ReportRowBlockDoc, ReportRowStateDoc } from '../../../src/store/models/report-row-block.js';
import { createReportRowStore, REPORT_ROW_BLOCK } from '../../../src/store/report-row-store.js';
import { openTestDb } from '../../helpers/db.js';
import { spawnEntry, type Spawned } from '../../helpers/process.js';
import { withDbName } from '../../helpers/uri.js';

/*
 * A catch-up builds the report rows block after block, noting the next block in the state document. A
 * process killed in the middle of it must leave nothing half-done that the next catch-up (in another
 * process) does not finish: every ticket one row, the same rows as a remake from scratch.
 */
/** 36 blocks, built 16 to a write: killed after the first write, the build has a whole write of 16 blocks to go, far longer than a poll takes on a loaded machine. */
const TICKETS = 9000;
const BLOCKS = Math.floor(TICKETS / REPORT_ROW_BLOCK) + 1;
const INSERT_BATCH = 1000;

let db: Awaited<ReturnType<typeof openTestDb>>;
let child: Spawned | undefined;

/** A block's bytes as the driver hands them: a Buffer, or a BSON Binary. */
function bytesOf(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  const bin = v as { buffer: Uint8Array; position?: number };
  return bin.buffer.subarray(0, bin.position ?? bin.buffer.length);
}

/** Every stored row, by ticket number, without when it was made; a number seen twice fails the test. */
async function storedRows(): Promise<Map<number, ReportRow>> {
  const rows = new Map<number, ReportRow>();
  for (const block of await db.models.ReportRowBlock.find({}).sort({ _id: 1 }).lean<ReportRowBlockDoc[]>()) {
    expect(block.format).toBe(REPORT_ROW_FORMAT);
    const decoded = decodeReportRows(bytesOf(block.rows));
    expect(block.count).toBe(decoded.length);
    for (const { row } of decoded) {
      expect(Math.floor(row.number / REPORT_ROW_BLOCK), `ticket ${row.number} in block ${block._id}`).toBe(block._id);
      expect(rows.has(row.number), `ticket ${row.number} has one row`).toBe(false);
      rows.set(row.number, row);
    }
  }
  return rows;
}

const state = () => db.models.ReportRowState.findById('rows').lean<ReportRowStateDoc>();

/** Tickets 1..TICKETS with a trail (replies, solves, reopens, breaches) and a rating for every third, written straight to the collections. */
async function seed(): Promise<void> {
  const { Ticket, TicketEvent, SatisfactionRating } = db.models;
  const inboxes = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
  const agents = [new Types.ObjectId(), new Types.ObjectId()];
  const base = Date.UTC(2026, 0, 1);
  const at = (minutes: number) => new Date(base + minutes * 60_000);
  const statuses = ['new', 'open', 'pending', 'solved', 'closed', 'spam'] as const;
  const tickets = [];
  const events = [];
  const ratings = [];
  for (let n = 1; n <= TICKETS; n++) {
    const _id = new Types.ObjectId();
    const inboxId = inboxes[n % inboxes.length]!;
    const created = n * 30;
    const status = statuses[n % statuses.length]!;
    const solved = status === 'solved' || status === 'closed';
    tickets.push({
      _id, number: n, inboxId, subject: `Ticket ${n}`, requester: { email: `c${n}@customer.test` }, status, priority: n % 7 === 0 ? 'high' : 'normal', tags: n % 5 === 0 ? ['billing', 'vip'] : [],
      assigneeId: n % 2 ? agents[n % agents.length]! : null, createdAt: at(created), updatedAt: new Date(), lastActivityAt: at(created + 20),
      metrics: {
        firstResponseAt: at(created + 10), firstResponseSeconds: 600, firstResponseBusinessSeconds: 600,
        ...(solved ? { lastSolvedAt: at(created + 20), resolutionSeconds: 1200, resolutionBusinessSeconds: 1200, reopenCount: n % 4 === 0 ? 1 : 0 } : {}),
        sla: { firstResponse: n % 3 ? 'met' : 'breached', nextResponse: null, resolution: solved ? 'met' : null },
      },
    });
    const by = { kind: 'user', id: agents[n % agents.length]! };
    events.push({ ticketId: _id, type: 'reply_queued', at: at(created + 10), actor: by, data: {} });
    events.push({ ticketId: _id, type: 'note_added', at: at(created + 11), actor: by, data: {} });
    if (n % 3 === 0) events.push({ ticketId: _id, type: 'sla_breached', at: at(created + 5), actor: { kind: 'system', id: null }, data: { clock: 'firstResponse' } });
    if (n % 4 === 0) {
      events.push({ ticketId: _id, type: 'status_changed', at: at(created + 12), actor: by, data: { from: 'open', to: 'solved' } });
      events.push({ ticketId: _id, type: 'reopened', at: at(created + 15), actor: { kind: 'contact', id: null }, data: { from: 'solved' } });
    }
    if (solved) events.push({ ticketId: _id, type: 'status_changed', at: at(created + 20), actor: by, data: { from: 'open', to: 'solved' } });
    if (solved && n % 3 === 0) {
      ratings.push({ ticketId: _id, inboxId, email: `c${n}@customer.test`, askedAt: at(created + 21), solvedAt: at(created + 20), rating: (['good', 'okay', 'bad'] as const)[n % 3], comment: n % 2 ? 'Thanks' : null, ratedAt: at(created + 25) });
    }
  }
  for (let i = 0; i < tickets.length; i += INSERT_BATCH) await Ticket.collection.insertMany(tickets.slice(i, i + INSERT_BATCH));
  for (let i = 0; i < events.length; i += INSERT_BATCH) await TicketEvent.collection.insertMany(events.slice(i, i + INSERT_BATCH));
  await SatisfactionRating.collection.insertMany(ratings);
}

beforeAll(async () => {
  db = await openTestDb('rrow_crash');
  await seed();
}, 120_000);
afterAll(async () => {
  child?.child.kill('SIGKILL');
  await db.drop();
});

describe('the report rows build, its process killed mid-way', () => {
  it('loses nothing: the next catch-up resumes it, every ticket has one row, the same as a remake from scratch', async () => {
    child = spawnEntry('test/support/report-row-catch-up.ts', { MONGODB_URI: withDbName(db.uri, db.connection.name) });
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    void child.exited.then((e) => (exited = e));

    // Killed once a write of blocks is done (polled, not timed: a loaded machine builds slower); the build must still be running.
    await expect
      .poll(
        async () => {
          if (exited) throw new Error(`the catch-up process ended before it was killed: ${JSON.stringify(exited)}\n${child!.output()}`);
          return (await state())?.build?.next ?? -1;
        },
        { timeout: 120_000, interval: 5 },
      )
      .toBeGreaterThanOrEqual(2);
    child.child.kill('SIGKILL');
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(child.output(), 'it never finished').not.toContain('"built"');

    const cut = await state();
    expect(cut).toMatchObject({ format: REPORT_ROW_FORMAT, through: null });
    expect(cut!.build!.next).toBeGreaterThanOrEqual(2);
    expect(cut!.build!.next, 'killed mid-build (seed more tickets if this fails)').toBeLessThan(BLOCKS);
    const startedAt = cut!.build!.startedAt;

    const store = createReportRowStore(db.models);
    const outcome = await store.catchUp();
    expect(outcome.built).toBe(true);
    expect(outcome.refreshed).toBe(TICKETS);

    const done = await state();
    expect(done).toMatchObject({ format: REPORT_ROW_FORMAT, build: null });
    expect(done!.through).toBeInstanceOf(Date);
    expect(done!.through!.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());

    const caughtUp = await storedRows();
    expect([...caughtUp.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: TICKETS }, (_, i) => i + 1));
    expect(await db.models.ReportRowBlock.countDocuments()).toBe(BLOCKS);
    // The rows are not trivially equal: they carry trail facts and ratings.
    expect([...caughtUp.values()].filter((r) => r.rating).length).toBeGreaterThan(100);
    expect([...caughtUp.values()].filter((r) => r.events.length >= 3).length).toBeGreaterThan(100);
    expect(caughtUp.get(4)!.events.map((e) => e.at)).toEqual([...caughtUp.get(4)!.events.map((e) => e.at)].sort((a, b) => a - b));

    expect(await store.remakeAll()).toBe(BLOCKS);
    const remade = await storedRows();
    expect(remade.size).toBe(TICKETS);
    for (const [n, row] of remade) expect(caughtUp.get(n), `ticket ${n}`).toEqual(row);
  }, 300_000);
});
