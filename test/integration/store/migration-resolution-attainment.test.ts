import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { resolutionAttainment } from '../../../src/store/migrations/0008-resolution-attainment.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

let old: Awaited<ReturnType<typeof previousRelease>> | undefined;
afterAll(() => old?.drop());

const d = (iso: string) => new Date(iso);

describe('migration 8: resolution attainment of older solved tickets', () => {
  it('judges unjudged solved tickets against their resolution target, pauses left out, once', async () => {
    old = await previousRelease('resolution_attainment', 7);
    // Monday to Friday 09:00–17:00 UTC; 2026-11-20 is a Friday. Urgent: 8 business hours to resolve.
    const hours = { timeZone: 'UTC', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' })), holidays: [] };
    const levelled = { ...DEFAULT_SLA_POLICY, businessHours: hours, levelTargets: { L2: { ...DEFAULT_SLA_POLICY.targets, urgent: { firstResponseSeconds: 600, nextResponseSeconds: 600, resolutionSeconds: 3600 } } } };
    const [office, team] = [new ObjectId(), new ObjectId()];
    await old.db.collection('inboxes').insertOne({ _id: office, name: 'Office', address: 'office@m.test', sla: levelled });
    await old.db.collection('teams').insertOne({ _id: team, name: 'Second line', level: 'L2' });
    const created = d('2026-11-20T16:00:00Z');
    const solvedTuesday = d('2026-11-24T12:00:00Z');
    const ticket = (number: number, fields: Record<string, unknown>) => ({
      _id: new ObjectId(), number, inboxId: office, priority: 'urgent', status: 'solved', subject: 's', requester: { email: 'c@customer.test' },
      createdAt: created, updatedAt: created, metrics: { lastSolvedAt: solvedTuesday, reopenCount: 0, sla: { resolution: null } }, ...fields,
    });
    const rows = [
      // Ran Friday 16:00 → Tuesday 12:00 = 12 business hours, 5 of them paused: 7 ≤ 8 → met.
      ticket(1, { sla: { pausedSeconds: 5 * 3600, done: [] } }),
      // No pause: 12 business hours > 8 → breached.
      ticket(2, { status: 'closed', sla: { pausedSeconds: 0, done: [] } }),
      // Its team's level L2 gives urgent tickets 1 hour: 7 > 1 → breached.
      ticket(3, { teamId: team, sla: { pausedSeconds: 5 * 3600, done: [] } }),
      // Judged already, left as it is.
      ticket(4, { metrics: { lastSolvedAt: solvedTuesday, reopenCount: 0, sla: { resolution: 'met' } }, sla: { pausedSeconds: 0, done: [] } }),
      // Reopened and active again: not solved, not judged.
      ticket(5, { status: 'open', sla: { pausedSeconds: 0, done: [] } }),
    ];
    await old.db.collection('tickets').insertMany(rows);
    await old.upgrade();

    const tickets = old.db.collection('tickets');
    const resolution = async (n: number) => (await tickets.findOne({ number: n }))!.metrics.sla.resolution;
    expect([await resolution(1), await resolution(2), await resolution(3), await resolution(4), await resolution(5)]).toEqual(['met', 'breached', 'breached', 'met', null]);

    // A second run (a crash before it was recorded) changes nothing.
    const before = await tickets.find().sort({ number: 1 }).toArray();
    await resolutionAttainment.up({ db: old.db, logger: testLogger });
    expect(await tickets.find().sort({ number: 1 }).toArray()).toEqual(before);
  });
});
