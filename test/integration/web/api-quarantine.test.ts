import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../../helpers/api.js';
import { startQuarantine } from './quarantine-harness.js';

let h: Awaited<ReturnType<typeof startQuarantine>>;
beforeAll(async () => {
  h = await startQuarantine('api_quarantine');
});
afterAll(async () => {
  await h?.close();
});

const as = (role: 'admin' | 'manager' | 'agent', method: string, path: string) => call(h.api, method, path, { token: h.tokens[role] });

describe('/api/v1/quarantine', () => {
  it('lists every quarantined mail for admins, newest first, filtered by inbox and reason, a page at a time', async () => {
    const all = await as('admin', 'GET', '/quarantine');
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { id: string }) => i.id)).toEqual([h.ids.forged, h.ids.failing, h.ids.tooLarge]);
    expect(all.body.nextCursor).toBeNull();
    const large = all.body.items.find((i: { id: string }) => i.id === h.ids.tooLarge);
    expect(large).toMatchObject({ reason: 'MAIL_TOO_LARGE', reasonKey: 'MAIL_TOO_LARGE', inboxId: h.inboxes.support.toHexString(), from: 'carla@example.org', subject: 'Invoice 2291 is wrong', size: h.question.length, hasRaw: true, canIngest: true, source: { folder: 'INBOX', uidValidity: '7', uid: 41 } });
    expect(large.detail).toMatch(/limit is 200/);

    const billing = await as('admin', 'GET', `/quarantine?inbox=${h.inboxes.billing.toHexString()}`);
    expect(billing.body.items.map((i: { id: string }) => i.id)).toEqual([h.ids.failing]);
    const refused = await as('admin', 'GET', '/quarantine?reason=NOTIFICATION_REPLY_REFUSED');
    expect(refused.body.items).toEqual([expect.objectContaining({ id: h.ids.forged, canIngest: false })]);

    const first = await as('admin', 'GET', '/quarantine?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await as('admin', 'GET', `/quarantine?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect([...first.body.items, ...second.body.items].map((i: { id: string }) => i.id)).toEqual([h.ids.forged, h.ids.failing, h.ids.tooLarge]);
    expect(second.body.nextCursor).toBeNull();
    expect((await as('admin', 'GET', '/quarantine?cursor=nonsense')).status).toBe(400);
  });

  it('refuses managers and agents everything, even for their own inboxes', async () => {
    for (const role of ['manager', 'agent'] as const) {
      expect((await as(role, 'GET', '/quarantine')).status).toBe(403);
      expect((await as(role, 'GET', `/quarantine/${h.ids.tooLarge}`)).status).toBe(403);
      expect((await as(role, 'GET', `/quarantine/${h.ids.tooLarge}/raw`)).status).toBe(403);
      expect((await as(role, 'POST', `/quarantine/${h.ids.failing}/ingest`)).status).toBe(403);
      expect((await as(role, 'DELETE', `/quarantine/${h.ids.tooLarge}`)).status).toBe(403);
    }
    expect(await h.models.Quarantine.countDocuments()).toBeGreaterThanOrEqual(3);
    expect(await h.models.Ticket.countDocuments()).toBe(0);
  });

  it('shows one mail and downloads its raw bytes as an attachment, never inline', async () => {
    const one = await as('admin', 'GET', `/quarantine/${h.ids.failing}`);
    expect(one.body).toMatchObject({ id: h.ids.failing, reason: 'INGEST_FAILED', inboxId: h.inboxes.billing.toHexString(), detail: expect.stringContaining('write conflict') });
    const raw = await fetch(`${h.api}/quarantine/${h.ids.tooLarge}/raw`, { headers: { authorization: `Bearer ${h.tokens.admin}` } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('message/rfc822');
    expect(raw.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="quarantine-${h.ids.tooLarge}-Invoice-2291-is-wrong\\.eml"`));
    expect(raw.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await raw.arrayBuffer()).equals(h.question)).toBe(true);
    expect((await as('admin', 'GET', `/quarantine/${new Types.ObjectId().toHexString()}`)).status).toBe(404);
    expect((await as('admin', 'GET', '/quarantine/not-an-id/raw')).status).toBe(404);
  });

  it('never ingests a security refusal', async () => {
    const res = await as('admin', 'POST', `/quarantine/${h.ids.forged}/ingest`);
    expect(res.status).toBe(409);
    expect(await h.models.Quarantine.exists({ _id: h.ids.forged })).toBeTruthy();
    expect(await h.models.Message.countDocuments()).toBe(0);
  });

  it('ingests a mail that failed again and again once, however often it is asked', async () => {
    const [a, b] = await Promise.all([as('admin', 'POST', `/quarantine/${h.ids.failing}/ingest`), as('admin', 'POST', `/quarantine/${h.ids.failing}/ingest`)]);
    const done = [a, b].filter((r) => r.status === 200);
    expect(done.length).toBeGreaterThanOrEqual(1);
    for (const r of [a, b]) expect([200, 404]).toContain(r.status);
    const ticketIds = new Set(done.map((r) => r.body.ticketId));
    expect(ticketIds.size).toBe(1);
    expect(done[0]!.body.outcome).toBe('ingested');
    const tickets = await h.models.Ticket.find({ inboxId: h.inboxes.billing }).lean();
    expect(tickets.map((t) => t._id.toHexString())).toEqual([...ticketIds]);
    expect(tickets[0]!.subject).toBe('Login fails');
    expect(await h.models.Message.countDocuments({ ticketId: tickets[0]!._id })).toBe(1);
    expect(await h.models.Quarantine.exists({ _id: h.ids.failing })).toBeNull();
    expect((await as('admin', 'POST', `/quarantine/${h.ids.failing}/ingest`)).status).toBe(404);
  });

  it('ingests a mail set aside for its size despite the limit, and nothing else about it changes', async () => {
    const res = await as('admin', 'POST', `/quarantine/${h.ids.tooLarge}/ingest`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ outcome: 'ingested', created: true });
    const ticket = (await h.models.Ticket.findById(res.body.ticketId).lean())!;
    expect(ticket).toMatchObject({ subject: 'Invoice 2291 is wrong', inboxId: h.inboxes.support });
    expect(await h.models.Quarantine.exists({ _id: h.ids.tooLarge })).toBeNull();
  });

  it('deletes a mail and its raw file', async () => {
    const doc = (await h.models.Quarantine.findById(h.ids.forged).lean())!;
    expect((await h.blobs.read(doc.raw!.fileId)).length).toBe(doc.size);
    expect((await as('admin', 'DELETE', `/quarantine/${h.ids.forged}`)).status).toBe(204);
    expect(await h.models.Quarantine.exists({ _id: h.ids.forged })).toBeNull();
    await expect(h.blobs.read(doc.raw!.fileId)).rejects.toThrow();
    expect((await as('admin', 'DELETE', `/quarantine/${h.ids.forged}`)).status).toBe(404);
    expect((await as('admin', 'GET', '/quarantine')).body.items).toEqual([]);
  });
});
