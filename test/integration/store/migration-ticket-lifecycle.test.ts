import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_BACKFILL_COLLECTION, ticketLifecycle } from '../../../src/store/migrations/0005-ticket-lifecycle.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

let old: Awaited<ReturnType<typeof previousRelease>> | undefined;
afterAll(() => old?.drop());

describe('migration 5: ticket lifecycle', () => {
  it('dates pending tickets from when their clocks paused (else their last change) and lists solved and pending ones to plan, once', async () => {
    old = await previousRelease('ticket_lifecycle', 4);
    const paused = new Date('2026-11-18T10:00:00Z');
    const changed = new Date('2026-11-19T11:00:00Z');
    const already = new Date('2026-11-20T12:00:00Z');
    const base = { inboxId: new ObjectId(), subject: 's', requester: { email: 'c@customer.test' }, mergedIntoId: null, updatedAt: changed };
    const ids = {
      pausedPending: new ObjectId(), plainPending: new ObjectId(), datedPending: new ObjectId(), solved: new ObjectId(), open: new ObjectId(), mergedSolved: new ObjectId(),
    };
    await old.db.collection('tickets').insertMany([
      { _id: ids.pausedPending, number: 1, status: 'pending', sla: { pausedAt: paused }, ...base },
      { _id: ids.plainPending, number: 2, status: 'pending', ...base },
      { _id: ids.datedPending, number: 3, status: 'pending', ...base, pendingSince: already },
      { _id: ids.solved, number: 4, status: 'solved', solvedAt: changed, ...base },
      { _id: ids.open, number: 5, status: 'open', ...base },
      { _id: ids.mergedSolved, number: 6, status: 'solved', ...base, mergedIntoId: ids.solved },
    ]);
    await old.upgrade();

    const tickets = old.db.collection('tickets');
    const since = async (id: ObjectId) => (await tickets.findOne({ _id: id }))!.pendingSince;
    expect(await since(ids.pausedPending)).toEqual(paused);
    expect(await since(ids.plainPending)).toEqual(changed);
    expect(await since(ids.datedPending)).toEqual(already);
    expect(await since(ids.open)).toBeUndefined();
    const listed = async () => (await old!.db.collection(LIFECYCLE_BACKFILL_COLLECTION).find().toArray()).map((r) => String(r._id)).sort();
    const expected = [ids.pausedPending, ids.plainPending, ids.datedPending, ids.solved].map(String).sort();
    expect(await listed()).toEqual(expected);

    // A second run (a crash before it was recorded) changes nothing.
    await ticketLifecycle.up({ db: old.db, logger: testLogger });
    expect(await listed()).toEqual(expected);
    expect(await since(ids.plainPending)).toEqual(changed);
  });
});
