import { ObjectId } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { agentStartedOrigin } from '../../../src/domain/ticket.js';
import { ticketMetrics } from '../../../src/store/migrations/0007-ticket-metrics.js';
import { testLogger } from '../../helpers/db.js';
import { previousRelease } from '../../helpers/migrations.js';

let old: Awaited<ReturnType<typeof previousRelease>> | undefined;
afterAll(() => old?.drop());

const d = (iso: string) => new Date(iso);

describe('migration 7: ticket metrics', () => {
  it('stores first response, last resolution and reopens on older tickets from their SLA state and trail, once', async () => {
    old = await previousRelease('ticket_metrics', 6);
    // Monday to Friday 09:00–17:00 UTC; 2026-11-20 is a Friday.
    const hours = { timeZone: 'UTC', weekly: [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' })), holidays: [] };
    const [office, always] = [new ObjectId(), new ObjectId()];
    await old.db.collection('inboxes').insertMany([
      { _id: office, name: 'Office', address: 'office@m.test', sla: { ...DEFAULT_SLA_POLICY, businessHours: hours } },
      { _id: always, name: 'Always', address: 'always@m.test', sla: null },
    ]);
    const ids = { resolved: new ObjectId(), reopened: new ObjectId(), started: new ObjectId(), fresh: new ObjectId(), done: new ObjectId(), untimed: ObjectId.createFromTime(Math.floor(Date.parse('2026-11-20T16:00:00Z') / 1000)) };
    const created = d('2026-11-20T16:00:00Z');
    const base = { subject: 's', requester: { email: 'c@customer.test' }, mergedIntoId: null, createdAt: created, updatedAt: created };
    await old.db.collection('tickets').insertMany([
      // Answered Monday 10:00, solved Tuesday 09:00, reopened by mail, solved again Wednesday 09:00, then closed.
      {
        _id: ids.resolved, number: 1, inboxId: office, status: 'closed', solvedAt: d('2026-11-25T09:00:00Z'), ...base,
        sla: { firstRespondedAt: d('2026-11-23T10:00:00Z'), done: [`resolution:${d('2026-11-24T12:00:00Z').toISOString()}:breach`] },
      },
      // Solved, then reopened by an agent: still open.
      { _id: ids.reopened, number: 2, inboxId: always, status: 'open', solvedAt: null, ...base, sla: { firstRespondedAt: d('2026-11-20T16:30:00Z'), done: [] } },
      { _id: ids.started, number: 3, inboxId: always, status: 'pending', originKey: agentStartedOrigin('65a000000000000000000001', 'r1'), ...base, sla: { firstRespondedAt: created, done: [] } },
      { _id: ids.fresh, number: 4, inboxId: always, status: 'new', ...base, sla: { firstRespondedAt: null, done: [] } },
      { _id: ids.done, number: 5, inboxId: always, status: 'open', ...base, metrics: { reopenCount: 7 } },
      // Regression: a ticket from before timestamps were kept (no createdAt) broke the migration; its id tells when it was made.
      { _id: ids.untimed, number: 6, inboxId: always, status: 'pending', subject: 's', requester: { email: 'c@customer.test' }, sla: { firstRespondedAt: d('2026-11-20T17:00:00Z'), done: [] } },
    ]);
    const ev = (ticketId: ObjectId, type: string, at: string, data: Record<string, unknown> = {}) => ({ ticketId, type, at: d(at), actor: { kind: 'user' }, data });
    await old.db.collection('ticket_events').insertMany([
      ev(ids.resolved, 'status_changed', '2026-11-24T09:00:00Z', { from: 'pending', to: 'solved' }),
      ev(ids.resolved, 'reopened', '2026-11-24T10:00:00Z', { from: 'solved' }),
      ev(ids.resolved, 'status_changed', '2026-11-25T09:00:00Z', { from: 'open', to: 'solved' }),
      ev(ids.resolved, 'status_changed', '2026-11-29T09:00:00Z', { from: 'solved', to: 'closed' }),
      ev(ids.reopened, 'status_changed', '2026-11-21T16:00:00Z', { from: 'open', to: 'solved' }),
      ev(ids.reopened, 'status_changed', '2026-11-22T16:00:00Z', { from: 'solved', to: 'open' }),
    ]);
    await old.upgrade();

    const tickets = old.db.collection('tickets');
    const metrics = async (id: ObjectId) => (await tickets.findOne({ _id: id }))!.metrics;
    expect(await metrics(ids.resolved)).toEqual({
      // Friday 16:00 → Monday 10:00: 66 h, 2 business hours.
      firstResponseAt: d('2026-11-23T10:00:00Z'), firstResponseSeconds: 66 * 3600, firstResponseBusinessSeconds: 7200,
      // The later solve, Wednesday 09:00: 113 h, 1 + 8 + 8 business hours.
      lastSolvedAt: d('2026-11-25T09:00:00Z'), resolutionSeconds: 113 * 3600, resolutionBusinessSeconds: 17 * 3600,
      reopenCount: 1,
      sla: { firstResponse: null, resolution: 'breached', nextResponse: null },
    });
    expect(await metrics(ids.reopened)).toMatchObject({ firstResponseSeconds: 1800, firstResponseBusinessSeconds: 1800, lastSolvedAt: d('2026-11-21T16:00:00Z'), resolutionSeconds: 86_400, reopenCount: 1 });
    expect(await metrics(ids.started)).toEqual({ reopenCount: 0, sla: {} });
    expect(await metrics(ids.fresh)).toEqual({ reopenCount: 0, sla: {} });
    expect(await metrics(ids.done)).toEqual({ reopenCount: 7 });
    expect(await metrics(ids.untimed)).toMatchObject({ firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600 });

    // A second run (a crash before it was recorded) changes nothing.
    const before = await tickets.find().sort({ number: 1 }).toArray();
    await ticketMetrics.up({ db: old.db, logger: testLogger });
    expect(await tickets.find().sort({ number: 1 }).toArray()).toEqual(before);
    // The reports' indexes are built by the index sync.
    const keys = (await tickets.indexes()).map((i) => JSON.stringify(i.key));
    expect(keys).toContain(JSON.stringify({ 'metrics.lastSolvedAt': 1, inboxId: 1 }));
  });
});
