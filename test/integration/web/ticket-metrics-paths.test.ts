import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Weekday } from '../../../src/domain/business-hours.js';
import { DEFAULT_SLA_POLICY } from '../../../src/domain/sla.js';
import { call, createUser, login } from '../../helpers/api.js';
import { Client } from './pages-harness.js';
import { startSendingApp } from './sending-app.js';

// Issue 20: first response and resolution are stored on the ticket by the write that makes them
// happen, whichever way the agent acts: the API, a ticket page, the bulk action.
let h: Awaited<ReturnType<typeof startSendingApp>>;
let api: string;
let token: string;
let ann: Client;
const inbox = new Types.ObjectId();
let number = 0;
// The inbox works Monday to Friday, 09:00–17:00 UTC; tickets arrive on Friday 2026-11-20 at 16:00.
const hours = { timeZone: 'UTC', weekly: ([1, 2, 3, 4, 5] as Weekday[]).map((day) => ({ day, open: '09:00', close: '17:00' })), holidays: [] };
const created = new Date('2026-11-20T16:00:00Z');
const monday10 = new Date('2026-11-23T10:00:00Z');

async function ticket(fields: Record<string, unknown> = {}) {
  number += 1;
  const t = await h.models.Ticket.create({ number, inboxId: inbox, subject: `Case ${number}`, requester: { email: 'cy@customer.test' }, status: 'open', createdAt: created, lastActivityAt: created, ...fields });
  return t._id.toHexString();
}
const metricsOf = async (id: string) => (await h.models.Ticket.findById(id).lean())!.metrics;

beforeAll(async () => {
  h = await startSendingApp('ticket_metrics_paths');
  api = `${h.base}/api/v1`;
  await h.models.Inbox.create({ _id: inbox, name: 'Help', address: 'help@metrics.test', imap: { host: 'x', port: 993 }, smtp: { host: 'x', port: 25 }, sla: { ...DEFAULT_SLA_POLICY, businessHours: hours } });
  await createUser(h.models, { email: 'ann@metrics.test', password: 'ann password 123', inboxIds: [inbox], name: 'Ann' });
  token = await login(api, 'ann@metrics.test', 'ann password 123');
  ann = await Client.signedIn(h.base, 'ann@metrics.test', 'ann password 123');
  h.setNow(monday10);
});
afterAll(() => h?.close());

describe('metrics stored on the ticket', () => {
  it('records the first response of an API reply, in calendar and business time, once', async () => {
    const id = await ticket({ sla: { firstResponseDueAt: new Date('2026-11-23T12:00:00Z') } });
    const res = await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'We are on it.', status: 'open' } });
    expect(res.status).toBe(202);
    // Friday 16:00 → Monday 10:00: 66 hours, of which 2 are business hours; before the due time.
    expect(await metricsOf(id)).toEqual({ firstResponseAt: monday10, firstResponseSeconds: 66 * 3600, firstResponseBusinessSeconds: 7200, sla: { firstResponse: 'met' } });

    h.setNow(new Date('2026-11-23T11:00:00Z'));
    expect((await call(api, 'POST', `/tickets/${id}/replies`, { token, body: { text: 'PS', status: 'open' } })).status).toBe(202);
    expect((await metricsOf(id))!.firstResponseSeconds).toBe(66 * 3600);
    h.setNow(monday10);
  });

  it('records the resolution of a solve on the ticket page', async () => {
    const id = await ticket();
    const page = await ann.get(`/tickets/${id}`);
    const posted = await ann.post(`/tickets/${id}/update`, { _csrf: Client.csrf(page.text), status: 'solved' });
    expect(posted.status).toBe(303);
    expect(await metricsOf(id)).toMatchObject({ lastSolvedAt: monday10, resolutionSeconds: 66 * 3600, resolutionBusinessSeconds: 7200 });
  });

  it('judges the resolution target of a ticket solved while pending, whose stopped clocks keep no due time (regression: always null)', async () => {
    // Urgent: 8 business hours to resolve. Pending since Monday 10:00 after 2 business hours running.
    const inTime = await ticket({ priority: 'urgent', status: 'pending', sla: { pausedAt: monday10, pausedSeconds: 0, resolutionDueAt: null } });
    // Pending since Tuesday 11:00 after 11 business hours running (Friday 1, Monday 8, Tuesday 2).
    const late = await ticket({ priority: 'urgent', status: 'pending', sla: { pausedAt: new Date('2026-11-24T11:00:00Z'), pausedSeconds: 0, resolutionDueAt: null } });
    h.setNow(new Date('2026-11-24T12:00:00Z'));
    const res = await call(api, 'POST', '/tickets/bulk', { token, body: { ids: [inTime, late], action: 'status', value: 'solved' } });
    expect(res.body.updated).toBe(2);
    expect((await metricsOf(inTime))!.sla).toMatchObject({ resolution: 'met' });
    expect((await metricsOf(late))!.sla).toMatchObject({ resolution: 'breached' });
    h.setNow(monday10);
  });

  it('records the resolution of a bulk solve for each ticket, and a reopen by an agent', async () => {
    const [a, b] = [await ticket(), await ticket()];
    const res = await call(api, 'POST', '/tickets/bulk', { token, body: { ids: [a, b], action: 'status', value: 'solved' } });
    expect(res.status).toBe(200);
    for (const id of [a, b]) expect(await metricsOf(id)).toMatchObject({ lastSolvedAt: monday10, resolutionSeconds: 66 * 3600 });

    const reopen = await call(api, 'POST', '/tickets/bulk', { token, body: { ids: [a], action: 'status', value: 'open' } });
    expect(reopen.body.updated).toBe(1);
    expect(await metricsOf(a)).toMatchObject({ reopenCount: 1, lastSolvedAt: monday10 });
    expect((await metricsOf(b))!.reopenCount).toBeUndefined();
  });
});
