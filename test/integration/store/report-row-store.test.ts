import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_ROW_FORMAT } from '../../../src/domain/report-row-codec.js';
import { ROW_EVENT, type ReportRow } from '../../../src/domain/report-row.js';
import { createReportRowStore, FRESH_MAX, type ReportRowStore } from '../../../src/store/report-row-store.js';
import { d, LONG_AGO, idAt, openDb, oldTickets, oldEntries, expectedRow, allRows, rowsIn, blocks } from '../../helpers/report-rows.js';

// The report rows against the test server (see test/helpers/report-rows.ts for the fixtures); two
// processes side by side: report-row-store-concurrency.test.ts.

describe('the first catch-up', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  beforeAll(async () => {
    fx = await openDb('rows_build');
    const [t1] = await oldTickets(fx.models, fx.inboxId, [
      { number: 1, assigneeId: fx.x, priority: 'high', tags: ['vip', 'vip', 'billing'], status: 'solved', metrics: { firstResponseAt: d('2025-01-10T11:00:00Z'), firstResponseSeconds: 3600, lastSolvedAt: d('2025-01-11T10:00:00Z'), resolutionSeconds: 86_400, reopenCount: 1, sla: { firstResponse: 'met', resolution: 'breached' } } },
      { number: 255, status: 'closed' },
      { number: 256, mergedIntoId: new Types.ObjectId() },
      { number: 600, status: 'new', createdAt: d('2025-02-01T00:00:00Z') },
    ]);
    await oldEntries(fx.models, [
      { ticketId: t1!, type: 'reply_queued', at: d('2025-01-10T11:00:00Z'), actor: { kind: 'user', id: fx.x } },
      { ticketId: t1!, type: 'note_added', at: d('2025-01-10T11:30:00Z'), actor: { kind: 'user', id: fx.x } },
      { ticketId: t1!, type: 'status_changed', at: d('2025-01-11T10:00:00Z'), actor: { kind: 'system' }, data: { from: 'open', to: 'solved' } },
    ]);
    await fx.models.SatisfactionRating.create({ ticketId: t1, inboxId: fx.inboxId, email: 'c@customer.test', askedAt: d('2025-01-11T10:00:00Z'), solvedAt: d('2025-01-11T10:00:00Z'), rating: 'good', comment: 'Thanks', ratedAt: d('2025-01-12T10:00:00Z') });
  });
  afterAll(() => fx.db.drop());

  it('builds one block per 256 numbers, each ticket’s row made from it, its trail and its rating', async () => {
    const store = createReportRowStore(fx.models);
    expect(await store.catchUp()).toEqual({ built: true, refreshed: 0 });
    expect(await blocks(fx.models)).toEqual([{ _id: 0, count: 2, format: REPORT_ROW_FORMAT }, { _id: 1, count: 1, format: REPORT_ROW_FORMAT }, { _id: 2, count: 1, format: REPORT_ROW_FORMAT }]);
    const rows = await allRows(fx.models);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual([1, 255, 256, 600]);
    for (const n of rows.keys()) expect(rows.get(n)).toEqual(await expectedRow(fx.models, n));
    expect(rows.get(1)).toMatchObject({
      assigneeId: fx.x.toHexString(), priority: 'high', tags: ['vip', 'billing'], active: false, excluded: false,
      firstResponse: { at: d('2025-01-10T11:00:00Z').getTime(), seconds: 3600, sla: 'met' },
      resolution: { at: d('2025-01-11T10:00:00Z').getTime(), seconds: 86_400, resolutionSla: 'breached', reopened: true },
      rating: { rating: 'good', at: d('2025-01-12T10:00:00Z').getTime(), commented: true },
      events: [{ at: d('2025-01-10T11:00:00Z').getTime(), kinds: ROW_EVENT.reply, actorId: fx.x.toHexString() }, { at: d('2025-01-11T10:00:00Z').getTime(), kinds: ROW_EVENT.solve, actorId: null }],
    });
    expect(rows.get(256)).toMatchObject({ excluded: true, active: true });
    expect(rows.get(600)).toMatchObject({ active: true, priority: 'normal', firstResponse: null, resolution: null, rating: null, events: [] });
    // The block's summary: only counted active rows make it a backlog block.
    const first = (await fx.models.ReportRowBlock.findById(0).lean())!;
    expect([first.active, first.firstAt, first.lastAt]).toEqual([0, d('2025-01-10T10:00:00Z'), d('2025-01-12T10:00:00Z')]);
    expect((await fx.models.ReportRowBlock.findById(1).lean())!.active).toBe(0);
    const state = (await fx.models.ReportRowState.findById('rows').lean())!;
    expect(state).toMatchObject({ format: REPORT_ROW_FORMAT, build: null });
    expect(state.through).toBeInstanceOf(Date);
    // Nothing changed since: nothing is made again.
    expect(await store.catchUp()).toEqual({ built: false, refreshed: 0 });
  });
});

