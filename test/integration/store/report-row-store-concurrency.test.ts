import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportRowStore, type ReportRowStore } from '../../../src/store/report-row-store.js';
import { d, openDb, oldTickets, expectedRow, allRows, sorted } from '../../helpers/report-rows.js';

// The report rows written by two processes at once (two stores on one database).

describe('catch-ups of two processes side by side', () => {
  let fx: Awaited<ReturnType<typeof openDb>>;
  beforeAll(async () => {
    fx = await openDb('rows_race');
  });
  afterAll(() => fx.db.drop());

  it('lose no change and agree with a remake', async () => {
    const ids = await oldTickets(fx.models, fx.inboxId, Array.from({ length: 30 }, (_, i) => ({ number: 1 + i * 29 })));
    const one = createReportRowStore(fx.models);
    const two = createReportRowStore(fx.models);
    await one.catchUp();
    let changing = true;
    const keepCatchingUp = async (store: ReportRowStore) => {
      let rounds = 0;
      while (changing || rounds < 2) {
        await store.catchUp();
        rounds++;
      }
      return rounds;
    };
    const change = async () => {
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          ids.map(async (id, i) => {
            await fx.models.Ticket.updateOne({ _id: id }, { $set: { assigneeId: (i + round) % 2 ? fx.x : fx.y, priority: ['low', 'normal', 'high', 'urgent'][(i + round) % 4], tags: [`r${round}`] } });
            await fx.models.TicketEvent.create({ ticketId: id, type: 'reply_queued', actor: { kind: 'user', id: fx.x }, at: d(`2025-03-0${round + 1}T10:00:00Z`), data: {} });
          }),
        );
        await fx.models.Ticket.create({ number: 1000 + round, inboxId: fx.inboxId, subject: 'New', requester: { email: 'c@customer.test' } });
      }
      changing = false;
    };
    const [, roundsOne, roundsTwo] = await Promise.all([change(), keepCatchingUp(one), keepCatchingUp(two), one.catchUp(), one.catchUp()]);
    expect(roundsOne).toBeGreaterThanOrEqual(2);
    expect(roundsTwo).toBeGreaterThanOrEqual(2);
    // Both once more, started after the last change.
    await Promise.all([one.catchUp(), two.catchUp()]);
    const caughtUp = await allRows(fx.models);
    expect(caughtUp.size).toBe(33);
    for (const n of [1, 30, 842, 1000, 1002]) expect(caughtUp.get(n)).toEqual(await expectedRow(fx.models, n));
    expect(caughtUp.get(1)!.events).toHaveLength(3);
    expect(await one.remakeAll()).toBe(4);
    expect(sorted(await allRows(fx.models))).toEqual(sorted(caughtUp));
  });

  it('keep of two makings of one row the one read later', async () => {
    const [id] = await oldTickets(fx.models, fx.inboxId, [{ number: 1200 }]);
    // A process whose reads come an hour later than this one's (as a slow making would be overtaken).
    const later = createReportRowStore(fx.models, () => new Date(Date.now() + 3_600_000));
    const now = createReportRowStore(fx.models);
    await later.remakeAll();
    await fx.models.Ticket.collection.updateOne({ _id: id }, { $set: { priority: 'urgent' } });
    await now.remakeAll();
    expect((await allRows(fx.models)).get(1200)!.priority).toBe('normal');
    await later.remakeAll();
    expect((await allRows(fx.models)).get(1200)!.priority).toBe('urgent');
  });

  it('write one block at the same time without undoing each other', async () => {
    const numbers = Array.from({ length: 20 }, (_, i) => 1100 + i);
    const ids = await oldTickets(fx.models, fx.inboxId, numbers.map((number) => ({ number })));
    const one = createReportRowStore(fx.models);
    const two = createReportRowStore(fx.models);
    // Written long ago: the catch-ups do not see them, the remake does.
    await one.remakeAll();
    const before = (await fx.models.ReportRowBlock.findById(4, { v: 1 }).lean())!.v;
    await fx.models.Ticket.deleteMany({ _id: { $in: ids.slice(0, 10) } });
    // Ten writers of block 4 at once, each dropping one row: every drop holds.
    await Promise.all(numbers.slice(0, 10).map((n, i) => (i % 2 ? one : two).forget([n])));
    const held = [...(await allRows(fx.models)).keys()].filter((n) => n >= 1100 && n < 1120);
    expect(held.sort((a, b) => a - b)).toEqual(numbers.slice(10));
    expect((await fx.models.ReportRowBlock.findById(4, { v: 1 }).lean())!.v).toBe(before + 10);
  });

  it('put changed rows and forget others of the same blocks at the same time, both holding', async () => {
    const numbers = Array.from({ length: 40 }, (_, i) => 1300 + i * 10);
    const ids = await oldTickets(fx.models, fx.inboxId, numbers.map((number) => ({ number })));
    const one = createReportRowStore(fx.models);
    const two = createReportRowStore(fx.models);
    await one.remakeAll();
    const gone = numbers.filter((_, i) => i % 2 === 0);
    await fx.models.Ticket.deleteMany({ _id: { $in: ids.filter((_, i) => i % 2 === 0) } });
    await fx.models.Ticket.updateMany({ _id: { $in: ids.filter((_, i) => i % 2 === 1) } }, { $set: { priority: 'high' } });
    await Promise.all([one.catchUp(), ...gone.map((n) => two.forget([n]))]);
    const rows = await allRows(fx.models);
    expect(numbers.filter((n) => rows.has(n))).toEqual(numbers.filter((n) => !gone.includes(n)));
    expect(numbers.filter((n) => rows.get(n)?.priority === 'high')).toEqual(numbers.filter((n) => !gone.includes(n)));
  });
});
