import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeReportRows } from '../../../../src/domain/report-row-codec.js';
import type { ReportRow } from '../../../../src/domain/report-row.js';
import { jobDefinitions, reportRowsJob } from '../../../../src/jobs/definitions.js';
import { createScheduler, ensureJobIndexes } from '../../../../src/jobs/scheduler.js';
import { keepReportRows, REPORT_ROWS_EVERY_MINUTE, REPORT_ROWS_JOB, REPORT_ROWS_LOCK_MS, REPORT_ROWS_NIGHTLY, type KeepReportRowsDeps } from '../../../../src/services/reports/keep-report-rows.js';
import type { ReportRowBlockDoc } from '../../../../src/store/models/report-row-block.js';
import { createReportRowStore, type ReportRowStore } from '../../../../src/store/report-row-store.js';
import { openTestDb } from '../../../helpers/db.js';
import { recordingLogger } from '../../../helpers/migrations.js';

// The report rows' background upkeep over the real store: the minute's catch-up (which builds the rows
// the first time) and the nightly remake, as the job runs them.
let db: Awaited<ReturnType<typeof openTestDb>>;
let store: ReportRowStore;
const inboxId = new Types.ObjectId();

const ticket = (number: number) => ({ number, inboxId, subject: `Ticket ${number}`, requester: { email: `c${number}@customer.test` }, status: 'open' as const });
/** Every stored row, read straight off the blocks. */
async function storedRows(): Promise<ReportRow[]> {
  const blocks = await db.models.ReportRowBlock.find({}).sort({ _id: 1 }).lean<ReportRowBlockDoc[]>();
  return blocks.flatMap((b) => {
    const bin = b.rows as unknown as Uint8Array | { buffer: Uint8Array; position: number };
    return decodeReportRows(bin instanceof Uint8Array ? bin : bin.buffer.subarray(0, bin.position)).map((r) => r.row);
  });
}
/** The ticket numbers in the rows. */
const rowNumbers = async () => (await storedRows()).map((r) => r.number).sort((a, b) => a - b);
/** The real store, with the calls made to it. */
function recordedStore(calls: string[]): KeepReportRowsDeps['reportRows'] {
  return {
    catchUp: () => (calls.push('catchUp'), store.catchUp()),
    remakeAll: () => (calls.push('remakeAll'), store.remakeAll()),
  };
}

beforeAll(async () => {
  db = await openTestDb('keep_rrows');
  store = createReportRowStore(db.models);
  const [first] = await db.models.Ticket.create([ticket(1), ticket(2), ticket(300)]);
  await db.models.TicketEvent.create({ ticketId: first!._id, type: 'reply_queued', at: new Date(), actor: { kind: 'user', id: new Types.ObjectId() }, data: {} });
});
afterAll(() => db.drop());

describe('keepReportRows', () => {
  it("builds the rows at the first 'catch-up' and says so, then only catches up", async () => {
    const { logger, lines } = recordingLogger();
    expect(await db.models.ReportRowState.countDocuments()).toBe(0);

    await keepReportRows({ reportRows: store, logger }, REPORT_ROWS_EVERY_MINUTE.key);
    expect(lines.filter((l) => l.msg === 'report rows built')).toEqual([expect.objectContaining({ refreshed: 3 })]);
    const state = await db.models.ReportRowState.findById('rows').lean();
    expect(state).toMatchObject({ build: null });
    expect(state!.through).toBeInstanceOf(Date);
    expect(await rowNumbers()).toEqual([1, 2, 300]);
    for (const r of await storedRows()) expect(r.events, `ticket ${r.number}`).toHaveLength(r.number === 1 ? 1 : 0);

    await db.models.Ticket.create(ticket(4));
    await keepReportRows({ reportRows: store, logger }, REPORT_ROWS_EVERY_MINUTE.key);
    expect(lines.filter((l) => l.msg === 'report rows built')).toHaveLength(1);
    expect(await rowNumbers()).toEqual([1, 2, 4, 300]);
  });

  it("remakes every block at 'remake', dropping the row of a ticket deleted without a word, and logs the blocks", async () => {
    const { logger, lines } = recordingLogger();
    await db.models.Ticket.deleteOne({ number: 2 });
    // A catch-up does not see a deletion (the deleter is to call `forget`): the row stays till the remake.
    await keepReportRows({ reportRows: store, logger }, REPORT_ROWS_EVERY_MINUTE.key);
    expect(await rowNumbers()).toEqual([1, 2, 4, 300]);

    await keepReportRows({ reportRows: store, logger }, REPORT_ROWS_NIGHTLY.key);
    expect(lines.filter((l) => l.msg === 'report rows remade')).toEqual([expect.objectContaining({ blocks: 2 })]);
    expect(lines.filter((l) => l.msg === 'report rows built')).toEqual([]);
    expect(await rowNumbers()).toEqual([1, 4, 300]);
  });
});

describe('the report rows job', () => {
  it("is defined as 'report-rows', one run at a time, and runs the use case with its data's key", async () => {
    const calls: string[] = [];
    const deps: KeepReportRowsDeps = { reportRows: recordedStore(calls), logger: recordingLogger().logger };
    const stub = {} as never;
    const others = { deliver: stub, autoReply: stub, sla: stub, digest: stub, notify: stub, lifecycle: stub, routing: stub, lockLifetimeMs: 7000 };
    expect(jobDefinitions(others).map((j) => j.name)).not.toContain(REPORT_ROWS_JOB);
    const defined = jobDefinitions({ ...others, reportRows: deps }).filter((j) => j.name === REPORT_ROWS_JOB);
    expect(defined).toHaveLength(1);
    const job = defined[0]!;
    expect(REPORT_ROWS_JOB).toBe('report-rows');
    expect(job).toMatchObject({ name: 'report-rows', concurrency: 1, lockLifetimeMs: REPORT_ROWS_LOCK_MS });
    expect(reportRowsJob(deps, 7000)).toMatchObject({ name: 'report-rows', concurrency: 1, lockLifetimeMs: REPORT_ROWS_LOCK_MS });

    await job.handler({ key: 'remake' }, { id: 'a', attempts: 0 });
    await job.handler({ key: 'catch-up' }, { id: 'b', attempts: 0 });
    // A job without a key (none is scheduled so, but a hand-made one) only catches up.
    await job.handler({}, { id: 'c', attempts: 0 });
    expect(calls).toEqual(['remakeAll', 'catchUp', 'catchUp']);
  });

  it('is planned as one catch-up a minute and one remake a night, however many workers start', async () => {
    const agenda = new Agenda({ backend: new MongoBackend({ mongo: db.connection.db!, collection: 'jobs' }) });
    await agenda.ready;
    const jobs = db.connection.db!.collection('jobs');
    await ensureJobIndexes(jobs);
    const scheduler = createScheduler(agenda, jobs);
    const plan = () => Promise.all([scheduler.scheduleRecurring(REPORT_ROWS_JOB, REPORT_ROWS_EVERY_MINUTE), scheduler.scheduleRecurring(REPORT_ROWS_JOB, REPORT_ROWS_NIGHTLY)]);
    await Promise.all([plan(), plan()]);
    await plan();
    const pending = await jobs.find({ name: REPORT_ROWS_JOB }).sort({ 'data.key': 1 }).toArray();
    expect(pending).toHaveLength(2);
    expect(pending[0]).toMatchObject({ data: { key: 'catch-up' }, repeatInterval: '* * * * *', repeatTimezone: 'UTC' });
    expect(pending[1]).toMatchObject({ data: { key: 'remake' }, repeatInterval: '40 3 * * *', repeatTimezone: 'UTC' });
  });
});