describe('a catch-up after the first', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  let store: ReportRowStore;
  let ids: Types.ObjectId[];
  beforeAll(async () => {
    fx = await openDb('rows_incr');
    ids = await oldTickets(fx.models, fx.inboxId, [{ number: 1 }, { number: 2, status: 'solved' }, { number: 300 }]);
    store = createReportRowStore(fx.models);
    expect((await store.catchUp()).built).toBe(true);
  });
  afterAll(() => fx.db.drop());

  it('makes again the row of a ticket changed through the models', async () => {
    await fx.models.Ticket.updateOne({ _id: ids[0] }, { $set: { assigneeId: fx.y, priority: 'urgent', tags: ['late'] } });
    const { built, refreshed } = await store.catchUp();
    expect(built).toBe(false);
    expect(refreshed).toBeGreaterThanOrEqual(1);
    const rows = await allRows(fx.models);
    expect(rows.get(1)).toMatchObject({ assigneeId: fx.y.toHexString(), priority: 'urgent', tags: ['late'] });
    expect(rows.get(1)).toEqual(await expectedRow(fx.models, 1));
    expect(rows.get(300)).toMatchObject({ assigneeId: null, priority: 'normal', tags: [] });
  });

  it('adds the row of a new ticket, in a new block', async () => {
    await fx.models.Ticket.create({ number: 700, inboxId: fx.inboxId, subject: 'New', requester: { email: 'c@customer.test' }, status: 'new' });
    expect((await store.catchUp()).refreshed).toBeGreaterThanOrEqual(1);
    expect((await allRows(fx.models)).get(700)).toEqual(await expectedRow(fx.models, 700));
    expect((await blocks(fx.models)).map((b) => b._id)).toEqual([0, 1, 2]);
  });

  it('sees a new ticket by its id even when written without `updatedAt`', async () => {
    const _id = new Types.ObjectId();
    await fx.models.Ticket.collection.insertOne({ _id, number: 701, inboxId: fx.inboxId, subject: 'Raw', requester: { email: 'c@customer.test' }, status: 'open', tags: [], createdAt: d('2025-02-01T00:00:00Z') });
    await store.catchUp();
    expect((await allRows(fx.models)).get(701)).toEqual(await expectedRow(fx.models, 701));
  });

  it('sees a trail entry recorded without a write of its ticket', async () => {
    const at = d('2025-02-01T09:00:00Z');
    await fx.models.TicketEvent.create({ ticketId: ids[2], type: 'reply_queued', actor: { kind: 'user', id: fx.x }, at, data: {} });
    expect((await store.catchUp()).refreshed).toBeGreaterThanOrEqual(1);
    expect((await allRows(fx.models)).get(300)!.events).toEqual([{ at: at.getTime(), kinds: ROW_EVENT.reply, actorId: fx.x.toHexString() }]);
  });

  it('sees a rating recorded with the ticket’s satisfaction', async () => {
    const at = d('2025-02-02T09:00:00Z');
    // As rate-ticket does: the survey's rating, then the ticket's copy of it.
    await fx.db.stores.satisfaction.recordAsked({ ticketId: ids[1]!, inboxId: fx.inboxId, teamId: null, assigneeId: null, email: 'c@customer.test', askedAt: at, solvedAt: at });
    expect(await fx.db.stores.satisfaction.rate(ids[1]!, { rating: 'bad', comment: 'Slow', at }, new Date(0))).toBe('rated');
    await fx.models.Ticket.updateOne({ _id: ids[1] }, { $set: { satisfaction: { rating: 'bad', at } } });
    await store.catchUp();
    expect((await allRows(fx.models)).get(2)!.rating).toEqual({ rating: 'bad', at: at.getTime(), commented: true });
  });
});

