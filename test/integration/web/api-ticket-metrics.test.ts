import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, createUser, login, startApi, type ApiHarness } from '../../helpers/api.js';

// Issue 20: the metrics stored on a ticket (domain/ticket-metrics.ts) and its rating, in the ticket API.
let h: ApiHarness;
let agent: string;
const inbox = new Types.ObjectId();
const created = new Date('2026-03-02T09:00:00Z');
const at = (hours: number) => new Date(created.getTime() + hours * 3600_000);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;
/** The documented schema of a component, as a zod schema. */
function documented(name: string) {
  const asDefs = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...asDefs(doc.components.schemas[name]), $defs: asDefs(doc.components.schemas) });
}

beforeAll(async () => {
  h = await startApi('api_ticket_metrics', { refreshSla: async () => {} });
  await h.models.Inbox.create({ _id: inbox, name: 'Support', address: 'support@metrics.test', imap: { host: 'h', port: 993 }, smtp: { host: 'h', port: 465 } });
  await createUser(h.models, { email: 'agent@metrics.test', password: 'agent password 123', inboxIds: [inbox] });
  agent = await login(h.base, 'agent@metrics.test', 'agent password 123');
  doc = (await call(h.base, 'GET', '/openapi.json')).body;
});
afterAll(async () => {
  h.setNow(null);
  await h.close();
});

describe('ticket metrics in the API', () => {
  it('shows the stored first response, resolution, reopens, SLA attainment and rating on the ticket and in the list', async () => {
    // Answered an hour after the customer wrote, within its first-response target (stored as the reply store writes it).
    const t = await h.models.Ticket.create({
      number: 1, inboxId: inbox, subject: 'Printer', requester: { email: 'pat@customer.test' }, status: 'open', createdAt: created,
      sla: { firstRespondedAt: at(1), resolutionDueAt: at(24) },
      metrics: { firstResponseAt: at(1), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600, sla: { firstResponse: 'met' } },
    });
    const patch = (status: string, hours: number) => {
      h.setNow(at(hours));
      return call(h.base, 'PATCH', `/tickets/${t._id}`, { token: agent, body: { status } });
    };
    // Solved 5 h after it was written (before its resolution due time), reopened, then solved again at 30 h.
    expect((await patch('solved', 5)).status).toBe(200);
    const first = (await call(h.base, 'GET', `/tickets/${t._id}`, { token: agent })).body;
    expect(first.metrics).toEqual({
      firstResponseAt: at(1).toISOString(), firstResponseSeconds: 3600, firstResponseBusinessSeconds: 3600,
      // No SLA policy: 24/7, business seconds equal calendar ones.
      lastSolvedAt: at(5).toISOString(), resolutionSeconds: 5 * 3600, resolutionBusinessSeconds: 5 * 3600,
      reopenCount: 0,
      sla: { firstResponse: 'met', nextResponse: null, resolution: 'met' },
    });
    expect((await patch('open', 6)).status).toBe(200);
    expect((await patch('solved', 30)).status).toBe(200);
    await h.models.Ticket.updateOne({ _id: t._id }, { $set: { satisfaction: { rating: 'good', at: at(31) } } });

    const got = await call(h.base, 'GET', `/tickets/${t._id}`, { token: agent });
    expect(got.status).toBe(200);
    // Resolution counts to the last solve; the reopen is counted once.
    expect(got.body.metrics).toMatchObject({ lastSolvedAt: at(30).toISOString(), resolutionSeconds: 30 * 3600, resolutionBusinessSeconds: 30 * 3600, reopenCount: 1, firstResponseSeconds: 3600 });
    // Whatever attainment the store judged is what the API shows.
    const stored = (await h.models.Ticket.findById(t._id).lean())!;
    expect(got.body.metrics.sla).toEqual({ firstResponse: 'met', nextResponse: stored.metrics?.sla?.nextResponse ?? null, resolution: stored.metrics?.sla?.resolution ?? null });
    expect(got.body.satisfaction).toEqual({ rating: 'good', at: at(31).toISOString() });
    expect(documented('Ticket').safeParse(got.body).error?.issues ?? []).toEqual([]);

    // The list items carry the same figures.
    const list = await call(h.base, 'GET', '/tickets?status=solved', { token: agent });
    const item = list.body.items.find((i: { id: string }) => i.id === t._id.toHexString());
    expect(item.metrics).toEqual(got.body.metrics);
    expect(documented('TicketPage').safeParse(list.body).error?.issues ?? []).toEqual([]);
  });

  it('shows a ticket nothing happened to yet with empty metrics', async () => {
    h.setNow(null);
    const t = await h.models.Ticket.create({ number: 2, inboxId: inbox, subject: 'New', requester: { email: 'new@customer.test' }, status: 'new' });
    const got = await call(h.base, 'GET', `/tickets/${t._id}`, { token: agent });
    expect(got.body.metrics).toEqual({
      firstResponseAt: null, firstResponseSeconds: null, firstResponseBusinessSeconds: null,
      lastSolvedAt: null, resolutionSeconds: null, resolutionBusinessSeconds: null, reopenCount: 0,
      sla: { firstResponse: null, nextResponse: null, resolution: null },
    });
    expect(got.body.satisfaction).toBeNull();
    expect(documented('Ticket').safeParse(got.body).error?.issues ?? []).toEqual([]);
  });
});
