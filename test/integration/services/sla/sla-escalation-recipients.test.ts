import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail } from '../../../../src/mail/render-email.js';
import { runSlaTimer, type SlaDeps } from '../../../../src/services/sla/refresh-sla.js';
import { testLogger } from '../../../helpers/db.js';
import { ingestFixture } from '../../../helpers/ingest.js';
import { compose, noJobs } from '../../../helpers/use-case-deps.js';

let fx: Awaited<ReturnType<typeof ingestFixture>>;
let deps: SlaDeps;

beforeAll(async () => {
  fx = await ingestFixture('sla_escalation_recipients');
  const scheduler = noJobs;
  deps = { ...fx.stores, scheduler, compose, sign: fx.deps.sign, now: fx.deps.now, render: renderEmail, logger: testLogger, ticketUrlBase: null };
});
afterAll(() => fx.db.drop());

describe('SLA escalation to a ladder saved before membership was checked', () => {
  it('tells only ladder users who may still see the inbox: its members and admins', async () => {
    const other = await fx.models.Inbox.create({ name: 'Sales', address: 'sales@example.test', imap: { host: 'h', port: 143 }, smtp: { host: 'h', port: 25 } });
    const user = (email: string, role: 'admin' | 'agent', inboxIds: Types.ObjectId[]) => fx.models.User.create({ email, role, inboxIds, passwordHash: 'x' });
    const member = await user('member@example.test', 'agent', [fx.inbox._id]);
    const admin = await user('admin@example.test', 'admin', []);
    const outsider = await user('outsider@example.test', 'agent', [other._id]);
    const targets = { firstResponseSeconds: 60, nextResponseSeconds: null, resolutionSeconds: null };
    const ladder = [{ level: 1, name: 'Leads', userIds: [member, admin, outsider].map((u) => u._id.toHexString()), afterSeconds: 0 }];
    // Stored directly, as a policy saved before the check would be.
    await fx.models.Inbox.updateOne({ _id: fx.inbox._id }, { $set: { sla: { targets: { low: targets, normal: targets, high: targets, urgent: targets }, businessHours: null, reminderAtFraction: 0.5, ladder } } });
    const now = fx.clock.now;
    const ticket = await fx.models.Ticket.create({ number: 1, inboxId: fx.inbox._id, subject: 'Late', requester: { email: 'ann@customer.test' }, status: 'open', createdAt: new Date(now.getTime() - 3600_000) });

    const kinds: string[] = [];
    for (let i = 0; i < 4 && !kinds.includes('escalate'); i++) kinds.push(await runSlaTimer(deps, ticket._id));
    expect(kinds).toContain('escalate');
    // Escalations are notifications, mailed to each person in their batch.
    const told = await fx.models.Notification.find({ kind: 'escalated', ticketId: ticket._id }).lean();
    expect(told.map((n) => n.userId.toHexString()).sort()).toEqual([admin._id, member._id].map((id) => id.toHexString()).sort());
    expect(told[0]).toMatchObject({ mail: 'pending', data: { level: 1, levelName: 'Leads', clock: 'firstResponse' } });
  });
});