describe('deleted tickets', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  let store: ReportRowStore;
  let ids: Types.ObjectId[];
  beforeAll(async () => {
    fx = await openDb('rows_delete');
    ids = await oldTickets(fx.models, fx.inboxId, [
      { number: 1 },
      { number: 2 },
      { number: 3, status: 'closed', closedAt: d('2025-01-20T00:00:00Z') },
      { number: 4 },
      { number: 5, assigneeId: fx.x },
      { number: 300 },
      { number: 600 },
    ]);
    await fx.models.TicketEvent.create({ _id: idAt(LONG_AGO), ticketId: ids[2], type: 'reply_queued', actor: { kind: 'system' }, at: d('2025-01-19T00:00:00Z'), data: {} });
    store = createReportRowStore(fx.models);
    await store.catchUp();
  });
  afterAll(() => fx.db.drop());

  it('drops the rows it is told to forget, and a block left empty', async () => {
    await fx.models.Ticket.deleteOne({ _id: ids[0] });
    await fx.models.Ticket.deleteOne({ _id: ids[5] });
    await store.forget([1, 300]);
    const rows = await allRows(fx.models);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 600]);
    expect((await blocks(fx.models)).map((b) => b._id)).toEqual([0, 2]);
  });

  it('loses the row of a ticket retention deletes', async () => {
    expect(await fx.db.stores.retention.deleteTicket(ids[2]!, fx.inboxId, d('2025-06-01T00:00:00Z'))).toBe(true);
    expect(await fx.models.Ticket.exists({ _id: ids[2] })).toBeNull();
    expect((await allRows(fx.models)).has(3)).toBe(false);
    await store.catchUp();
    expect((await allRows(fx.models)).has(3)).toBe(false);
  });

  it('does not put back the row of a ticket deleted between a catch-up reading it and writing its row (regression)', async () => {
    await fx.models.Ticket.updateOne({ _id: ids[1] }, { $set: { priority: 'high' } });
    // The catch-up reads ratings after the tickets: the deletion (and its forget) lands right there.
    let armed = true;
    const ratings = fx.models.SatisfactionRating;
    const racing = createReportRowStore({
      ...fx.models,
      SatisfactionRating: {
        find: (...args: Parameters<typeof ratings.find>) => ({
          lean: async () => {
            if (armed) {
              armed = false;
              await fx.models.Ticket.deleteOne({ _id: ids[1] });
              await store.forget([2]);
            }
            return ratings.find(...args).lean();
          },
        }),
      } as unknown as typeof ratings,
    });
    await racing.catchUp();
    expect(armed).toBe(false);
    expect((await allRows(fx.models)).has(2)).toBe(false);
  });

  it('keeps the row of a ticket deleted behind its back until the remake, which also mends writes outside the models', async () => {
    await fx.models.Ticket.deleteOne({ _id: ids[3] });
    await fx.models.Ticket.deleteOne({ _id: ids[6] });
    // A raw write: no `updatedAt` stamp, so no catch-up sees it.
    await fx.models.Ticket.collection.updateOne({ _id: ids[4] }, { $set: { assigneeId: fx.y, priority: 'urgent' } });
    await store.catchUp();
    let rows = await allRows(fx.models);
    expect(rows.has(4)).toBe(true);
    expect(rows.has(600)).toBe(true);
    expect(rows.get(5)).toMatchObject({ assigneeId: fx.x.toHexString(), priority: 'normal' });
    expect(await store.remakeAll()).toBe(1);
    rows = await allRows(fx.models);
    expect([...rows.keys()].sort((a, b) => a - b)).toEqual([5]);
    expect(rows.get(5)).toEqual(await expectedRow(fx.models, 5));
    expect(rows.get(5)).toMatchObject({ assigneeId: fx.y.toHexString(), priority: 'urgent' });
    // Blocks past the last ticket go.
    expect((await blocks(fx.models)).map((b) => b._id)).toEqual([0]);
  });
});

