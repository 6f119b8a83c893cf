import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKbCounter } from '../../../../src/services/kb/kb-counter.js';
import { openTestDb } from '../../../helpers/db.js';

let db: Awaited<ReturnType<typeof openTestDb>>;
let clock = new Date('2026-03-02T23:59:59Z');

beforeAll(async () => {
  db = await openTestDb('kb_counter');
});
afterAll(async () => db.drop());

const rows = async (articleId: Types.ObjectId) =>
  (await db.models.KbArticleStat.find({ articleId }).sort({ day: 1 }).lean()).map((r) => ({ day: r.day, views: r.views, yes: r.yes, no: r.no, contact: r.contact }));

describe('the buffered help center counter', () => {
  it('adds events up per article and day in memory and writes them with one $inc each', async () => {
    const errors: unknown[] = [];
    const counter = createKbCounter({ kbStats: db.stores.kbStats, now: () => clock, onError: (e) => errors.push(e) }, { flushMs: 60_000 });
    const id = new Types.ObjectId();
    for (let i = 0; i < 5; i++) counter.count(id.toHexString(), 'views');
    counter.count(id.toHexString(), 'contact');
    counter.count('not an id', 'views');
    expect(await rows(id)).toEqual([]);
    clock = new Date('2026-03-03T00:00:01Z');
    counter.count(id.toHexString(), 'yes');
    await counter.flush();
    expect(await rows(id)).toEqual([
      { day: '2026-03-02', views: 5, yes: 0, no: 0, contact: 1 },
      { day: '2026-03-03', views: 0, yes: 1, no: 0, contact: 0 },
    ]);
    // Later events add to the same day's document.
    counter.count(id.toHexString(), 'views');
    counter.count(id.toHexString(), 'no');
    await counter.close();
    expect((await rows(id))[1]).toEqual({ day: '2026-03-03', views: 1, yes: 1, no: 1, contact: 0 });
    expect(errors).toEqual([]);
  });

  it('writes on its own after flushMs, and at once when too many article-days wait', async () => {
    const counter = createKbCounter({ kbStats: db.stores.kbStats, now: () => clock, onError: () => {} }, { flushMs: 20, maxPending: 3 });
    const timed = new Types.ObjectId();
    counter.count(timed.toHexString(), 'views');
    // Nothing asks it to write: its own timer does.
    await expect.poll(() => rows(timed), { timeout: 10_000 }).toEqual([{ day: '2026-03-03', views: 1, yes: 0, no: 0, contact: 0 }]);
    const many = [new Types.ObjectId(), new Types.ObjectId(), new Types.ObjectId()];
    const eager = createKbCounter({ kbStats: db.stores.kbStats, now: () => clock, onError: () => {} }, { flushMs: 60_000, maxPending: 3 });
    for (const id of many) eager.count(id.toHexString(), 'views');
    await eager.flush();
    for (const id of many) expect(await rows(id)).toHaveLength(1);
    await counter.close();
    await eager.close();
  });

  it('reports a failed write and drops its counts, and the next write still goes through', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const kbStats = {
      add: async (batch: Parameters<typeof db.stores.kbStats.add>[0]) => {
        if (fail) throw new Error('database away');
        return db.stores.kbStats.add(batch);
      },
    };
    const counter = createKbCounter({ kbStats, now: () => clock, onError: (e) => errors.push(e) }, { flushMs: 60_000 });
    const id = new Types.ObjectId();
    counter.count(id.toHexString(), 'views');
    await counter.flush();
    expect(errors).toEqual([new Error('database away')]);
    fail = false;
    counter.count(id.toHexString(), 'contact');
    await counter.close();
    expect(await rows(id)).toEqual([{ day: '2026-03-03', views: 0, yes: 0, no: 0, contact: 1 }]);
  });
});