describe('a build', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  beforeAll(async () => {
    fx = await openDb('rows_resume');
    await oldTickets(fx.models, fx.inboxId, [{ number: 1 }, { number: 300 }, { number: 600 }]);
  });
  afterAll(() => fx.db.drop());

  it('cut short goes on from the next block', async () => {
    const startedAt = new Date();
    await fx.models.ReportRowState.create({ _id: 'rows', format: REPORT_ROW_FORMAT, through: null, build: { startedAt, next: 1 } });
    const store = createReportRowStore(fx.models);
    expect(await store.catchUp()).toEqual({ built: true, refreshed: 0 });
    // Block 0 was done before the cut (here: it was not, and stays missing until the remake).
    expect((await blocks(fx.models)).map((b) => b._id)).toEqual([1, 2]);
    const state = (await fx.models.ReportRowState.findById('rows').lean())!;
    expect(state).toMatchObject({ format: REPORT_ROW_FORMAT, build: null });
    expect(state.through!.getTime()).toBeGreaterThanOrEqual(startedAt.getTime());
    await store.remakeAll();
    expect((await blocks(fx.models)).map((b) => b._id)).toEqual([0, 1, 2]);
  });

  it('of another format starts again from the first block, dropping the old blocks', async () => {
    await fx.models.ReportRowState.replaceOne({ _id: 'rows' }, { format: 0, through: new Date(), build: { startedAt: new Date(), next: 2 } });
    await fx.models.ReportRowBlock.deleteMany({});
    const junk = { v: 7, format: 0, rows: Buffer.from([0, 1, 2]), activeRows: Buffer.from([0]), count: 1, active: 1, firstAt: null, lastAt: null };
    await fx.models.ReportRowBlock.create([{ _id: 0, ...junk }, { _id: 1, ...junk }, { _id: 9, ...junk }]);
    const store = createReportRowStore(fx.models);
    expect((await store.catchUp()).built).toBe(true);
    expect(await blocks(fx.models)).toEqual([0, 1, 2].map((_id) => ({ _id, count: 1, format: REPORT_ROW_FORMAT })));
    const rows = await allRows(fx.models);
    for (const n of [1, 300, 600]) expect(rows.get(n)).toEqual(await expectedRow(fx.models, n));
    expect((await fx.models.ReportRowState.findById('rows').lean())!).toMatchObject({ format: REPORT_ROW_FORMAT, build: null });
  });
});

describe('reading the rows of a period', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  let store: ReportRowStore;
  beforeAll(async () => {
    fx = await openDb('rows_read');
    const closed = { status: 'closed', createdAt: d('2025-01-05T00:00:00Z') };
    const [, , , t512] = await oldTickets(fx.models, fx.inboxId, [
      // Block 0: closed, every fact in January.
      { number: 1, ...closed, metrics: { lastSolvedAt: d('2025-01-06T00:00:00Z'), resolutionSeconds: 86_400 } },
      { number: 2, ...closed },
      // Block 1: a ticket still open since January (the backlog).
      { number: 256, status: 'open', createdAt: d('2025-01-07T00:00:00Z') },
      // Block 2: closed in January, replied to in March.
      { number: 512, ...closed },
      // Block 3: created after the period. Block 4: open but merged away (counted nowhere).
      { number: 768, status: 'closed', createdAt: d('2025-04-02T00:00:00Z') },
      { number: 1024, status: 'open', mergedIntoId: new Types.ObjectId(), createdAt: d('2025-01-01T00:00:00Z') },
      // Block 5: an open ticket and a closed one, both of January.
      { number: 1280, status: 'open', createdAt: d('2025-01-07T00:00:00Z') },
      { number: 1281, status: 'closed', createdAt: d('2025-01-07T00:00:00Z') },
    ]);
    await oldEntries(fx.models, [{ ticketId: t512!, type: 'reply_queued', at: d('2025-03-10T00:00:00Z'), actor: { kind: 'user', id: fx.x } }]);
    store = createReportRowStore(fx.models);
    await store.catchUp();
  });
  afterAll(() => fx.db.drop());

  it('reads the blocks with a fact in the period whole, and of the others only their active tickets', async () => {
    const numbers = async (rows: Promise<Map<number, ReportRow>>) => [...(await rows).keys()].sort((a, b) => a - b);
    expect(await numbers(rowsIn(store, d('2025-03-01T00:00:00Z'), d('2025-04-01T00:00:00Z')))).toEqual([256, 512, 1280]);
    // A period ending at block 3's creation does not read it; one starting there does.
    const numbersIn = (from: string, to: string) => numbers(rowsIn(store, d(from), d(to)));
    expect(await numbersIn('2025-03-11T00:00:00Z', '2025-04-02T00:00:00Z')).toEqual([256, 1280]);
    expect(await numbersIn('2025-04-02T00:00:00Z', '2025-05-01T00:00:00Z')).toEqual([256, 768, 1280]);
    expect(await numbersIn('2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z')).toEqual([256, 1024, 1280]);
    // A period with block 5's facts reads it whole.
    expect(await numbersIn('2025-01-07T00:00:00Z', '2025-01-08T00:00:00Z')).toEqual([256, 512, 1280, 1281]);
  });

  it('lays the rows of tickets changed since the last catch-up over the stored ones, without writing them', async () => {
    const [two, t256] = await Promise.all([fx.models.Ticket.findOne({ number: 2 }).lean(), fx.models.Ticket.findOne({ number: 256 }).lean()]);
    // Ticket 2 comes back (its block is otherwise not read in March); 256 changes hands.
    await fx.models.Ticket.updateOne({ _id: two!._id }, { $set: { status: 'open' } });
    await fx.models.Ticket.updateOne({ _id: t256!._id }, { $set: { assigneeId: fx.x } });
    const fresh = (await store.freshRows())!;
    expect([...fresh.keys()].sort((a, b) => a - b)).toEqual([2, 256]);
    for (const n of [2, 256]) expect(fresh.get(n)).toEqual(await expectedRow(fx.models, n));
    const march = await rowsIn(store, d('2025-03-01T00:00:00Z'), d('2025-04-01T00:00:00Z'), fresh);
    expect([...march.keys()].sort((a, b) => a - b)).toEqual([2, 256, 512, 1280]);
    expect(march.get(256)!.assigneeId).toBe(fx.x.toHexString());
    expect(march.get(2)!.active).toBe(true);
    // The stored rows are as they were until a catch-up.
    expect((await allRows(fx.models)).get(256)!.assigneeId).toBeNull();
    await store.catchUp();
    expect((await allRows(fx.models)).get(256)!.assigneeId).toBe(fx.x.toHexString());
  });

  it('makes no fresh rows when too many tickets changed, or when the rows are not built', async () => {
    await fx.models.Ticket.insertMany(Array.from({ length: FRESH_MAX + 1 }, (_, i) => ({ number: 2000 + i, inboxId: fx.inboxId, subject: 'Many', requester: { email: 'c@customer.test' } })));
    expect(await store.freshRows()).toBeNull();
    await fx.models.ReportRowState.deleteMany({});
    await fx.models.Ticket.deleteMany({ number: { $gte: 2000 } });
    expect(await store.freshRows()).toBeNull();
  });
});
